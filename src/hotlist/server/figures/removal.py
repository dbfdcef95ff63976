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

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from hotlist.server.figures.stats import DAY, MINUTE, percentiles, share_of

REMOVED_BEFORE_NOTICE = "removed_before_notice"
"""The outcome of a case whose content was gone when the notice was about to go."""
WITHIN = {"24h": timedelta(hours=24), "3d": timedelta(days=3), "7d": timedelta(days=7)}
"""The deadlines of the "removed within" shares, by the name of their figure."""


class Provider(NamedTuple):
    """A hosting provider as the figures name it: its network's name and ASN (either may be
    unknown, not both). A tuple: the figures group thousands of cases by it."""

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


def _seconds(start: datetime | None, end: datetime) -> float | None:
    """Seconds from ``start`` to ``end``; never below 0 (a removal seen before the notice was
    recorded counts as at once); None when ``start`` is unknown."""
    if start is None:
        return None
    return max(0.0, (end - start).total_seconds())


@dataclass
class _Tally:
    """What one pass over the cases keeps for one group: counts and the removed cases' times
    in seconds (made once per case; "all" merges the categories' tallies)."""

    cases: int = 0
    removed: int = 0
    before: int = 0
    notices: int = 0
    referrals: int = 0
    police: int = 0
    notice_waits: list[float] = field(default_factory=list)
    report_waits: list[float] = field(default_factory=list)
    clocks: list[float] = field(default_factory=list)

    def add(self, case: RemovalCaseRow, start: datetime, end: datetime) -> float | None:
        """Count ``case``; its notice -> removal seconds when removed in the period."""
        if start <= case.opened_at < end:
            self.cases += 1
        if case.notice_sent_at is not None and start <= case.notice_sent_at < end:
            self.notices += 1
        if case.referral_sent_at is not None and start <= case.referral_sent_at < end:
            self.referrals += 1
        if case.police_notified_at is not None and start <= case.police_notified_at < end:
            self.police += 1
        removed = case.removed_at
        if removed is None or not start <= removed < end:
            return None
        self.removed += 1
        if case.outcome == REMOVED_BEFORE_NOTICE:
            self.before += 1
        waited = _seconds(case.notice_sent_at, removed)
        if waited is not None:
            self.notice_waits.append(waited)
        reported = _seconds(case.report_received_at, removed)
        if reported is not None:
            self.report_waits.append(reported)
        clock = waited if waited is not None else reported
        if clock is not None:
            self.clocks.append(clock)
        return waited

    def merge(self, other: _Tally) -> None:
        """Add ``other``'s counts and times to this tally."""
        for name in ("cases", "removed", "before", "notices", "referrals", "police"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.notice_waits += other.notice_waits
        self.report_waits += other.report_waits
        self.clocks += other.clocks

    def figures(self) -> RemovalGroup:
        clocks = sorted(self.clocks)
        notice_median, notice_p90 = percentiles(self.notice_waits, (0.5, 0.9), MINUTE)
        report_median, report_p90 = percentiles(self.report_waits, (0.5, 0.9), DAY)
        inside = {
            name: bisect_right(clocks, limit.total_seconds()) for name, limit in WITHIN.items()
        }
        return RemovalGroup(
            cases=self.cases,
            removed=self.removed,
            removed_before_notice=self.before,
            share_removed_before_notice=share_of(self.before, self.removed),
            notices_sent=self.notices,
            referrals_sent=self.referrals,
            police_notified=self.police,
            median_minutes_notice_to_removal=notice_median,
            p90_minutes_notice_to_removal=notice_p90,
            median_days_report_to_removal=report_median,
            p90_days_report_to_removal=report_p90,
            timed=len(clocks),
            within_24h=inside["24h"],
            within_3d=inside["3d"],
            within_7d=inside["7d"],
            share_within_24h=share_of(inside["24h"], len(clocks)),
            share_within_3d=share_of(inside["3d"], len(clocks)),
            share_within_7d=share_of(inside["7d"], len(clocks)),
        )


def group_figures(cases: Iterable[RemovalCaseRow], start: datetime, end: datetime) -> RemovalGroup:
    """The figures of ``cases`` for ``[start, end)`` (see the module's docstring for which
    timestamp puts a case in the period)."""
    tally = _Tally()
    for case in cases:
        tally.add(case, start, end)
    return tally.figures()


def _providers(
    waits: dict[Provider, list[float]], min_cases: int
) -> tuple[list[ProviderFigures], int]:
    """The providers with at least ``min_cases`` timed cases, fastest median first; and how
    many were left out for fewer."""
    shown = []
    for provider, seconds in waits.items():
        if len(seconds) < min_cases:
            continue
        middle, p90 = percentiles(seconds, (0.5, 0.9), MINUTE)
        shown.append(ProviderFigures(provider.network, provider.asn, len(seconds), middle, p90))
    shown.sort(key=lambda p: (p.median_minutes_notice_to_removal or 0.0, p.label()))
    return shown, len(waits) - len(shown)


def removal_figures(
    cases: Iterable[RemovalCaseRow], start: datetime, end: datetime, min_provider_cases: int = 5
) -> RemovalFigures:
    """Every time-to-removal figure of ``[start, end)``: per category, in all, and by provider
    (only those with at least ``min_provider_cases`` cases removed in the period with a notice
    -> removal time). One pass over the cases."""
    if min_provider_cases < 1:
        raise ValueError(f"a provider needs at least 1 case to be shown, not {min_provider_cases}")
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    waits: dict[Provider, list[float]] = defaultdict(list)
    for case in cases:
        waited = tallies[case.category].add(case, start, end)
        if waited is not None and case.provider is not None:
            waits[case.provider].append(waited)
    everything = _Tally()
    by_category = {}
    for code, tally in sorted(tallies.items()):
        everything.merge(tally)
        group = tally.figures()
        if _any(group):
            by_category[code] = group
    providers, hidden = _providers(waits, min_provider_cases)
    return RemovalFigures(
        by_category=by_category,
        all=everything.figures(),
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
