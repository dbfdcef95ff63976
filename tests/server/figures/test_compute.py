"""The figures are pure functions of the rows: each figure on hand-made rows, and invariants
over generated ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotlist.server.figures.compute import (
    AssessmentRow,
    CaseRow,
    CategoryCounts,
    EntryEndRow,
    EntryRow,
    PeriodRows,
    ReportRow,
    ReviewRow,
    case_figures,
    compute,
    flatten,
)

START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2026, 2, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def test_reports_assessed_once_each_and_share_actionable() -> None:
    rows = PeriodRows(
        START,
        END,
        reports=[ReportRow(START), ReportRow(START + DAY), ReportRow(END)],
        assessments=[
            AssessmentRow(1, True, START + DAY),
            AssessmentRow(2, False, START + DAY),
            AssessmentRow(3, False, START + 2 * DAY),
            AssessmentRow(3, True, START + 3 * DAY),
        ],
    )
    reports = compute(rows).reports
    assert (reports.received, reports.assessed, reports.actionable) == (2, 3, 2)
    assert reports.share_actionable == round(2 / 3, 4)


def test_entries_by_category_and_medians() -> None:
    rows = PeriodRows(
        START,
        END,
        entries_added=[
            EntryRow("csam", START + DAY, START + DAY - timedelta(hours=2)),
            EntryRow("csam", START + DAY, START + DAY - timedelta(hours=4)),
            EntryRow("terror", START + DAY, None),
            EntryRow("terror", END, END),
        ],
        entries_ended=[
            EntryEndRow("csam", "removed", START - 9 * DAY, START + DAY),
            EntryEndRow("terror", "expired", START - 29 * DAY, START + DAY),
            EntryEndRow("terror", "removed", START - 3 * DAY, START + DAY),
        ],
    )
    entries = compute(rows).entries
    assert entries.added_by_category == {"csam": 2, "terror": 1}
    assert entries.removed_by_category == {"csam": 1, "terror": 1}
    assert entries.expired_by_category == {"terror": 1}
    assert (entries.added, entries.removed, entries.expired) == (3, 2, 1)
    assert entries.median_hours_report_to_entry == 3.0
    assert entries.median_days_entry_lifetime == 10.0
    assert entries.by_category() == [
        CategoryCounts("csam", added=2, removed=1, expired=0),
        CategoryCounts("terror", added=1, removed=1, expired=1),
    ]


def test_cases_outcomes_open_and_overdue() -> None:
    cases = [
        CaseRow(START + DAY, START + 3 * DAY, "upheld"),
        CaseRow(START + DAY, START + 2 * DAY, "rejected"),
        CaseRow(START - DAY, START + 5 * DAY, "scope_changed"),
        CaseRow(END - 2 * DAY, None, None, interim=True),
        CaseRow(END - 20 * DAY, END + DAY, "rejected"),
    ]
    figures = case_figures(cases, START, END, decide_days=7)
    assert (figures.received, figures.decided) == (4, 3)
    assert (figures.upheld, figures.rejected, figures.scope_changed) == (1, 1, 1)
    assert figures.overturned == 2
    assert figures.median_days_to_decide == 2.0
    assert (figures.open_at_end, figures.overdue_at_end) == (2, 1)
    assert figures.interim_suspensions == 1


def test_audit_agreement_and_empty_periods() -> None:
    rows = PeriodRows(START, END, reviews=[ReviewRow("agree")] * 3 + [ReviewRow("disagree")])
    figures = compute(rows)
    assert (figures.audit.reviews, figures.audit.agree, figures.audit.disagree) == (4, 3, 1)
    assert figures.audit.agreement_rate == 0.75
    assert figures.reports.share_actionable is None
    assert figures.entries.median_days_entry_lifetime is None
    assert figures.appeals.median_days_to_decide is None


def test_flatten_names_every_figure() -> None:
    rows = PeriodRows(START, END, entries_added=[EntryRow("csam", START, None)])
    flat = flatten(compute(rows))
    assert ("entries", "added_by_category.csam", "1") in flat
    assert ("appeals", "overdue_at_end", "0") in flat
    assert ("reports", "share_actionable", "") in flat
    assert flat[0] == ("period", "start", START.isoformat())


moments = st.integers(min_value=-40, max_value=70).map(lambda d: START + timedelta(hours=12 * d))
outcomes = st.sampled_from(["upheld", "rejected", "scope_changed"])


@st.composite
def cases(draw: st.DrawFn) -> CaseRow:
    created = draw(moments)
    if draw(st.booleans()):
        return CaseRow(created, None, None, draw(st.booleans()))
    waited = timedelta(hours=draw(st.integers(min_value=0, max_value=2000)))
    return CaseRow(created, created + waited, draw(outcomes), draw(st.booleans()))


@settings(max_examples=60, deadline=None)
@given(st.lists(cases(), max_size=30), st.integers(min_value=1, max_value=30))
def test_case_figures_add_up(rows: list[CaseRow], days: int) -> None:
    figures = case_figures(rows, START, END, days)
    assert figures.decided == figures.upheld + figures.rejected + figures.scope_changed
    assert figures.overturned == figures.upheld + figures.scope_changed
    assert 0 <= figures.overdue_at_end <= figures.open_at_end <= len(rows)
    assert figures.received <= len(rows)
    if figures.median_days_to_decide is not None:
        assert figures.median_days_to_decide >= 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 20), st.booleans(), moments), max_size=40))
def test_share_actionable_is_a_share(rows: list[tuple[int, bool, datetime]]) -> None:
    assessments = [AssessmentRow(report, actionable, at) for report, actionable, at in rows]
    reports = compute(PeriodRows(START, END, assessments=assessments)).reports
    assert reports.actionable <= reports.assessed <= 20
    if reports.share_actionable is not None:
        assert 0.0 <= reports.share_actionable <= 1.0


@pytest.mark.parametrize(("days", "said"), [(1, "longer than 1 day."), (7, "longer than 7 days.")])
def test_the_notes_say_when_an_appeal_is_overdue(days: int, said: str) -> None:
    notes = compute(PeriodRows(START, END), appeal_decide_days=days).notes
    assert any(note.endswith(said) for note in notes)
