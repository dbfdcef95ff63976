"""Kept subtree hashes give the same roots and proofs as hashing every leaf, and never outlive
the leaves they cover (an emptied log, a rolled-back append)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from hotlist.publish.log.merkle import CHUNK, consistency_proof, inclusion_proof, root_hash
from hotlist.server.log import service as log_service
from hotlist.server.log.models import LogLeaf

SIZE = 2 * CHUNK + 37
AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def no_time(number: int) -> datetime | None:
    """Each leaf appended now."""
    return None


def _append(
    session: Session, count: int, tag: str, times: Callable[[int], datetime | None] = no_time
) -> None:
    for number in range(count):
        log_service.record(
            session,
            "entry_removed",
            at=times(number),
            entry_id=f"{number + 1:016x}",
            expression_hash=f"{number:064x}",
            reason=tag,
        )


def _check_against_every_leaf(session: Session) -> None:
    hashes = list(log_service.leaf_hashes(session))
    size = len(hashes)
    assert log_service.tree_head(session).root_hash == root_hash(hashes)
    for tree_size in (CHUNK, CHUNK + 1, size):
        assert log_service.tree_head(session, tree_size).root_hash == root_hash(hashes[:tree_size])
        for index in (0, CHUNK - 1, CHUNK, tree_size - 1):
            if index < tree_size:
                expected = inclusion_proof(hashes[:tree_size], index)
                assert log_service.inclusion_proof(session, index, tree_size) == expected
    for first in (1, CHUNK, CHUNK + 5, 2 * CHUNK, size):
        found = log_service.prove_consistency(session, first, size)
        assert found.proof == consistency_proof(hashes, first)
        assert found.first_root_hash == root_hash(hashes[:first])


@pytest.fixture
def filled(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        _append(session, SIZE, "first")


@pytest.mark.usefixtures("filled")
def test_kept_subtrees_give_the_same_answers(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        _check_against_every_leaf(session)  # fills what is kept
        _check_against_every_leaf(session)  # reads it


@pytest.mark.usefixtures("filled")
def test_another_log_in_the_same_database_is_not_answered_from_the_old_one(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session:
        _check_against_every_leaf(session)
    with sessions() as session, session.begin():
        session.execute(delete(LogLeaf))
        _append(session, SIZE + 3, "second")
    with sessions() as session:
        _check_against_every_leaf(session)


def test_a_refilled_log_that_differs_only_before_the_newest_kept_leaf_is_not_answered_from_the_old(
    sessions: sessionmaker[Session],
) -> None:
    # The same events; only the first leaf's second differs, so the newest kept leaf is the same.
    with sessions() as session, session.begin():
        _append(session, SIZE, "same", lambda n: AT - timedelta(seconds=1) if n == 0 else AT)
    with sessions() as session:
        _check_against_every_leaf(session)
    with sessions() as session, session.begin():
        session.execute(delete(LogLeaf))
        _append(session, SIZE, "same", lambda n: AT)
    with sessions() as session:
        _check_against_every_leaf(session)


@pytest.mark.usefixtures("filled")
def test_a_rolled_back_append_is_not_kept(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        _append(session, CHUNK, "rolled-back")
        log_service.tree_head(session)
        session.rollback()
    with sessions() as session, session.begin():
        _append(session, CHUNK, "kept")
    with sessions() as session:
        _check_against_every_leaf(session)
