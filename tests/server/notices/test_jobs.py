"""The notices job end to end with a ManualClock: routing, grouping per contact per window,
re-resolving before sending, the ladder's rungs, holds, and the checker's "gone"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hotlist.publish.log.events import decode_event
from hotlist.server.hosting.models import Intermediary
from hotlist.server.kit.clock import ManualClock
from hotlist.server.kit.mailer import MemoryMailer
from hotlist.server.log.models import LogLeaf
from hotlist.server.notices import service
from hotlist.server.notices.jobs import run_once
from hotlist.server.notices.models import (
    CaseRoute,
    ContactRole,
    ItemState,
    Notice,
    NoticeEvent,
    NoticeItem,
    NoticeState,
    RemovalCase,
    RemovalOutcome,
)
from hotlist.server.notices.service import MAX_RETRY_S, Outbox, retry_delay

from .conftest import START, Hosting

WINDOW = timedelta(seconds=900)


def tick(sessions: sessionmaker[Session], outbox: Outbox, clock: ManualClock):  # type: ignore[no-untyped-def]
    return run_once(sessions, outbox, now=clock.now(), window_s=outbox.window_s)


def notices(sessions: sessionmaker[Session]) -> list[Notice]:
    with sessions() as session:
        rows = session.scalars(select(Notice).order_by(Notice.id)).all()
        session.expunge_all()
        return list(rows)


def case(sessions: sessionmaker[Session], entry_id: int) -> RemovalCase:
    with sessions() as session:
        row = session.get_one(RemovalCase, entry_id)
        session.expunge(row)
        return row


def kinds(sessions: sessionmaker[Session], notice_id: int) -> list[str]:
    with sessions() as session:
        return list(
            session.scalars(
                select(NoticeEvent.kind)
                .where(NoticeEvent.notice_id == notice_id)
                .order_by(NoticeEvent.id)
            )
        )


def test_routing_grouping_and_the_whole_ladder(
    sessions: sessionmaker[Session],
    make_entries: Callable[..., list[int]],
    hosting_data: Hosting,
    outbox: Outbox,
) -> None:
    hosting_data.host("files.example", "192.0.2.10")
    hosting_data.host("pics.example", "192.0.2.11")  # same network: same abuse contact
    hosting_data.host("abroad.example", "198.51.100.5")
    hosting_data.registrar("files.example", "abuse@registrar.example")
    home = make_entries("files.example", 3) + make_entries("pics.example", 2)
    abroad = make_entries("abroad.example", 1)
    unknown = make_entries("nowhere.example", 1)
    with sessions() as session, session.begin():
        session.add(Intermediary(host="echo.example", kind="link_echo", note=""))
    echoed = make_entries("img.echo.example", 1)
    clock = ManualClock(START)
    mailer = outbox.mailer
    assert isinstance(mailer, MemoryMailer)

    first = tick(sessions, outbox, clock)
    assert (first.routed, first.drafted, first.referral, first.intermediary, first.analyst) == (
        8,
        5,
        1,
        1,
        1,
    )
    assert first.sent == 0  # the window is still open
    [draft] = notices(sessions)
    assert draft.contact == "abuse@net.example"
    assert draft.state == NoticeState.DRAFTED
    assert draft.due_at == START + WINDOW
    assert case(sessions, abroad[0]).route == CaseRoute.REFERRAL
    assert case(sessions, abroad[0]).referral_sent_at is None
    assert case(sessions, abroad[0]).country == "DE"
    assert case(sessions, echoed[0]).route == CaseRoute.INTERMEDIARY
    assert case(sessions, unknown[0]).route == CaseRoute.ANALYST
    with sessions() as session:
        flagged = {entry.id: c.route for c, entry in service.flagged_cases(session)}
    assert flagged == {
        abroad[0]: CaseRoute.REFERRAL,
        unknown[0]: CaseRoute.ANALYST,
        echoed[0]: CaseRoute.INTERMEDIARY,
    }
    assert "img.echo.example" not in (case(sessions, echoed[0]).route_note or "")

    late = make_entries("files.example", 1)  # within the window: joins the same draft
    clock.advance(600)
    tick(sessions, outbox, clock)
    assert len(notices(sessions)) == 1
    assert mailer.sent == []

    clock.advance(301)
    assert tick(sessions, outbox, clock).sent == 1
    [message] = mailer.sent
    assert message["To"] == "abuse@net.example"
    assert f"[hotlist {draft.reference}]" in message["Subject"]
    assert len(list(message.iter_attachments())) == 6
    [notice] = notices(sessions)
    assert notice.state == NoticeState.SENT
    assert notice.step == 1
    sent_at = START + timedelta(seconds=901)
    assert notice.first_sent_at == sent_at
    assert notice.due_at == sent_at + timedelta(hours=24)
    assert all(case(sessions, e).notice_sent_at == sent_at for e in [*home, *late])

    clock.advance(timedelta(hours=24))
    assert tick(sessions, outbox, clock).ladder == {"resend": 1}
    assert "Reminder 1" in mailer.sent[-1]["Subject"]
    clock.advance(timedelta(hours=48))
    result = tick(sessions, outbox, clock)
    assert result.ladder == {"escalate": 1}
    host_notice, registrar = notices(sessions)
    assert host_notice.state == NoticeState.ESCALATED
    assert host_notice.closed_at is not None
    assert registrar.role == ContactRole.REGISTRAR
    assert registrar.contact == "abuse@registrar.example"
    assert registrar.escalated_from == host_notice.id
    assert registrar.state == NoticeState.SENT
    assert mailer.sent[-1]["To"] == "abuse@registrar.example"

    clock.advance(timedelta(hours=96))  # 168 h after the first notice
    tick(sessions, outbox, clock)
    police = notices(sessions)[-1]
    assert police.role == ContactRole.POLICE
    assert police.state == NoticeState.SENT
    assert mailer.sent[-1]["To"] == "police@police.example"
    assert case(sessions, home[0]).police_notified_at == clock.now()

    with sessions() as session, session.begin():
        for entry_id in [*home, *late]:
            service.content_removed(session, entry_id, at=clock.now(), source="checker")
            service.content_removed(session, entry_id, at=clock.now(), source="checker")  # again
    police = notices(sessions)[-1]
    assert police.state == NoticeState.REMOVED
    assert case(sessions, home[0]).outcome == RemovalOutcome.REMOVED
    assert case(sessions, home[0]).removed_at == clock.now()
    assert kinds(sessions, police.id).count("removed") == 6

    with sessions() as session:
        leaves = [
            decode_event(d)
            for d in session.scalars(select(LogLeaf.data).order_by(LogLeaf.leaf_index))
        ]
    outcomes = [e.fields["outcome"] for e in leaves if e.kind == "notice_outcome"]
    assert outcomes[:2] == ["sent", "resent"]
    assert {"resent", "escalated", "removed"} <= set(outcomes)
    for event in leaves:
        if event.kind == "notice_outcome":  # never a host, URL or contact
            assert ".example" not in event.encode().decode()


def test_a_host_gone_before_the_notice_is_recorded_and_not_noticed(
    sessions: sessionmaker[Session],
    make_entries: Callable[..., list[int]],
    hosting_data: Hosting,
    outbox: Outbox,
) -> None:
    hosting_data.host("files.example", "192.0.2.10")
    hosting_data.host("gone.example", "192.0.2.12")
    kept = make_entries("files.example", 1)
    gone = make_entries("gone.example", 2)
    clock = ManualClock(START)
    tick(sessions, outbox, clock)
    del hosting_data.hosts["gone.example"]  # the name stops resolving before the window ends
    clock.advance(WINDOW + timedelta(seconds=1))
    tick(sessions, outbox, clock)
    assert isinstance(outbox.mailer, MemoryMailer)
    [message] = outbox.mailer.sent
    assert len(list(message.iter_attachments())) == 1
    for entry_id in gone:
        removed = case(sessions, entry_id)
        assert removed.outcome == RemovalOutcome.REMOVED_BEFORE_NOTICE
        assert removed.notice_sent_at is None
        assert removed.removed_at == clock.now()
    assert case(sessions, kept[0]).notice_sent_at == clock.now()
    [notice] = notices(sessions)
    assert kinds(sessions, notice.id).count("removed_before_notice") == 2
    with sessions() as session:
        states = session.scalars(select(NoticeItem.state).order_by(NoticeItem.id)).all()
    assert sorted(states) == sorted([ItemState.PENDING, *[ItemState.REMOVED_BEFORE_NOTICE] * 2])


def test_a_notice_whose_every_url_is_gone_is_closed_unsent(
    sessions: sessionmaker[Session],
    make_entries: Callable[..., list[int]],
    hosting_data: Hosting,
    outbox: Outbox,
) -> None:
    hosting_data.host("gone.example", "192.0.2.12")
    make_entries("gone.example", 1)
    clock = ManualClock(START)
    tick(sessions, outbox, clock)
    hosting_data.hosts.clear()
    clock.advance(WINDOW)
    tick(sessions, outbox, clock)
    [notice] = notices(sessions)
    assert notice.state == NoticeState.REMOVED
    assert outbox.mailer.sent == []  # type: ignore[attr-defined]


def test_a_failed_send_stays_a_draft_and_is_retried(
    sessions: sessionmaker[Session],
    make_entries: Callable[..., list[int]],
    hosting_data: Hosting,
    outbox: Outbox,
) -> None:
    hosting_data.host("files.example", "192.0.2.10")
    make_entries("files.example", 1)
    mailer = outbox.mailer
    assert isinstance(mailer, MemoryMailer)
    mailer.fail_with = "connection refused"
    clock = ManualClock(START)
    tick(sessions, outbox, clock)
    clock.advance(WINDOW)
    assert tick(sessions, outbox, clock).send_failed == 1
    [notice] = notices(sessions)
    assert notice.state == NoticeState.DRAFTED
    assert notice.due_at == clock.now() + timedelta(seconds=outbox.retry_s)
    assert kinds(sessions, notice.id)[-1] == "send_failed"
    mailer.fail_with = None
    clock.advance(outbox.retry_s)
    assert tick(sessions, outbox, clock).sent == 1
    assert notices(sessions)[0].state == NoticeState.SENT


def test_failed_sends_in_a_row_wait_longer_each_time(
    sessions: sessionmaker[Session],
    make_entries: Callable[..., list[int]],
    hosting_data: Hosting,
    outbox: Outbox,
) -> None:
    hosting_data.host("files.example", "192.0.2.10")
    make_entries("files.example", 1)
    mailer = outbox.mailer
    assert isinstance(mailer, MemoryMailer)
    mailer.fail_with = "connection refused"
    clock = ManualClock(START)
    tick(sessions, outbox, clock)
    clock.advance(WINDOW)
    waits = []
    for _ in range(4):
        assert tick(sessions, outbox, clock).send_failed == 1
        [notice] = notices(sessions)
        assert notice.due_at is not None
        waits.append(notice.due_at - clock.now())
        clock.advance(notice.due_at - clock.now())
    retry = timedelta(seconds=outbox.retry_s)
    assert waits == [retry, 2 * retry, 4 * retry, 8 * retry]
    mailer.fail_with = None
    assert tick(sessions, outbox, clock).sent == 1


def test_the_retry_wait_is_capped() -> None:
    assert retry_delay(300.0, 1) == timedelta(seconds=300)
    assert retry_delay(300.0, 3) == timedelta(seconds=1200)
    assert retry_delay(300.0, 40) == timedelta(seconds=MAX_RETRY_S)


def test_a_held_notice_waits_and_goes_on_when_released(
    sessions: sessionmaker[Session],
    make_entries: Callable[..., list[int]],
    hosting_data: Hosting,
    outbox: Outbox,
    analyst,  # type: ignore[no-untyped-def]
) -> None:
    hosting_data.host("files.example", "192.0.2.10")
    make_entries("files.example", 1)
    clock = ManualClock(START)
    tick(sessions, outbox, clock)
    [notice] = notices(sessions)
    with sessions() as session, session.begin():
        service.hold(
            session,
            session.get_one(Notice, notice.id),
            "The police asked for two days.",
            now=clock.now(),
            actor_id=analyst.id,
        )
    clock.advance(timedelta(days=1))
    assert tick(sessions, outbox, clock).sent == 0
    with sessions() as session, session.begin():
        service.release(
            session,
            session.get_one(Notice, notice.id),
            "The police are done.",
            now=clock.now(),
            actor_id=analyst.id,
        )
    assert tick(sessions, outbox, clock).sent == 1
    assert kinds(sessions, notice.id) == ["drafted", "held", "released", "sent"]


def test_with_no_police_contact_the_last_rung_is_unresolved(
    sessions: sessionmaker[Session],
    make_entries: Callable[..., list[int]],
    hosting_data: Hosting,
    outbox: Outbox,
) -> None:
    hosting_data.host("files.example", "192.0.2.10")  # no registrar known
    make_entries("files.example", 1)
    quiet = Outbox(outbox.mailer, outbox.sources, outbox.sender_address, outbox.window_s, None)
    clock = ManualClock(START)
    tick(sessions, quiet, clock)
    clock.advance(WINDOW)
    tick(sessions, quiet, clock)
    for _ in range(10):
        clock.advance(timedelta(hours=24))
        tick(sessions, quiet, clock)
    [notice] = notices(sessions)
    assert notice.state == NoticeState.UNRESOLVED
    assert kinds(sessions, notice.id) == [
        "drafted",
        "sent",
        "resent",
        "resent",
        "escalated",
        "resent",
        "resent",
        "resent",
        "unresolved",
    ]


def test_an_entry_after_the_window_gets_a_new_notice(
    sessions: sessionmaker[Session],
    make_entries: Callable[..., list[int]],
    hosting_data: Hosting,
    outbox: Outbox,
) -> None:
    hosting_data.host("files.example", "192.0.2.10")
    make_entries("files.example", 2)
    clock = ManualClock(START)
    tick(sessions, outbox, clock)
    clock.advance(WINDOW)
    tick(sessions, outbox, clock)
    make_entries("files.example", 1)
    tick(sessions, outbox, clock)
    first, second = notices(sessions)
    assert (first.state, second.state) == (NoticeState.SENT, NoticeState.DRAFTED)
    assert first.contact == second.contact
    assert second.due_at == clock.now() + WINDOW


def test_escalation_goes_to_the_upstream_network_before_the_registrar(
    sessions: sessionmaker[Session],
    make_entries: Callable[..., list[int]],
    hosting_data: Hosting,
    outbox: Outbox,
) -> None:
    hosting_data.upstream("192.0.0.0/16", "abuse@transit.example")
    hosting_data.host("files.example", "192.0.2.10")
    hosting_data.registrar("files.example", "abuse@registrar.example")
    make_entries("files.example", 1)
    clock = ManualClock(START)
    tick(sessions, outbox, clock)
    clock.advance(WINDOW)
    tick(sessions, outbox, clock)
    clock.advance(timedelta(hours=72))
    assert tick(sessions, outbox, clock).ladder == {"escalate": 1}
    host_notice, upstream = notices(sessions)
    assert host_notice.contact == "abuse@net.example"
    assert (upstream.role, upstream.contact) == (ContactRole.UPSTREAM, "abuse@transit.example")
    assert outbox.mailer.sent[-1]["To"] == "abuse@transit.example"  # type: ignore[attr-defined]


def test_a_late_tick_takes_the_rung_not_the_missed_reminders(
    sessions: sessionmaker[Session],
    make_entries: Callable[..., list[int]],
    hosting_data: Hosting,
    outbox: Outbox,
) -> None:
    hosting_data.host("files.example", "192.0.2.10")
    hosting_data.registrar("files.example", "abuse@registrar.example")
    make_entries("files.example", 1)
    clock = ManualClock(START)
    tick(sessions, outbox, clock)
    clock.advance(WINDOW)
    tick(sessions, outbox, clock)
    clock.advance(timedelta(hours=100))  # the job was down: 24 h and 48 h reminders missed
    assert tick(sessions, outbox, clock).ladder == {"escalate": 1}
