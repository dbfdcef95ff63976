"""The log service: record appends dense leaves, refuses what a kind does not allow, proves."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from hotlist.errors import Conflict, InvalidLogEvent, NotFound
from hotlist.publish.log.events import LogEventKind, decode_event
from hotlist.publish.log.merkle import (
    EMPTY_ROOT,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from hotlist.server.log import service as log_service
from hotlist.server.log.models import LogLeaf

AT = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)
ENTRY_ID = "00000000000000ab"
DIGEST = "ab" * 32


def _removed(session: Session, reason: str = "content_gone") -> int:
    return log_service.record(
        session,
        LogEventKind.ENTRY_REMOVED,
        at=AT,
        entry_id=ENTRY_ID,
        expression_hash=DIGEST,
        category="csam",
        policy_version=1,
        reason=reason,
    )


def test_record_appends_dense_indexes_with_canonical_leaves(session: Session) -> None:
    assert log_service.size(session) == 0
    assert log_service.tree_head(session).root_hash == EMPTY_ROOT
    assert [_removed(session) for _ in range(3)] == [0, 1, 2]
    session.commit()
    leaves = log_service.entries(session)
    assert [leaf.index for leaf in leaves] == [0, 1, 2]
    assert leaves[0].data == (
        b'{"category":"csam","entry_id":"00000000000000ab","expression_hash":"'
        + DIGEST.encode()
        + b'","kind":"entry_removed","policy_version":1,"reason":"content_gone",'
        b'"time":"2026-11-24T07:30:00Z"}'
    )
    assert leaves[0].leaf_hash == leaf_hash(leaves[0].data)
    assert decode_event(leaves[0].data).fields["reason"] == "content_gone"


def test_record_takes_a_kind_by_name_and_leaves_out_none(session: Session) -> None:
    index = log_service.record(
        session,
        "policy_version",
        at=AT,
        policy_version=2,
        policy_id="example-hotline-demo",
        content_hash=DIGEST,
    )
    leaf = log_service.entries(session, index, index + 1)[0]
    assert leaf.event.kind is LogEventKind.POLICY_VERSION
    log_service.record(
        session, LogEventKind.ENTRY_DISPUTED, entry_id=ENTRY_ID, expression_hash=DIGEST, reason=None
    )
    assert "reason" not in log_service.entries(session, 1, 2)[0].event.fields


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        ("entry_removed", {"entry_id": ENTRY_ID, "expression_hash": DIGEST, "url": "x"}, "url"),
        (
            "entry_removed",
            {"entry_id": ENTRY_ID, "expression_hash": DIGEST, "reason": "https://example.com/a"},
            "reason",
        ),
        ("entry_removed", {"entry_id": "example.com", "expression_hash": DIGEST}, "entry_id"),
        ("entry_removed", {"entry_id": ENTRY_ID}, "needs expression_hash"),
        ("policy_version", {"policy_version": True, "content_hash": DIGEST}, "policy_version"),
        ("no_such_kind", {}, "unknown log event kind"),
    ],
)
def test_record_refuses_what_the_kind_does_not_allow(
    session: Session, kind: str, fields: dict[str, str | int | bool], message: str
) -> None:
    with pytest.raises(InvalidLogEvent, match=message):
        log_service.record(session, kind, at=AT, **fields)
    assert log_service.size(session) == 0


def test_proofs_from_the_service_verify(session: Session) -> None:
    for number in range(7):
        _removed(session, reason=f"r{number}")
    session.commit()
    first = log_service.tree_head(session, 3)
    second = log_service.tree_head(session)
    hashes = log_service.leaf_hashes(session)
    for index in range(second.size):
        proof = log_service.inclusion_proof(session, index, second.size)
        verify_inclusion(index, second.size, hashes[index], proof, second.root_hash)
    proof = log_service.consistency_proof(session, first.size, second.size)
    verify_consistency(first.size, second.size, first.root_hash, second.root_hash, proof)


def test_sizes_beyond_the_log_are_not_found(session: Session) -> None:
    _removed(session)
    with pytest.raises(NotFound):
        log_service.tree_head(session, 2)
    with pytest.raises(NotFound):
        log_service.inclusion_proof(session, 1, 1)
    with pytest.raises(NotFound):
        log_service.consistency_proof(session, 2, 1)


def test_leaves_are_never_changed_or_deleted(session: Session) -> None:
    _removed(session)
    session.commit()
    leaf = session.get_one(LogLeaf, 0)
    leaf.data = b"{}"
    with pytest.raises(Conflict, match="append-only"):
        session.flush()
    session.rollback()
    session.delete(session.get_one(LogLeaf, 0))
    with pytest.raises(Conflict, match="append-only"):
        session.flush()


def test_concurrent_appends_get_dense_indexes(db_url: str, sessions: sessionmaker[Session]) -> None:
    """Writers in parallel transactions: each append waits for the one before to commit."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has one connection: its writers never overlap")
    started = threading.Event()
    indexes: list[int] = []

    def first() -> None:
        with sessions() as session, session.begin():
            indexes.append(_removed(session, reason="first"))
            started.set()
            time.sleep(0.3)

    def second() -> None:
        started.wait(5)
        with sessions() as session, session.begin():
            indexes.append(_removed(session, reason="second"))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert indexes == [0, 1]
    with sessions() as session:
        assert [leaf.event.fields["reason"] for leaf in log_service.entries(session)] == [
            "first",
            "second",
        ]
