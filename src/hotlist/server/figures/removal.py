"""Time to removal: how fast content reported to the hotline was taken down where it is hosted.

Pure functions over plain rows (:mod:`hotlist.server.figures.query` fetches them from
``RemovalCase`` and ``HostingLookup``); nothing here touches a database.

Which period a figure belongs to, by its own timestamp:

- ``cases``: cases opened in the period; ``notices_sent``, ``referrals_sent`` and
  ``police_notified``: the first notice, the referral abroad and the police told in the period;
- every removal figure (``removed``, the times, the shares): the cases whose removal was observed
  in the period, whenever they were reported.

The clock of the "removed within 24 h / 3 days / 7 days" shares starts at the first notice where
one was sent, and at the report otherwise (referred abroad, or removed before any notice).
A hosting provider is a network (its name and ASN), never a host name: the list's hosts stay
confidential; a provider is shown only with at least ``min_provider_cases`` timed cases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from hotlist.server.figures.stats import DAY, MINUTE, median, percentile, share_of, within

REMOVED_BEFORE_NOTICE = "removed_before_notice"
"""The outcome of a case whose content was gone when the notice was about to go."""
WITHIN = {"24h": timedelta(hours=24), "3d": timedelta(days=3), "7d": timedelta(days=7)}
"""The deadlines of the "removed within" shares, by the name of their figure."""


@dataclass(frozen=True)
class Provider:
    """A hosting provider as the figures name it: its network's name and ASN (either may be
    unknown, not both)."""

    network: str | None
    asn: int | None

    def label(self) -> str:
        """``Example Net (AS64500)``, or whichever part is known."""
        if self.asn is None:
            return self.network or ""
        return f"{self.network} (AS{self.asn})" if self.network else f"AS{self.asn}"


@dataclass(frozen=True)
class RemovalCaseRow:
    """One removal case: its category, its four timestamps, how it stands, its provider."""

    category: str
    opened_at: datetime
    report_received_at: datetime | None = None
    notice_sent_at: datetime | None = None
    referral_sent_at: datetime | None = None
    police_notified_at: datetime | None = None
    removed_at: datetime | None = None
    outcome: str = "open"
    provider: Provider | None = None


@dataclass(frozen=True)
class LookupRow:
    """One hosting lookup of a host: when, and the network it found."""

    looked_up_at: datetime
    network: str | None
    asn: int | None


@dataclass(frozen=True)
class RemovalGroup:
    """The time-to-removal figures of one category (or of all), for one period."""

    cases: int
    removed: int
    removed_before_notice: int
    share_removed_before_notice: float | None
    """Of the cases removed in the period."""
    notices_sent: int
    referrals_sent: int
    police_notified: int
    median_minutes_notice_to_removal: float | None
    p90_minutes_notice_to_removal: float | None
    median_days_report_to_removal: float | None
    p90_days_report_to_removal: float | None
    timed: int
    """Removed cases with a start for the "within" shares (a notice, or else a report)."""
    within_24h: int
    within_3d: int
    within_7d: int
    share_within_24h: float | None
    share_within_3d: float | None
    share_within_7d: float | None


@dataclass(frozen=True)
class ProviderFigures:
    """A hosting provider's notice -> removal times over the period's removed cases."""

    network: str | None
    asn: int | None
    cases: int
    median_minutes_notice_to_removal: float | None
    p90_minutes_notice_to_removal: float | None

    def label(self) -> str:
        """The provider's name and ASN, as :meth:`Provider.label`."""
        return Provider(self.network, self.asn).label()


@dataclass(frozen=True)
class RemovalFigures:
    """Time to removal per category and in all, and the providers with enough cases."""

    by_category: dict[str, RemovalGroup]
    all: RemovalGroup
    providers: list[ProviderFigures]
    """Fastest first (by median notice -> removal)."""
    providers_not_shown: int
    """Providers left out for having fewer than ``min_provider_cases`` timed cases."""
    min_provider_cases: int


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    """Seconds from ``start`` to ``end``; never below 0 (a removal seen before the notice was
    recorded counts as at once); None when either is unknown."""
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())


def _known(values: Iterable[float | None]) -> list[float]:
    return [value for value in values if value is not None]


def _notice_to_removal(case: RemovalCaseRow) -> float | None:
    return _seconds(case.notice_sent_at, case.removed_at)


def group_figures(cases: Sequence[RemovalCaseRow], start: datetime, end: datetime) -> RemovalGroup:
    """The figures of ``cases`` for ``[start, end)`` (see the module's docstring for which
    timestamp puts a case in the period)."""
    removed = [case for case in cases if within(case.removed_at, start, end)]
    before = sum(1 for case in removed if case.outcome == REMOVED_BEFORE_NOTICE)
    notice_waits = _known(_notice_to_removal(case) for case in removed)
    report_waits = _known(_seconds(case.report_received_at, case.removed_at) for case in removed)
    clocks = _known(
        _seconds(case.notice_sent_at or case.report_received_at, case.removed_at)
        for case in removed
    )
    inside = {
        name: sum(1 for s in clocks if s <= limit.total_seconds()) for name, limit in WITHIN.items()
    }
    return RemovalGroup(
        cases=sum(1 for case in cases if within(case.opened_at, start, end)),
        removed=len(removed),
        removed_before_notice=before,
        share_removed_before_notice=share_of(before, len(removed)),
        notices_sent=sum(1 for case in cases if within(case.notice_sent_at, start, end)),
        referrals_sent=sum(1 for case in cases if within(case.referral_sent_at, start, end)),
        police_notified=sum(1 for case in cases if within(case.police_notified_at, start, end)),
        median_minutes_notice_to_removal=median(notice_waits, MINUTE),
        p90_minutes_notice_to_removal=percentile(notice_waits, 0.9, MINUTE),
        median_days_report_to_removal=median(report_waits, DAY),
        p90_days_report_to_removal=percentile(report_waits, 0.9, DAY),
        timed=len(clocks),
        within_24h=inside["24h"],
        within_3d=inside["3d"],
        within_7d=inside["7d"],
        share_within_24h=share_of(inside["24h"], len(clocks)),
        share_within_3d=share_of(inside["3d"], len(clocks)),
        share_within_7d=share_of(inside["7d"], len(clocks)),
    )


def provider_figures(
    cases: Iterable[RemovalCaseRow], start: datetime, end: datetime, min_cases: int
) -> tuple[list[ProviderFigures], int]:
    """The providers with at least ``min_cases`` cases removed in the period with a notice ->
    removal time, fastest median first; and how many providers were left out for fewer."""
    waits: dict[Provider, list[float]] = defaultdict(list)
    for case in cases:
        seconds = _notice_to_removal(case)
        if case.provider is None or seconds is None:
            continue
        if within(case.removed_at, start, end):
            waits[case.provider].append(seconds)
    shown = [
        ProviderFigures(
            network=provider.network,
            asn=provider.asn,
            cases=len(seconds),
            median_minutes_notice_to_removal=median(seconds, MINUTE),
            p90_minutes_notice_to_removal=percentile(seconds, 0.9, MINUTE),
        )
        for provider, seconds in waits.items()
        if len(seconds) >= min_cases
    ]
    shown.sort(key=lambda p: (p.median_minutes_notice_to_removal or 0.0, p.label()))
    return shown, len(waits) - len(shown)


def removal_figures(
    cases: Sequence[RemovalCaseRow], start: datetime, end: datetime, min_provider_cases: int = 5
) -> RemovalFigures:
    """Every time-to-removal figure of ``[start, end)``: per category, in all, by provider."""
    if min_provider_cases < 1:
        raise ValueError(f"a provider needs at least 1 case to be shown, not {min_provider_cases}")
    by_code: dict[str, list[RemovalCaseRow]] = defaultdict(list)
    for case in cases:
        by_code[case.category].append(case)
    groups = {code: group_figures(rows, start, end) for code, rows in sorted(by_code.items())}
    providers, hidden = provider_figures(cases, start, end, min_provider_cases)
    return RemovalFigures(
        by_category={code: group for code, group in groups.items() if _any(group)},
        all=group_figures(cases, start, end),
        providers=providers,
        providers_not_shown=hidden,
        min_provider_cases=min_provider_cases,
    )


def _any(group: RemovalGroup) -> bool:
    """Whether anything of the category happened in the period."""
    return bool(
        group.cases
        or group.removed
        or group.notices_sent
        or group.referrals_sent
        or group.police_notified
    )


def provider_at(lookups: Sequence[LookupRow], moment: datetime | None) -> Provider | None:
    """The provider of a host at ``moment``: the network of its latest lookup made no later
    than ``moment`` (the one that answered for the content then), or of its first lookup when
    every lookup came later; None without a lookup that found a network.

    ``lookups`` are the host's, in the order they were made.
    """
    found = [row for row in lookups if row.network is not None or row.asn is not None]
    if not found:
        return None
    chosen = found[0]
    for row in found:
        if moment is not None and row.looked_up_at > moment:
            break
        chosen = row
    return Provider(chosen.network, chosen.asn)
