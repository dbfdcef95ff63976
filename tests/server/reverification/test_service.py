"""The check schedule: baselines for new entries, the run of ``gone`` checks that removes an
entry (12 hours apart at least), what does not count, the analyst's list, the per-host pace.
Checks are made by the offline checker on a manual clock, and against a real loopback origin."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hotlist.publish.log.events import LogEventKind
from hotlist.server.entries import service as entries
from hotlist.server.entries.models import Entry, EntryEvent, EntryState
from hotlist.server.kit.checker import HttpChecker, OfflineChecker, Outcome, StaticResolver
from hotlist.server.kit.clock import ManualClock
from hotlist.server.log import service as log_service
from hotlist.server.notices import service as notices
from hotlist.server.notices.models import RemovalCase, RemovalOutcome
from hotlist.server.reverification import service
from hotlist.server.reverification.models import CheckKind, CheckSchedule, UrlCheck
from server.kit.http_origin import Origin
from server.reverification.conftest import later

URL = "http://www.example.com/a/b/page.html"


def tick(
    sessions: sessionmaker[Session], checker: object, clock: ManualClock, **options: object
) -> service.Tick:
    with sessions() as session, session.begin():
        return service.check_due(session, checker, now=clock.now(), **options)  # type: ignore[arg-type]


def schedule(sessions: sessionmaker[Session], entry_id: int) -> CheckSchedule:
    with sessions() as session:
        row = session.get(CheckSchedule, entry_id)
        assert row is not None
        session.expunge(row)
        return row


def state(sessions: sessionmaker[Session], entry_id: int) -> str:
    with sessions() as session:
        return session.get_one(Entry, entry_id).state


def checks(sessions: sessionmaker[Session], entry_id: int) -> list[UrlCheck]:
    with sessions() as session:
        rows = list(
            session.scalars(
                select(UrlCheck).where(UrlCheck.entry_id == entry_id).order_by(UrlCheck.id)
            )
        )
        session.expunge_all()
        return rows


def test_a_new_entry_gets_a_baseline_check_and_a_place_in_the_schedule(
    active_entry: Callable[..., int], sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    entry_id = active_entry(URL)
    checker = OfflineChecker()
    checker.set(URL, "present", status=200, etag='"a"')
    done = tick(sessions, checker, clock)
    assert (done.enrolled, done.checked, dict(done.outcomes)) == (1, 1, {"present": 1})
    [baseline] = checks(sessions, entry_id)
    assert (baseline.kind, baseline.outcome, baseline.url, baseline.etag) == (
        "baseline",
        "present",
        URL,
        '"a"',
    )
    row = schedule(sessions, entry_id)
    assert row.baseline_id == baseline.id
    assert row.host == "www.example.com"
    # 12 hours (the demo policy's recheck_hours), moved by at most 10 % either way.
    assert timedelta(hours=10.8) <= row.next_check_at - clock.now() <= timedelta(hours=13.2)
    assert tick(sessions, checker, clock).checked == 0  # not due again yet


def test_later_checks_record_what_changed_from_the_baseline(
    active_entry: Callable[..., int], sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    entry_id = active_entry(URL)
    checker = OfflineChecker()
    checker.set(URL, "present", status=200, etag='"a"', ip="192.0.2.1")
    tick(sessions, checker, clock)
    checker.set(URL, "present", status=200, etag='"b"', ip="198.51.100.9")
    later(clock, 14)
    assert tick(sessions, checker, clock).checked == 1
    second = checks(sessions, entry_id)[-1]
    assert (second.kind, second.changed) == ("scheduled", ["etag", "ip"])


def test_two_gone_checks_12_hours_apart_remove_the_entry_and_close_its_case(
    active_entry: Callable[..., int], sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    entry_id = active_entry(URL)
    with sessions() as session, session.begin():
        notices.ensure_case(session, session.get_one(Entry, entry_id))
    checker = OfflineChecker()
    checker.set(URL, "present", status=200)
    tick(sessions, checker, clock)
    checker.set(URL, "gone", status=404)
    first = later(clock, 14)
    tick(sessions, checker, clock)
    assert state(sessions, entry_id) == EntryState.ACTIVE
    row = schedule(sessions, entry_id)
    assert (row.first_gone_at, row.gone_count) == (first, 1)
    assert row.next_check_at >= first + timedelta(hours=12)
    later(clock, 11)
    assert tick(sessions, checker, clock).checked == 0  # the next check waits for 12 hours
    removed_at = later(clock, 2.2)  # 13.2 hours: the latest the jitter can put it
    done = tick(sessions, checker, clock)
    assert done.removed
    assert state(sessions, entry_id) == EntryState.REMOVED
    with sessions() as session:
        event = session.scalars(
            select(EntryEvent).where(EntryEvent.entry_id == entry_id).order_by(EntryEvent.id.desc())
        ).first()
        assert event is not None
        assert (event.to_state, event.reason, event.actor_id) == (
            "removed",
            "content removed at source",
            None,
        )
        case = session.get_one(RemovalCase, entry_id)
        assert case.removed_at == removed_at
        logged = log_service.entries(session)[-1].event
        assert logged.kind is LogEventKind.ENTRY_REMOVED
        assert logged.fields["reason"] == "gone_at_source"
        assert "example.com" not in str(logged.fields)
        assert case.outcome == RemovalOutcome.REMOVED_BEFORE_NOTICE
    assert schedule(sessions, entry_id).done_at == removed_at
    later(clock, 24)
    assert tick(sessions, checker, clock).checked == 0  # no longer checked


def test_gone_then_present_starts_again(
    active_entry: Callable[..., int], sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    entry_id = active_entry(URL)
    checker = OfflineChecker()
    checker.set(URL, "gone", status=404)
    tick(sessions, checker, clock)
    checker.set(URL, "present", status=200)
    later(clock, 13.5)
    tick(sessions, checker, clock)
    row = schedule(sessions, entry_id)
    assert (row.first_gone_at, row.gone_count) == (None, 0)
    checker.set(URL, "gone", status=410)
    later(clock, 13.5)
    tick(sessions, checker, clock)
    assert state(sessions, entry_id) == EntryState.ACTIVE  # one gone after a present: not yet
    later(clock, 13.5)
    tick(sessions, checker, clock)
    assert state(sessions, entry_id) == EntryState.REMOVED


def test_failures_count_neither_way(
    active_entry: Callable[..., int], sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    entry_id = active_entry(URL)
    checker = OfflineChecker()
    checker.set(URL, "failed", status=503, error="HTTP 503")
    for _ in range(4):
        tick(sessions, checker, clock)
        later(clock, 13.5)
    assert state(sessions, entry_id) == EntryState.ACTIVE
    checker.set(URL, "gone", status=404)
    tick(sessions, checker, clock)
    checker.set(URL, "failed", status=500)
    later(clock, 13.5)
    tick(sessions, checker, clock)
    row = schedule(sessions, entry_id)
    assert row.gone_count == 1  # the failure neither reset the run nor added to it
    checker.set(URL, "gone", status=404)
    later(clock, 13.5)
    tick(sessions, checker, clock)
    assert state(sessions, entry_id) == EntryState.REMOVED


def test_a_manual_gone_check_within_12_hours_does_not_decide(
    active_entry: Callable[..., int], sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    entry_id = active_entry(URL)
    checker = OfflineChecker()
    checker.set(URL, "gone", status=404)
    for step in (0, 1, 4, 6.9):  # checks at 0, 1, 5 and 11.9 hours
        clock.advance(timedelta(hours=step))
        with sessions() as session, session.begin():
            entry = session.get_one(Entry, entry_id)
            service.check_now(session, checker, entry, kind=CheckKind.MANUAL, now=clock.now())
    assert state(sessions, entry_id) == EntryState.ACTIVE
    assert len(checks(sessions, entry_id)) == 4
    assert schedule(sessions, entry_id).gone_count == 4
    clock.advance(timedelta(hours=0.1))
    with sessions() as session, session.begin():
        entry = session.get_one(Entry, entry_id)
        service.check_now(session, checker, entry, kind=CheckKind.MANUAL, now=clock.now())
    assert state(sessions, entry_id) == EntryState.REMOVED


def test_no_present_check_for_unchecked_days_puts_the_entry_before_an_analyst(
    active_entry: Callable[..., int], sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    entry_id = active_entry(URL)
    checker = OfflineChecker()
    checker.set(URL, "refused", error="resolves to a private address")
    flagged = []
    for _ in range(7):  # 3 days (the demo policy) of checks every ~12 hours
        flagged += tick(sessions, checker, clock, jitter=lambda: 0.0).flagged
        later(clock, 12)
    assert len(flagged) == 1
    with sessions() as session:
        listed = service.attention(session)
        assert [entry.id for entry, _row in listed] == [entry_id]
        assert listed[0][1].needs_analyst_at is not None
    checker.set(URL, "present", status=200)
    tick(sessions, checker, clock)
    with sessions() as session:
        assert service.attention(session) == []


def test_an_entry_that_left_the_active_state_is_no_longer_checked(
    active_entry: Callable[..., int], sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    entry_id = active_entry(URL)
    checker = OfflineChecker()
    checker.set(URL, "present", status=200)
    tick(sessions, checker, clock)
    with sessions() as session, session.begin():
        entry = session.get_one(Entry, entry_id)
        entries.transition(session, entry, EntryState.SUSPENDED, "in doubt", None)
    later(clock, 13.5)
    done = tick(sessions, checker, clock)
    assert (done.stopped, done.checked) == (1, 0)
    assert schedule(sessions, entry_id).done_at is not None
    assert len(checks(sessions, entry_id)) == 1


def test_next_check_is_jittered_within_ten_percent() -> None:
    now = ManualClock().now()
    seen = {service.next_check(now, 12) - now for _ in range(200)}
    assert min(seen) >= timedelta(hours=10.8)
    assert max(seen) <= timedelta(hours=13.2)
    assert len(seen) > 100
    assert service.next_check(now, 12, jitter=lambda: 5.0) == now + timedelta(hours=13.2)
    gone = now - timedelta(hours=1)
    assert service.next_check(now, 1, gone, jitter=lambda: 0.0) == gone + timedelta(hours=12)


def test_the_entries_are_checked_against_a_real_origin_that_deletes(
    active_entry: Callable[..., int],
    sessions: sessionmaker[Session],
    clock: ManualClock,
    origin: Origin,
) -> None:
    url = origin.url("/a/photo.jpg", host="www.origin.test")
    entry_id = active_entry(url)
    origin.route("/a/photo.jpg", headers={"Content-Type": "image/jpeg", "ETag": '"1"'})
    checker = HttpChecker(
        allow_loopback=True, resolver=StaticResolver({"www.origin.test": ["127.0.0.1"]})
    )
    tick(sessions, checker, clock)
    origin.route("/a/photo.jpg", 404)
    later(clock, 13.5)
    tick(sessions, checker, clock)
    later(clock, 13.5)
    tick(sessions, checker, clock)
    assert state(sessions, entry_id) == EntryState.REMOVED
    made = checks(sessions, entry_id)
    assert [(c.outcome, c.status) for c in made] == [("present", 200), ("gone", 404), ("gone", 404)]
    assert made[0].content_type == "image/jpeg"
    assert made[1].changed == ["status", "content_type", "etag"]
    assert [seen.method for seen in origin.requests()] == ["HEAD"] * 3


def test_checks_of_one_host_are_paced_and_run_concurrently(
    active_entry: Callable[..., int],
    sessions: sessionmaker[Session],
    clock: ManualClock,
    origin: Origin,
) -> None:
    hosts = ["a.origin.test", "b.origin.test"]
    for host in hosts:
        for page in range(3):
            origin.route(f"/{host}/{page}", delay_s=0.1)
            active_entry(origin.url(f"/{host}/{page}", host=host))
    checker = HttpChecker(allow_loopback=True, resolver=StaticResolver({}, ["127.0.0.1"]))
    started = time.monotonic()
    done = tick(sessions, checker, clock, concurrency=4, per_host_interval_s=0.3)
    took = time.monotonic() - started
    assert done.checked == 6
    for host in hosts:
        times = [seen.at for seen in origin.requests() if (seen.host or "").startswith(host)]
        assert len(times) == 3
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert min(gaps) >= 0.28, gaps
    # Two hosts side by side: about 2 x 0.3 s plus one answer, not 6 x 0.1 s one after another.
    assert took < 1.5


def test_a_tick_defers_what_its_budget_cannot_pace(
    active_entry: Callable[..., int], sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    for page in range(3):
        active_entry(f"http://www.example.com/p{page}.html")
    checker = OfflineChecker(missing=Outcome.FAILED)
    done = tick(sessions, checker, clock, per_host_interval_s=10.0, budget_s=5.0)
    assert (done.checked, done.deferred) == (1, 2)
    done = tick(sessions, checker, clock, per_host_interval_s=0.0)
    assert done.checked == 2


def test_host_pacer_spaces_the_slots_of_a_host() -> None:
    now = [100.0]
    pacer = service.HostPacer(2.0, clock=lambda: now[0])
    assert [pacer.reserve("a.test") for _ in range(3)] == [100.0, 102.0, 104.0]
    assert pacer.reserve("b.test") == 100.0
    now[0] = 110.0
    pacer.forget_idle()
    assert pacer.reserve("a.test") == 110.0


@pytest.mark.parametrize("outcome", ["gone", "failed"])
def test_check_now_records_a_manual_check(
    active_entry: Callable[..., int],
    sessions: sessionmaker[Session],
    clock: ManualClock,
    outcome: str,
) -> None:
    entry_id = active_entry(URL)
    checker = OfflineChecker()
    checker.set(URL, outcome, status=404 if outcome == "gone" else 502)
    with sessions() as session, session.begin():
        made = service.check_now(
            session,
            checker,
            session.get_one(Entry, entry_id),
            kind=CheckKind.MANUAL,
            now=clock.now(),
        )
        assert (made.kind, made.outcome) == ("manual", outcome)
    assert schedule(sessions, entry_id).last_checked_at == clock.now()
