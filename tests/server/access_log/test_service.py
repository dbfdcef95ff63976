"""The access log records who saw what, and reads back newest first with filters."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from hotlist.server.access_log.service import list_access_log, record_plaintext_access
from hotlist.server.kit.permissions import Role
from hotlist.server.kit.principal import Principal

MakeKey = Callable[..., tuple[str, Principal]]


def test_record_and_list(session: Session, make_key: MakeKey) -> None:
    _, analyst = make_key(Role.ANALYST)
    _, supervisor = make_key(Role.SUPERVISOR)
    first = record_plaintext_access(session, analyst, "report.open", "report", "R1")
    record_plaintext_access(session, supervisor, "entry.expression", "entry", 7)
    third = record_plaintext_access(session, analyst, "report.open", "report", "R2")
    assert first.at.utcoffset() is not None
    assert (first.user_id, first.org_id, first.key_id, first.role) == (
        analyst.user_id,
        analyst.org_id,
        analyst.key_id,
        "analyst",
    )
    assert [row.subject_id for row in list_access_log(session)] == ["R2", "7", "R1"]
    assert [row.subject_id for row in list_access_log(session, before_id=third.id, limit=1)] == [
        "7"
    ]
    by_user = list_access_log(session, user_id=analyst.user_id)
    assert [row.subject_id for row in by_user] == ["R2", "R1"]
    assert [r.id for r in list_access_log(session, subject_type="report", subject_id="R1")] == [
        first.id
    ]


def test_machine_access_is_logged_too(session: Session, make_key: MakeKey) -> None:
    _, machine = make_key(Role.MEMBER)
    row = record_plaintext_access(session, machine, "entry.expression", "entry", 1)
    assert row.user_id is None
    assert row.key_id == machine.key_id
