"""The log's Merkle tree read from the database, with the hashes of complete subtrees kept.

A complete subtree (:data:`~hotlist.publish.log.merkle.CHUNK` leaves or more, a power of two,
aligned) never changes in an append-only log, so each process keeps their hashes per database:
a root or a proof then reads O(log n) kept hashes and at most a few chunks of leaf hashes,
instead of every leaf. The cache is checked on each use against the database: it is dropped
when the log is smaller than what it covers, or when the first or the newest leaf it covers has
another hash (a rolled-back append, a database restored, emptied and filled again), so it can
never outlive the leaves. Both ends are checked because leaves carry their time: a log refilled
after the kept one, with the same events, differs in the first leaf unless every covered leaf
of both logs was appended in the same second, and then they are the same bytes.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotlist.errors import StorageError
from hotlist.publish.log.merkle import CHUNK
from hotlist.server.log.models import LogLeaf


class _Kept:
    """Subtree hashes of one database, and the first and newest leaves that vouch for them."""

    def __init__(self) -> None:
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.covered = 0
        self.first: bytes | None = None
        self.probe: bytes | None = None
        self.lock = threading.Lock()

    def drop(self) -> None:
        self.nodes.clear()
        self.covered = 0
        self.first = self.probe = None


_KEPT: dict[str, _Kept] = {}
_KEPT_LOCK = threading.Lock()


def _kept_for(session: Session) -> _Kept:
    key = session.get_bind().engine.url.render_as_string(hide_password=True)
    with _KEPT_LOCK:
        return _KEPT.setdefault(key, _Kept())


class DatabaseLeaves:
    """A :class:`~hotlist.publish.log.merkle.LeafSource` over the ``log_leaves`` table."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._kept = _kept_for(session)
        self._chunk_ends: dict[int, bytes] = {}
        with self._kept.lock:
            kept = self._kept
            # A log now smaller than what is kept has no such leaf: None, never the probe.
            if kept.covered and self._ends(kept.covered - 1) != (kept.first, kept.probe):
                kept.drop()

    def _ends(self, last: int) -> tuple[bytes | None, bytes | None]:
        query = select(LogLeaf.leaf_index, LogLeaf.leaf_hash).where(
            LogLeaf.leaf_index.in_({0, last})
        )
        found: dict[int, bytes] = dict(self._session.execute(query).all())
        return found.get(0), found.get(last)

    def _leaf(self, index: int) -> bytes | None:
        query = select(LogLeaf.leaf_hash).where(LogLeaf.leaf_index == index)
        return self._session.scalar(query)

    def leaves(self, start: int, end: int) -> Sequence[bytes]:
        query = (
            select(LogLeaf.leaf_hash)
            .where(LogLeaf.leaf_index >= start, LogLeaf.leaf_index < end)
            .order_by(LogLeaf.leaf_index)
        )
        found = list(self._session.scalars(query))
        if len(found) != end - start:
            raise StorageError(f"the log lacks leaves between {start} and {end}: it has a gap")
        # The last leaf of each chunk read: what remember() needs to vouch for a subtree.
        first_end = start + (-start - 1) % CHUNK
        for index in range(first_end, end, CHUNK):
            self._chunk_ends[index] = found[index - start]
        return found

    def subtree(self, start: int, size: int) -> bytes | None:
        return self._kept.nodes.get((start, size))

    def remember(self, start: int, size: int, value: bytes) -> None:
        end = start + size
        with self._kept.lock:
            if end > self._kept.covered:
                probe = self._chunk_ends.get(end - 1) or self._leaf(end - 1)
                first = self._kept.first or self._leaf(0)
                if probe is None or first is None:
                    return
                self._kept.covered, self._kept.first, self._kept.probe = end, first, probe
            self._kept.nodes[(start, size)] = value
