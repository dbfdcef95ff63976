"""The transparency figures of a period, computed by pure functions over plain rows.

:mod:`hotlist.server.figures.query` fetches the rows; nothing here touches a database.
The figures are counts, shares and medians only: no personal data, no URL, no free text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hotlist.server.figures.removal import RemovalCaseRow, RemovalFigures, removal_figures
from hotlist.server.figures.stats import DAY, HOUR, median, share_of, within
from hotlist.text import plural


@dataclass(frozen=True)
class ReportRow:
    """A report received in the period."""

    received_at: datetime


@dataclass(frozen=True)
class AssessmentRow:
    """An assessment made in the period."""

    report_id: int
    actionable: bool
    decided_at: datetime


@dataclass(frozen=True)
class EntryRow:
    """An entry made in the period, with when its first report came in (None: no report)."""

    category: str
    created_at: datetime
    first_report_at: datetime | None


@dataclass(frozen=True)
class EntryEndRow:
    """An entry that left the list for good or by expiry in the period."""

    category: str
    state: str
    """``removed`` or ``expired``."""
    created_at: datetime
    ended_at: datetime


@dataclass(frozen=True)
class CaseRow:
    """An objection or an appeal: when filed, and when and how decided (None: open)."""

    created_at: datetime
    decided_at: datetime | None
    outcome: str | None
    interim: bool = False


@dataclass(frozen=True)
class ReviewRow:
    """An observer's review of a sampled decision, made in the period."""

    verdict: str


@dataclass(frozen=True)
class PeriodRows:
    """Everything the figures of ``[start, end)`` are computed from.

    ``objections`` and ``appeals`` hold every case filed before ``end`` that was open at
    ``start`` or filed or decided in the period; ``removal_cases`` every removal case with one of
    its timestamps in the period (:mod:`hotlist.server.figures.removal`).
    """

    start: datetime
    end: datetime
    reports: Sequence[ReportRow] = ()
    assessments: Sequence[AssessmentRow] = ()
    entries_added: Sequence[EntryRow] = ()
    entries_ended: Sequence[EntryEndRow] = ()
    objections: Sequence[CaseRow] = ()
    appeals: Sequence[CaseRow] = ()
    reviews: Sequence[ReviewRow] = ()
    removal_cases: Sequence[RemovalCaseRow] = ()


@dataclass(frozen=True)
class ReportFigures:
    """Reports received and assessed, and the share found actionable."""

    received: int
    assessed: int
    actionable: int
    share_actionable: float | None


@dataclass(frozen=True)
class CategoryCounts:
    """A category's row of the entries table: added, removed and expired in the period."""

    code: str
    added: int
    removed: int
    expired: int


@dataclass(frozen=True)
class EntryFigures:
    """Entries added and removed (and expired) by category, and how long things took."""

    added_by_category: dict[str, int]
    removed_by_category: dict[str, int]
    expired_by_category: dict[str, int]
    added: int
    removed: int
    expired: int
    median_hours_report_to_entry: float | None
    median_days_entry_lifetime: float | None

    def by_category(self) -> list[CategoryCounts]:
        """One row per category that gained, lost or expired entries, in code order."""
        codes = sorted(
            {*self.added_by_category, *self.removed_by_category, *self.expired_by_category}
        )
        return [
            CategoryCounts(
                code,
                self.added_by_category.get(code, 0),
                self.removed_by_category.get(code, 0),
                self.expired_by_category.get(code, 0),
            )
            for code in codes
        ]


@dataclass(frozen=True)
class CaseFigures:
    """Objections or appeals: received, decided and how, the median time to decide."""

    received: int
    decided: int
    upheld: int
    rejected: int
    scope_changed: int
    overturned: int
    """Decisions that changed the entry (upheld or scope changed)."""
    median_days_to_decide: float | None
    open_at_end: int
    overdue_at_end: int
    interim_suspensions: int


@dataclass(frozen=True)
class AuditFigures:
    """Observers' reviews of sampled decisions."""

    reviews: int
    agree: int
    disagree: int
    agreement_rate: float | None


@dataclass(frozen=True)
class TransparencyFigures:
    """Every figure the issue lists, for ``[start, end)``."""

    start: datetime
    end: datetime
    reports: ReportFigures
    entries: EntryFigures
    objections: CaseFigures
    appeals: CaseFigures
    audit: AuditFigures
    removal: RemovalFigures
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready data (times as ISO 8601)."""
        data = asdict(self)
        data["start"] = self.start.isoformat()
        data["end"] = self.end.isoformat()
        return data


def report_figures(rows: PeriodRows) -> ReportFigures:
    """Reports received in the period; reports assessed in it and the share actionable.

    A report assessed more than once counts once, by its latest assessment in the period.
    """
    latest: dict[int, AssessmentRow] = {}
    for row in sorted(rows.assessments, key=lambda r: r.decided_at):
        if within(row.decided_at, rows.start, rows.end):
            latest[row.report_id] = row
    actionable = sum(1 for row in latest.values() if row.actionable)
    received = sum(1 for row in rows.reports if within(row.received_at, rows.start, rows.end))
    return ReportFigures(
        received=received,
        assessed=len(latest),
        actionable=actionable,
        share_actionable=share_of(actionable, len(latest)),
    )


def _by_category(categories: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(categories).items()))


def entry_figures(rows: PeriodRows) -> EntryFigures:
    """Entries added, removed and expired by category; median report-to-entry time and the
    median lifetime of the entries that left the list in the period."""
    added = [row for row in rows.entries_added if within(row.created_at, rows.start, rows.end)]
    ended = [row for row in rows.entries_ended if within(row.ended_at, rows.start, rows.end)]
    removed = [row.category for row in ended if row.state == "removed"]
    expired = [row.category for row in ended if row.state == "expired"]
    waits = (
        (row.created_at - row.first_report_at).total_seconds()
        for row in added
        if row.first_report_at is not None
    )
    lifetimes = ((row.ended_at - row.created_at).total_seconds() for row in ended)
    return EntryFigures(
        added_by_category=_by_category(row.category for row in added),
        removed_by_category=_by_category(removed),
        expired_by_category=_by_category(expired),
        added=len(added),
        removed=len(removed),
        expired=len(expired),
        median_hours_report_to_entry=median(waits, HOUR),
        median_days_entry_lifetime=median(lifetimes, DAY),
    )


def case_figures(
    cases: Sequence[CaseRow], start: datetime, end: datetime, decide_days: int | None = None
) -> CaseFigures:
    """Objections or appeals: filed and decided in the period, outcomes, median days to decide,
    still open at the end, and (with ``decide_days``) open longer than allowed at the end."""
    decided = [case for case in cases if within(case.decided_at, start, end)]
    outcomes = Counter(case.outcome for case in decided)
    still_open = [
        case
        for case in cases
        if case.created_at < end and (case.decided_at is None or case.decided_at >= end)
    ]
    overdue = 0
    if decide_days is not None:
        limit = timedelta(days=decide_days)
        overdue = sum(1 for case in still_open if end - case.created_at > limit)
    durations = (
        (case.decided_at - case.created_at).total_seconds()
        for case in decided
        if case.decided_at is not None
    )
    upheld, scope_changed = outcomes["upheld"], outcomes["scope_changed"]
    return CaseFigures(
        received=sum(1 for case in cases if within(case.created_at, start, end)),
        decided=len(decided),
        upheld=upheld,
        rejected=outcomes["rejected"],
        scope_changed=scope_changed,
        overturned=upheld + scope_changed,
        median_days_to_decide=median(durations, DAY),
        open_at_end=len(still_open),
        overdue_at_end=overdue,
        interim_suspensions=sum(1 for case in cases if case.interim and case.created_at < end),
    )


def audit_figures(reviews: Sequence[ReviewRow]) -> AuditFigures:
    """Reviews made in the period and the share that agree with the decision."""
    agree = sum(1 for review in reviews if review.verdict == "agree")
    return AuditFigures(
        reviews=len(reviews),
        agree=agree,
        disagree=len(reviews) - agree,
        agreement_rate=share_of(agree, len(reviews)),
    )


def compute(
    rows: PeriodRows, appeal_decide_days: int = 7, min_provider_cases: int = 5
) -> TransparencyFigures:
    """Every figure of the period ``[rows.start, rows.end)``; a hosting provider's removal
    times only with at least ``min_provider_cases`` cases."""
    return TransparencyFigures(
        start=rows.start,
        end=rows.end,
        reports=report_figures(rows),
        entries=entry_figures(rows),
        objections=case_figures(rows.objections, rows.start, rows.end),
        appeals=case_figures(rows.appeals, rows.start, rows.end, appeal_decide_days),
        audit=audit_figures(rows.reviews),
        removal=removal_figures(rows.removal_cases, rows.start, rows.end, min_provider_cases),
        notes=[
            "Counts, shares and medians only: no personal data and no URL.",
            "Overturned: decisions that removed the entry or changed its scope.",
            "Appeals are overdue when open longer than "
            f"{plural(appeal_decide_days, 'day', 'days')}.",
            "Removal at source: a case counts in the period its removal was observed in; "
            "cases opened, notices, referrals and police reports in the period of their own "
            "date.",
            "Removed within 24 hours, 3 days, 7 days: from the first notice, or from the "
            "report where no notice was sent (referred abroad, or removed before notice).",
            "Hosting providers are networks (name and AS number), never host names; one is "
            "shown only with at least "
            f"{plural(min_provider_cases, 'case', 'cases')} timed from notice to removal.",
        ],
    )


def flatten(figures: TransparencyFigures) -> list[tuple[str, str, str]]:
    """The figures as ``(section, figure, value)`` rows, for CSV."""
    rows: list[tuple[str, str, str]] = [
        ("period", "start", figures.start.isoformat()),
        ("period", "end", figures.end.isoformat()),
    ]
    data = figures.to_dict()
    for section in ("reports", "entries", "objections", "appeals", "audit"):
        for name, value in data[section].items():
            if isinstance(value, Mapping):
                rows.extend((section, f"{name}.{key}", _text(v)) for key, v in value.items())
            else:
                rows.append((section, name, _text(value)))
    removal = data["removal"]
    for code, group in removal["by_category"].items():
        rows.extend(("removal", f"{code}.{name}", _text(v)) for name, v in group.items())
    rows.extend(("removal", f"all.{name}", _text(v)) for name, v in removal["all"].items())
    for rank, provider in enumerate(removal["providers"], start=1):
        rows.extend(
            ("removal", f"provider.{rank}.{name}", _text(v)) for name, v in provider.items()
        )
    rows.append(("removal", "providers_not_shown", _text(removal["providers_not_shown"])))
    rows.append(("removal", "min_provider_cases", _text(removal["min_provider_cases"])))
    return rows


def _text(value: object) -> str:
    return "" if value is None else str(value)
