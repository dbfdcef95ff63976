"""Append events to the transparency log and answer for it: heads, proofs, entries.

:func:`record` is how every other service logs an event: in the caller's transaction, so the
event is in the log exactly when the change it describes is stored. Leaf indexes are dense
(0, 1, 2...): on PostgreSQL a transaction-scoped advisory lock serialises appends; SQLite
serialises writers itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from hotlist.errors import NotFound, VerificationError
from hotlist.publish.log.events import FieldValue, LogEvent, LogEventKind, decode_event, make_event
from hotlist.publish.log.head import TreeHead
from hotlist.publish.log.merkle import (
    leaf_hash,
    tree_consistency_proof,
    tree_inclusion_proof,
    tree_root,
)
from hotlist.server.db.base import utcnow
from hotlist.server.log.models import LogLeaf
from hotlist.server.log.tree import DatabaseLeaves
from hotlist.text import plural

_APPEND_LOCK = 0x686F746C6F67  # "hotlog": the advisory lock id every append takes on PostgreSQL
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_ENTRIES_PAGE = 1000
"""The most leaves :func:`entries` returns at once."""


@dataclass(frozen=True)
class LoggedEvent:
    """A leaf as served: its index, bytes, hash and the event they hold."""

    index: int
    data: bytes
    leaf_hash: bytes
    event: LogEvent


def record(
    session: Session,
    kind: LogEventKind | str,
    *,
    at: datetime | None = None,
    **fields: str | int | bool | None,
) -> int:
    """Append one event (canonical JSON leaf) in the caller's transaction; its leaf index.

    ``fields`` must be allowed for ``kind`` (see :data:`hotlist.publish.log.events.ALLOWED_FIELDS`)
    and ``None`` values are left out; anything else raises InvalidLogEvent, so no plaintext URL or
    free text can reach the log.
    """
    return record_many(session, [(kind, at, fields)])[0]


PendingEvent = tuple[LogEventKind | str, datetime | None, Mapping[str, FieldValue | None]]
"""An event to append: its kind, its time (None: now) and its fields."""


def record_many(session: Session, events: Sequence[PendingEvent]) -> list[int]:
    """Append ``events`` in order, as :func:`record` does each, in one statement; their indexes.

    Every event is checked before anything is appended, so a bad one appends none.
    """
    now = utcnow()
    leaves = [make_event(kind, now if at is None else at, fields) for kind, at, fields in events]
    if not leaves:
        return []
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": _APPEND_LOCK})
    first = size(session)
    rows = []
    for offset, event in enumerate(leaves):
        data = event.encode()
        rows.append(
            {
                "leaf_index": first + offset,
                "kind": event.kind.value,
                "data": data,
                "leaf_hash": leaf_hash(data),
                "created_at": now,
            }
        )
    session.execute(
        insert(LogLeaf.metadata.tables[LogLeaf.__tablename__]), rows
    )  # Core: one executemany
    return list(range(first, first + len(rows)))


def size(session: Session) -> int:
    """How many leaves the log holds."""
    last = session.scalar(select(func.max(LogLeaf.leaf_index)))
    return 0 if last is None else last + 1


def _check_size(session: Session, tree_size: int | None) -> int:
    current = size(session)
    if tree_size is None:
        return current
    if not 0 <= tree_size <= current:
        raise NotFound(
            f"the log has {plural(current, 'leaf', 'leaves')}; there is no tree of size {tree_size}"
        )
    return tree_size


def leaf_hashes(session: Session, tree_size: int | None = None) -> Sequence[bytes]:
    """The leaf hashes of the first ``tree_size`` leaves (all when None), in order."""
    count = _check_size(session, tree_size)
    query = select(LogLeaf.leaf_hash).order_by(LogLeaf.leaf_index).limit(count)
    return list(session.scalars(query))


def tree_head(session: Session, tree_size: int | None = None) -> TreeHead:
    """The (unsigned) head of the tree of ``tree_size`` leaves; the whole log when None.

    Its time is when the newest leaf was appended (the epoch for the empty tree), so the head
    of one tree is always the same bytes: re-signing it (Ed25519 is deterministic) gives the
    same file, and an unchanged log does not make a new list version.
    """
    count = _check_size(session, tree_size)
    stamp = EPOCH
    if count:
        query = select(LogLeaf.created_at).where(LogLeaf.leaf_index == count - 1)
        stamp = session.scalar(query) or EPOCH
    root = tree_root(DatabaseLeaves(session), count)
    return TreeHead(size=count, root_hash=root, timestamp=stamp)


def inclusion_proof(session: Session, leaf_index: int, tree_size: int) -> list[bytes]:
    """The audit path of leaf ``leaf_index`` in the tree of ``tree_size`` leaves."""
    return prove_inclusion(session, leaf_index, tree_size).proof


def consistency_proof(session: Session, first: int, second: int) -> list[bytes]:
    """The proof that the tree of ``first`` leaves is a prefix of the tree of ``second``."""
    return prove_consistency(session, first, second).proof


@dataclass(frozen=True)
class InclusionProof:
    """A leaf's audit path in a tree, with the leaf hash and root it links."""

    leaf_hash: bytes
    root_hash: bytes
    proof: list[bytes]


@dataclass(frozen=True)
class ConsistencyProof:
    """The proof between two tree sizes, with both roots."""

    first_root_hash: bytes
    second_root_hash: bytes
    proof: list[bytes]


def prove_inclusion(session: Session, leaf_index: int, tree_size: int) -> InclusionProof:
    """Leaf ``leaf_index``'s hash, the root of ``tree_size`` leaves and the path between them."""
    count = _check_size(session, tree_size)
    if not 0 <= leaf_index < count:
        raise NotFound(f"no leaf {leaf_index} in a tree of size {count}")
    source = DatabaseLeaves(session)
    return InclusionProof(
        leaf_hash=source.leaves(leaf_index, leaf_index + 1)[0],
        root_hash=tree_root(source, count),
        proof=tree_inclusion_proof(source, count, leaf_index),
    )


def prove_consistency(session: Session, first: int, second: int) -> ConsistencyProof:
    """Both roots and the proof that the tree of ``first`` leaves is a prefix of ``second``'s."""
    count = _check_size(session, second)
    if not 0 <= first <= count:
        raise NotFound(f"no consistency proof from size {first} to the smaller size {count}")
    source = DatabaseLeaves(session)
    return ConsistencyProof(
        first_root_hash=tree_root(source, first),
        second_root_hash=tree_root(source, count),
        proof=tree_consistency_proof(source, count, first),
    )


def entries(session: Session, start: int = 0, end: int | None = None) -> list[LoggedEvent]:
    """Leaves ``start`` to ``end`` (exclusive; at most :data:`MAX_ENTRIES_PAGE`), decoded."""
    stop = start + MAX_ENTRIES_PAGE if end is None else min(end, start + MAX_ENTRIES_PAGE)
    query = (
        select(LogLeaf)
        .where(LogLeaf.leaf_index >= start, LogLeaf.leaf_index < stop)
        .order_by(LogLeaf.leaf_index)
    )
    return [_logged(row) for row in session.scalars(query)]


def _logged(row: LogLeaf) -> LoggedEvent:
    """The stored leaf, checked: its hash is of its bytes, and they hold a valid event.

    A leaf that fails is named, with how to read around it: the log is never served wrong.
    """
    try:
        if leaf_hash(row.data) != row.leaf_hash:
            raise VerificationError("its stored hash is not the hash of its bytes")
        event = decode_event(row.data)
    except VerificationError as exc:
        index = row.leaf_index
        raise VerificationError(
            f"log leaf {index} is corrupt in the server's database ({exc.message}); the "
            f"hotline's operators must restore it from a backup. Leaves before it are served "
            f"with end={index}, those after it with start={index + 1}"
        ) from exc
    return LoggedEvent(index=row.leaf_index, data=row.data, leaf_hash=row.leaf_hash, event=event)


def events_of_kind(session: Session, kind: LogEventKind) -> list[LoggedEvent]:
    """Every leaf of ``kind``, in order (for tests, figures and audits)."""
    query = select(LogLeaf).where(LogLeaf.kind == kind.value).order_by(LogLeaf.leaf_index)
    return [_logged(row) for row in session.scalars(query)]


__all__ = [
    "ConsistencyProof",
    "FieldValue",
    "InclusionProof",
    "LogEventKind",
    "LoggedEvent",
    "consistency_proof",
    "entries",
    "events_of_kind",
    "inclusion_proof",
    "leaf_hashes",
    "prove_consistency",
    "prove_inclusion",
    "record",
    "record_many",
    "size",
    "tree_head",
]
