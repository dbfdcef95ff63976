"""Every entry event and policy version is in the log, without plaintext, and provably so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.policy import load_demo_policy, policy_from_dict
from hotlist.publish.log.events import LogEventKind
from hotlist.publish.log.merkle import verify_inclusion
from hotlist.server.db.base import utcnow
from hotlist.server.entries import service as entries
from hotlist.server.policies import service as policies
from hotlist.server.translog import service as translog
from hotlist.server.translog.service import LoggedEvent

URL = "http://www.example.com/a/b/page.html"


def _log(sessions: sessionmaker[Session]) -> list[LoggedEvent]:
    with sessions() as session:
        return translog.entries(session)


def _assert_all_provable(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        head = translog.tree_head(session)
        for leaf in translog.entries(session):
            proof = translog.inclusion_proof(session, leaf.index, head.size)
            verify_inclusion(leaf.index, head.size, leaf.leaf_hash, proof, head.root_hash)


def test_entry_lifecycle_is_logged_with_hashes_only(
    client: TestClient,
    auth: Callable[[str], dict[str, str]],
    listed_entry: Callable[..., str],
    sessions: sessionmaker[Session],
) -> None:
    public_id = listed_entry(URL)
    steps: list[tuple[str, dict[str, Any]]] = [
        ("suspension", {"reason": "In doubt: the host says it is gone."}),
        ("transitions", {"to": "active", "reason": "Still online."}),
        ("transitions", {"to": "removed", "reason": "Gone at last."}),
    ]
    for path, body in steps:
        response = client.post(
            f"/v1/entries/{public_id}/{path}", json=body, headers=auth("supervisor")
        )
        assert response.status_code == 201, response.text
    log = _log(sessions)
    kinds = [leaf.event.kind for leaf in log]
    assert kinds == [
        LogEventKind.POLICY_VERSION,
        LogEventKind.ENTRY_ADDED,
        LogEventKind.ENTRY_SUSPENDED,
        LogEventKind.ENTRY_REINSTATED,
        LogEventKind.ENTRY_REMOVED,
    ]
    for leaf in log[1:]:
        assert leaf.event.fields["entry_id"] == public_id
        assert leaf.event.fields["category"] == "csam"
        assert leaf.event.fields["policy_version"] == 1
        assert b"example.com" not in leaf.data
    assert log[1].event.fields["scope"] == "page"
    assert log[3].event.fields["from_state"] == "suspended"
    _assert_all_provable(sessions)


def test_expiry_and_a_new_policy_version_are_logged(
    listed_entry: Callable[..., str], sessions: sessionmaker[Session]
) -> None:
    public_id = listed_entry(URL)
    with sessions() as session, session.begin():
        expired = entries.expire_due(session, now=utcnow() + timedelta(days=400))
        assert [entry.public_ref for entry in expired] == [public_id]
        changed = load_demo_policy().to_dict()
        changed["title"] = "Example hotline demo policy, second edition"
        row, new = policies.load(session, policy_from_dict(changed), by=None)
        assert new
    log = _log(sessions)
    assert log[-2].event.kind is LogEventKind.ENTRY_EXPIRED
    assert log[-2].event.fields["reason"] == "not_reverified"
    assert log[-1].event.kind is LogEventKind.POLICY_VERSION
    assert log[-1].event.fields == {
        "policy_version": 2,
        "policy_id": row.policy_id,
        "content_hash": row.content_hash,
    }
    _assert_all_provable(sessions)


def test_loading_the_same_policy_again_logs_nothing(session: Session) -> None:
    policies.load(session, load_demo_policy(), by=None)
    policies.load(session, load_demo_policy(), by=None)
    assert [leaf.event.kind for leaf in translog.entries(session)] == [LogEventKind.POLICY_VERSION]
