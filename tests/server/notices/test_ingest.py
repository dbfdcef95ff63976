"""Replies in: matched by the reference in the subject, from one message or a Maildir folder;
a message naming no notice is reported, not lost."""

from __future__ import annotations

import mailbox
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hotlist.errors import ConfigError
from hotlist.server.kit.clock import ManualClock
from hotlist.server.notices.ingest import ingest_bytes, ingest_maildir
from hotlist.server.notices.jobs import run_once
from hotlist.server.notices.models import Notice, NoticeEvent, NoticeState
from hotlist.server.notices.service import Outbox

from .conftest import START, Hosting


def reply(subject: str, body: str, message_id: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Abuse Desk <abuse@net.example>"
    message["To"] = "hotline@hotline.example"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message.set_content(body)
    return message


@pytest.fixture
def sent_notice(
    sessions: sessionmaker[Session],
    make_entries: Callable[..., list[int]],
    hosting_data: Hosting,
    outbox: Outbox,
) -> Notice:
    hosting_data.host("files.example", "192.0.2.10")
    make_entries("files.example", 2)
    clock = ManualClock(START)
    run_once(sessions, outbox, now=clock.now(), window_s=outbox.window_s)
    clock.advance(timedelta(seconds=outbox.window_s))
    run_once(sessions, outbox, now=clock.now(), window_s=outbox.window_s)
    with sessions() as session:
        notice = session.scalars(select(Notice)).one()
        session.expunge(notice)
    assert notice.state == NoticeState.SENT
    return notice


def events(sessions: sessionmaker[Session], notice_id: int) -> list[NoticeEvent]:
    with sessions() as session:
        rows = session.scalars(
            select(NoticeEvent).where(NoticeEvent.notice_id == notice_id).order_by(NoticeEvent.id)
        ).all()
        session.expunge_all()
        return list(rows)


def test_an_acknowledgement_on_stdin_is_matched_by_its_subject(
    sessions: sessionmaker[Session], sent_notice: Notice
) -> None:
    message = reply(
        f"Re: [hotlist {sent_notice.reference.lower()}] Notice of illegal content",
        "Hello,\nwe acknowledge your notice and are looking into it.\n\n> quoted original text\n",
        "<ack-1@net.example>",
    )
    result = ingest_bytes(sessions, [message.as_bytes()], now=START + timedelta(hours=2))
    assert result.matched == [sent_notice.reference]
    assert result.acknowledged == [sent_notice.reference]
    assert result.unknown == []
    kinds = [(e.kind, e.message_id) for e in events(sessions, sent_notice.id)]
    assert kinds[-2:] == [("reply", "<ack-1@net.example>"), ("acknowledged", "<ack-1@net.example>")]
    assert "quoted original" not in events(sessions, sent_notice.id)[-2].detail
    with sessions() as session:
        assert session.get_one(Notice, sent_notice.id).state == NoticeState.ACKNOWLEDGED


def test_a_question_is_a_reply_not_an_acknowledgement(
    sessions: sessionmaker[Session], sent_notice: Notice
) -> None:
    message = reply(f"RE: [hotlist {sent_notice.reference}]", "Which page do you mean?", "<q@x>")
    result = ingest_bytes(sessions, [message.as_bytes()], now=START + timedelta(hours=2))
    assert (result.matched, result.acknowledged) == ([sent_notice.reference], [])
    with sessions() as session:
        assert session.get_one(Notice, sent_notice.id).state == NoticeState.SENT


def test_a_maildir_is_read_once_and_unknown_references_are_reported(
    sessions: sessionmaker[Session], sent_notice: Notice, tmp_path: Path
) -> None:
    folder = tmp_path / "replies"
    box = mailbox.Maildir(folder, create=True)
    box.add(
        reply(f"Re: [hotlist {sent_notice.reference}]", "Removed, thanks.", "<r1@x>").as_bytes()
    )
    box.add(reply("Re: [hotlist N-ZZZZZZZZ] something", "Which notice?", "<r2@x>").as_bytes())
    box.add(reply("Out of office", "Back on Monday.", "<r3@x>").as_bytes())
    first = ingest_maildir(sessions, folder, now=START + timedelta(hours=3))
    assert first.matched == [sent_notice.reference]
    assert first.acknowledged == [sent_notice.reference]
    assert len(first.unknown) == 2
    assert any("N-ZZZZZZZZ" in u and "<r2@x>" in u for u in first.unknown)
    again = ingest_maildir(sessions, folder, now=START + timedelta(hours=4))
    assert (again.matched, again.unknown) == ([], [])
    assert all("S" in mailbox.Maildir(folder).get_message(k).get_flags() for k in box.iterkeys())


def test_a_folder_that_is_not_a_maildir_is_refused(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="not a Maildir"):
        ingest_maildir(sessions, tmp_path, now=START)
