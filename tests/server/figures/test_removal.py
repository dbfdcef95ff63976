"""Time to removal, pure: each figure on hand-made cases, the percentiles against a naive
reference, and invariants (shares in [0, 1], small providers hidden) over generated cases."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotlist.server.figures.compute import PeriodRows, compute, flatten
from hotlist.server.figures.removal import (
    Provider,
    RemovalCaseRow,
    group_figures,
    removal_figures,
)
from hotlist.server.figures.stats import median, percentile

START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2026, 2, 1, tzinfo=UTC)
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
NET = Provider("Example Hosting", 64500)
OTHER = Provider("Other Net", 64501)


def _case(
    report: datetime | None = START,
    notice_after: timedelta | None = None,
    removed_after_notice: timedelta | None = None,
    *,
    category: str = "csam",
    provider: Provider | None = NET,
    removed_at: datetime | None = None,
    **fields: object,
) -> RemovalCaseRow:
    """A case reported at ``report``, noticed ``notice_after`` later and removed
    ``removed_after_notice`` after the notice (or at ``removed_at``)."""
    notice = None if report is None or notice_after is None else report + notice_after
    if removed_at is None and notice is not None and removed_after_notice is not None:
        removed_at = notice + removed_after_notice
    outcome = "removed" if removed_at is not None else "open"
    values: dict[str, object] = {
        "category": category,
        "opened_at": report or START,
        "report_received_at": report,
        "notice_sent_at": notice,
        "removed_at": removed_at,
        "outcome": outcome,
        "provider": provider,
    }
    values.update(fields)
    return RemovalCaseRow(**values)  # type: ignore[arg-type]


def test_notice_to_removal_in_minutes_and_report_to_removal_in_days() -> None:
    hour = timedelta(hours=1)
    cases = [
        _case(START, hour, 3 * MINUTE),  # the fastest: 3 minutes
        _case(START, hour, 60 * MINUTE),
        _case(START, hour, 2 * DAY - hour),  # report -> removal: 2 days
        _case(START, hour, 10 * DAY - hour),
        _case(START, hour, None),  # still open: in no removal figure
    ]
    group = group_figures(cases, START, END)
    assert (group.cases, group.removed, group.notices_sent) == (5, 4, 5)
    assert group.median_minutes_notice_to_removal == round((60 + 47 * 60) / 2, 2)
    assert group.p90_minutes_notice_to_removal == percentile(
        [3 * 60, 3600, (47 * 3600), (239 * 3600)], 0.9, 60
    )
    assert group.median_days_report_to_removal == round((2 / 24 + 2) / 2, 2)
    assert group.p90_days_report_to_removal == round(2 + (10 - 2) * 0.7, 2)
    assert group.within_24h == 2
    assert group.within_3d == 3
    assert group.within_7d == 3
    assert group.share_within_24h == 0.5
    assert group.share_within_7d == 0.75


def test_the_removal_time_puts_a_case_in_the_period() -> None:
    before = START - 5 * DAY
    cases = [
        _case(before, DAY, 10 * DAY),  # reported and noticed before, removed inside
        _case(END - DAY, MINUTE, 2 * DAY),  # reported inside, removed after the end
    ]
    group = group_figures(cases, START, END)
    assert (group.cases, group.notices_sent, group.removed) == (1, 1, 1)
    assert group.median_days_report_to_removal == 11.0
    assert group.median_minutes_notice_to_removal == 10 * 24 * 60.0


def test_without_a_notice_the_clock_starts_at_the_report() -> None:
    gone = _case(START, removed_at=START + 2 * DAY, outcome="removed_before_notice", provider=None)
    referred = _case(
        START + DAY,
        removed_at=START + 6 * DAY,
        referral_sent_at=START + 2 * DAY,
        police_notified_at=START + 3 * DAY,
    )
    noticed = _case(START, 10 * DAY, MINUTE)
    group = group_figures([gone, referred, noticed], START, END)
    assert group.removed == 3
    assert group.removed_before_notice == 1
    assert group.share_removed_before_notice == round(1 / 3, 4)
    assert (group.notices_sent, group.referrals_sent, group.police_notified) == (1, 1, 1)
    assert group.median_minutes_notice_to_removal == 1.0  # the noticed case alone
    assert group.timed == 3
    assert (group.within_24h, group.within_3d, group.within_7d) == (1, 2, 3)


def test_a_case_without_any_start_is_not_timed() -> None:
    unknown = _case(None, removed_at=START + DAY, provider=None)
    group = group_figures([unknown], START, END)
    assert (group.removed, group.timed) == (1, 0)
    assert group.share_within_24h is None
    assert group.median_days_report_to_removal is None


def test_per_category_and_in_all() -> None:
    cases = [
        _case(START, MINUTE, MINUTE),
        _case(START, MINUTE, 3 * MINUTE, category="terror"),
        _case(START - 90 * DAY, MINUTE, MINUTE, category="ncii"),  # nothing in the period
    ]
    figures = removal_figures(cases, START, END)
    assert list(figures.by_category) == ["csam", "terror"]
    assert figures.by_category["terror"].median_minutes_notice_to_removal == 3.0
    assert figures.all.removed == 2
    assert figures.all.median_minutes_notice_to_removal == 2.0


def test_providers_below_the_threshold_are_hidden() -> None:
    fast = [_case(START, MINUTE, 5 * MINUTE) for _ in range(3)]
    slow = [_case(START, MINUTE, DAY, provider=OTHER) for _ in range(2)]
    unknown = [_case(START, MINUTE, MINUTE, provider=None)]
    figures = removal_figures(fast + slow + unknown, START, END, min_provider_cases=3)
    assert [(p.network, p.asn, p.cases) for p in figures.providers] == [
        ("Example Hosting", 64500, 3)
    ]
    assert figures.providers[0].median_minutes_notice_to_removal == 5.0
    assert figures.providers[0].label() == "Example Hosting (AS64500)"
    assert figures.providers_not_shown == 1
    everyone = removal_figures(fast + slow, START, END, min_provider_cases=1)
    assert [p.network for p in everyone.providers] == ["Example Hosting", "Other Net"]
    with pytest.raises(ValueError, match="at least 1"):
        removal_figures([], START, END, min_provider_cases=0)


def test_a_provider_is_labelled_by_what_is_known() -> None:
    assert NET.label() == "Example Hosting (AS64500)"
    assert Provider(None, 64500).label() == "AS64500"
    assert Provider("Only Name", None).label() == "Only Name"


def test_the_transparency_figures_carry_them_and_flatten_names_them() -> None:
    rows = PeriodRows(
        START, END, removal_cases=[_case(START, MINUTE, 3 * MINUTE) for _ in range(2)]
    )
    figures = compute(rows, min_provider_cases=2)
    data = figures.to_dict()
    assert data["removal"]["all"]["removed"] == 2
    assert data["removal"]["providers"][0]["asn"] == 64500
    flat = flatten(figures)
    assert ("removal", "csam.median_minutes_notice_to_removal", "3.0") in flat
    assert ("removal", "all.share_within_24h", "1.0") in flat
    assert ("removal", "provider.1.network", "Example Hosting") in flat
    assert ("removal", "providers_not_shown", "0") in flat
    assert any("at least 2 cases" in note for note in figures.notes)


def _naive_percentile(values: list[float], share: float) -> float:
    """The percentile by its definition: interpolate between the two ranks around
    ``(n - 1) * share`` in the sorted values."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    below, above = math.floor(position), math.ceil(position)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


numbers = st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=60)


@settings(max_examples=100, deadline=None)
@given(numbers, st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0]))
def test_percentiles_agree_with_the_naive_reference(values: list[int], share: float) -> None:
    floats = [float(v) for v in values]
    assert percentile(floats, share) == pytest.approx(
        round(_naive_percentile(floats, share), 2), abs=0.011
    )
    assert min(values) <= (percentile(floats, share) or 0) <= max(values)


@settings(max_examples=100, deadline=None)
@given(numbers)
def test_the_median_is_the_middle(values: list[int]) -> None:
    ordered = sorted(values)
    middle = len(ordered) // 2
    expected = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    assert median(map(float, values)) == pytest.approx(expected, abs=0.006)
    assert (percentile(map(float, values), 0.9) or 0) >= (median(map(float, values)) or 0)


moments = st.integers(min_value=-20 * 24, max_value=50 * 24).map(
    lambda h: START + timedelta(hours=h)
)
waits = st.none() | st.integers(min_value=0, max_value=20 * 24 * 60).map(
    lambda m: timedelta(minutes=m)
)
providers = st.none() | st.sampled_from([NET, OTHER, Provider(None, 64502)])


@st.composite
def removal_cases(draw: st.DrawFn) -> RemovalCaseRow:
    report = draw(st.none() | moments)
    notice = draw(waits)
    removed = draw(waits)
    return _case(
        report,
        notice,
        removed,
        category=draw(st.sampled_from(["csam", "terror"])),
        provider=draw(providers),
        referral_sent_at=draw(st.none() | moments),
    )


@settings(max_examples=80, deadline=None)
@given(st.lists(removal_cases(), max_size=40), st.integers(min_value=1, max_value=8))
def test_removal_figures_add_up(cases: list[RemovalCaseRow], least: int) -> None:
    figures = removal_figures(cases, START, END, least)
    for group in [figures.all, *figures.by_category.values()]:
        assert group.removed_before_notice <= group.removed <= len(cases)
        assert group.within_24h <= group.within_3d <= group.within_7d <= group.timed
        assert group.timed <= group.removed
        for share in (
            group.share_within_24h,
            group.share_within_3d,
            group.share_within_7d,
            group.share_removed_before_notice,
        ):
            assert share is None or 0.0 <= share <= 1.0
        for low, high in (
            (group.median_minutes_notice_to_removal, group.p90_minutes_notice_to_removal),
            (group.median_days_report_to_removal, group.p90_days_report_to_removal),
        ):
            assert (low is None) == (high is None)
            if low is not None and high is not None:
                assert 0 <= low <= high
    assert sum(g.removed for g in figures.by_category.values()) == figures.all.removed
    assert all(p.cases >= least for p in figures.providers)
    medians = [p.median_minutes_notice_to_removal or 0.0 for p in figures.providers]
    assert medians == sorted(medians)
    timed = {
        case.provider
        for case in cases
        if case.provider is not None
        and case.notice_sent_at is not None
        and case.removed_at is not None
        and START <= case.removed_at < END
    }
    assert len(figures.providers) + figures.providers_not_shown == len(timed)
