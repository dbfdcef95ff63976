"""Every entry event and policy version is in the log, without plaintext, and provably so."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.policy import load_demo_policy, policy_from_dict
from hotlist.publish.log.events import LogEventKind
from hotlist.publish.log.merkle import verify_inclusion
from hotlist.server.appeals.models import Appeal
from hotlist.server.db.base import utcnow
from hotlist.server.entries import service as entries
from hotlist.server.entries.models import Entry, EntryEvent, EventKind
from hotlist.server.log import service as log_service
from hotlist.server.log.service import LoggedEvent
from hotlist.server.objections.models import Objection
from hotlist.server.policies import service as policies
from hotlist.server.policies.models import PolicyVersion

URL = "http://www.example.com/a/b/page.html"
ENTRY_EVENT_KINDS: dict[str, str] = {
    EventKind.CREATED: "entry_added",
    EventKind.SUSPENDED: "entry_suspended",
    EventKind.ACTIVATED: "entry_reinstated",
    EventKind.EXPIRED: "entry_expired",
    EventKind.REMOVED: "entry_removed",
}
"""Each entry event kind and the log event it must have (``report_added`` changes nothing)."""


def _log(sessions: sessionmaker[Session]) -> list[LoggedEvent]:
    with sessions() as session:
        return log_service.entries(session)


def _assert_all_provable(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        head = log_service.tree_head(session)
        for leaf in log_service.entries(session):
            proof = log_service.inclusion_proof(session, leaf.index, head.size)
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
    assert [leaf.event.kind for leaf in log_service.entries(session)] == [
        LogEventKind.POLICY_VERSION
    ]


def test_every_outcome_is_in_the_log_and_provable(
    client: TestClient,
    auth: Callable[[str], dict[str, str]],
    listed_entry: Callable[..., str],
    sessions: sessionmaker[Session],
) -> None:
    """Entry events, policy versions, objection and appeal outcomes: each stored decision has
    its leaf, and every leaf's inclusion proof verifies against the head."""
    suspended = listed_entry("http://www.example.com/one.html")
    objected = listed_entry("http://www.example.com/two.html")
    appealed = listed_entry("http://www.example.com/three.html")
    supervisor = auth("supervisor")

    def post(path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 201, response.text
        return response.json()

    post(f"/v1/entries/{suspended}/suspension", {"reason": "In doubt."}, supervisor)
    post(f"/v1/entries/{suspended}/transitions", {"to": "active", "reason": "Fine."}, supervisor)
    objection = post(
        "/v1/objections", {"entry_id": objected, "reason": "A news report."}, auth("member")
    )
    post(
        f"/v1/objections/{objection['id']}/decision",
        {"outcome": "upheld", "reason": "It is a news report."},
        supervisor,
    )
    receipt = post(
        "/v1/appeals",
        {"entry_id": appealed, "relation": "site_owner", "reason": "My own page, lawful."},
    )["receipt"]
    with sessions() as session:
        appeal_id = session.scalar(select(Appeal.id).where(Appeal.receipt == receipt))
    post(f"/v1/appeals/{appeal_id}/interim", {"reason": "Looks lawful."}, supervisor)
    post(
        f"/v1/appeals/{appeal_id}/decision",
        {"outcome": "rejected", "reason": "As assessed."},
        supervisor,
    )
    with sessions() as session, session.begin():
        entries.expire_due(session, now=utcnow() + timedelta(days=400))

    with sessions() as session:
        log = log_service.entries(session)
        logged: Counter[tuple[str, str]] = Counter(
            (leaf.event.kind.value, str(leaf.event.fields.get("entry_id"))) for leaf in log
        )
        expected: Counter[tuple[str, str]] = Counter()
        rows = session.execute(select(EntryEvent.kind, Entry.public_id).join(Entry))
        for kind, public_id in rows:
            if kind in ENTRY_EVENT_KINDS:
                expected[(ENTRY_EVENT_KINDS[kind], f"{public_id:016x}")] += 1
        assert expected
        assert +(expected - logged) == Counter()
        versions = session.scalars(select(PolicyVersion.version)).all()
        policy_leaves = [
            leaf.event.fields["policy_version"]
            for leaf in log
            if leaf.event.kind is LogEventKind.POLICY_VERSION
        ]
        assert sorted(policy_leaves) == sorted(versions)
        decisions = [
            (
                select(Objection.id, Objection.log_index),
                LogEventKind.OBJECTION_DECIDED,
                "objection_id",
            ),
            (select(Appeal.id, Appeal.log_index), LogEventKind.APPEAL_DECIDED, "appeal_id"),
        ]
        for query, kind, field in decisions:
            decided = session.execute(query).all()
            assert decided
            for row_id, index in decided:
                assert index is not None
                assert log[index].event.kind is kind
                assert log[index].event.fields[field] == row_id
    assert {
        "entry_disputed",
        "entry_suspended",
        "entry_reinstated",
        "entry_removed",
        "entry_expired",
    } <= {leaf.event.kind.value for leaf in log}
    assert all(b"example." not in leaf.data for leaf in log)
    _assert_all_provable(sessions)
