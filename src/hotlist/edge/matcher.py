"""The member's matcher: is this URL on the list in force, and under which entry?

A :class:`Matcher` holds one immutable :class:`ListIndex` built from a verified snapshot. A check
reads the index attribute once and uses only that object, so :meth:`Matcher.swap` (build the new
index fully, then rebind one attribute) never drops, blocks or half-answers a concurrent check:
each check answers from the old version or the new one.

A check works in two stages. The first hashes the URL's host suffixes (at most five) and asks a
Bloom filter over the entries' hosts; most requests go to hosts with no entry and stop there,
without building or hashing a single path expression. Only the host suffixes that pass build their
path expressions, whose hashes are looked up in the snapshot's sorted hash buffer. When several
entries cover a URL the most specific one answers: the longest host suffix first, then the longest
path.

Invalid URLs: :meth:`Matcher.check` returns a verdict that is not blocked and carries the error
message (a proxy must keep serving); :meth:`Matcher.check_strict` raises
:class:`~hotlist.errors.InvalidURL` instead.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING

from hotlist.edge.index import HashIndex, HostFilter
from hotlist.edge.verdict import Verdict
from hotlist.errors import InvalidURL, NotFound, VerificationError
from hotlist.urls import CanonicalURL, canonical_parts, host_suffixes, path_prefixes

if TYPE_CHECKING:
    from hotlist.publish.format import Snapshot

_DISPUTED = 0x01

__all__ = ["ListIndex", "Matcher", "Verdict"]


class ListIndex:
    """An immutable lookup structure over one snapshot; no per-entry Python objects.

    Memory per entry: the snapshot's hash buffer (32 B), category (2 B), entry id (8 B) and flags
    (1 B), which it shares, plus a 4-byte prefix column and the host filter (about 2 B per
    distinct host). The snapshot's host keys are read once and not kept.
    """

    __slots__ = (
        "_categories",
        "_entry_ids",
        "_flags",
        "_hashes",
        "_hosts",
        "host_stage",
        "list_name",
        "miss",
        "version",
    )

    def __init__(self, snapshot: Snapshot, *, host_stage: bool = True) -> None:
        self.list_name = snapshot.list_name
        self.version = snapshot.version
        self.host_stage = host_stage
        self._hashes = HashIndex(snapshot.hashes)
        self._hosts = HostFilter(snapshot.host_keys if host_stage else b"")
        self._categories = snapshot.categories
        self._entry_ids = snapshot.entry_ids
        self._flags = snapshot.flags
        # Most answers are this one; sharing it saves building a verdict per URL.
        self.miss = Verdict(False, None, None, False, self.version)

    @property
    def count(self) -> int:
        """How many entries the list holds."""
        return self._hashes.count

    def nbytes(self) -> int:
        """Bytes of memory held for the list: the shared columns and the index's own tables."""
        count = self._hashes.count
        columns = count * 32 + len(self._flags)
        columns += self._categories.itemsize * len(self._categories)
        columns += self._entry_ids.itemsize * len(self._entry_ids)
        return columns + self._hashes.nbytes() + self._hosts.nbytes()

    def lookup(self, parts: CanonicalURL) -> Verdict:
        """The verdict for a canonical URL."""
        if not self.host_stage:
            return self._lookup_hosts(parts, host_suffixes(parts.host))
        may_contain = self._hosts.may_contain
        hosts = [
            host
            for host in host_suffixes(parts.host)
            if may_contain(sha256((host + "/").encode()).digest())
        ]
        if not hosts:
            return self.miss
        return self._lookup_hosts(parts, hosts)

    def _lookup_hosts(self, parts: CanonicalURL, hosts: Iterable[str]) -> Verdict:
        """Look up every expression made of one of ``hosts`` and one of the URL's paths."""
        find = self._hashes.find
        # Every path is a prefix of the exact one, so the longest is the most specific.
        paths = sorted(path_prefixes(parts), key=len, reverse=True)
        for host in hosts:
            for path in paths:
                position = find(sha256((host + path).encode()).digest())
                if position >= 0:
                    return self._verdict(position)
        return self.miss

    def _verdict(self, position: int) -> Verdict:
        return Verdict(
            True,
            self._categories[position],
            self._entry_ids[position],
            bool(self._flags[position] & _DISPUTED),
            self.version,
        )


class Matcher:
    """Checks URLs against the list in force; swaps in a new version without a pause.

    Build one from a verified snapshot, or with :meth:`from_store` from an edge store, which also
    lets :meth:`reload_if_changed` pick up what ``hotlist edge sync`` writes. ``host_stage=False``
    skips the first stage (every expression is hashed); it exists to measure that stage.
    """

    def __init__(self, snapshot: Snapshot, *, host_stage: bool = True) -> None:
        self._host_stage = host_stage
        self._index = ListIndex(snapshot, host_stage=host_stage)
        self._store_dir: Path | None = None
        self._current_path: Path | None = None
        self._seen: tuple[int, int, int] | None = None
        self._reload_lock = threading.Lock()

    @classmethod
    def from_store(cls, store_dir: str | os.PathLike[str], *, host_stage: bool = True) -> Matcher:
        """A matcher over the verified list in an edge store (``hotlist edge init`` made it).

        Raises NotFound when the store holds no list yet, and the store's own errors
        (VerificationError, StorageError, ConfigError) when it cannot be read or trusted.
        """
        from hotlist.edge.store import Store

        store = Store(Path(store_dir))
        signature = _file_signature(store.current_path)
        snapshot = store.load_current()
        if snapshot is None:
            raise NotFound(
                f"the edge store {store_dir} holds no list yet: run `hotlist edge sync` first"
            )
        matcher = cls(snapshot, host_stage=host_stage)
        matcher._store_dir = Path(store_dir)
        matcher._current_path = store.current_path
        matcher._seen = signature
        return matcher

    @property
    def list_name(self) -> str:
        """The name of the list in force."""
        return self._index.list_name

    @property
    def version(self) -> int:
        """The version of the list in force."""
        return self._index.version

    @property
    def count(self) -> int:
        """How many entries the list in force holds."""
        return self._index.count

    def nbytes(self) -> int:
        """Bytes of memory held for the list in force (columns and index tables)."""
        return self._index.nbytes()

    def check(self, url: str) -> Verdict:
        """The verdict for ``url``; an invalid URL gets a not-blocked verdict with ``error`` set."""
        index = self._index
        try:
            parts = canonical_parts(url)
        except InvalidURL as exc:
            return Verdict(False, None, None, False, index.version, error=exc.message)
        return index.lookup(parts)

    def check_strict(self, url: str) -> Verdict:
        """The verdict for ``url``; raises InvalidURL when it cannot be canonicalized."""
        index = self._index
        return index.lookup(canonical_parts(url))

    def check_many(self, urls: Iterable[str]) -> list[Verdict]:
        """Verdicts for many URLs, all from the same list version (like :meth:`check`)."""
        index = self._index
        lookup = index.lookup
        version = index.version
        verdicts: list[Verdict] = []
        append = verdicts.append
        for url in urls:
            try:
                parts = canonical_parts(url)
            except InvalidURL as exc:
                append(Verdict(False, None, None, False, version, error=exc.message))
                continue
            append(lookup(parts))
        return verdicts

    def swap(self, snapshot: Snapshot) -> None:
        """Put ``snapshot`` in force: build its index fully, then replace the old one at once.

        Raises VerificationError, keeping the list in force, for another list's snapshot or an
        older version (an edge never goes back).
        """
        current = self._index
        if snapshot.list_name != current.list_name:
            raise VerificationError(
                f"snapshot of list {snapshot.list_name!r} cannot replace list "
                f"{current.list_name!r}; the list in force stays"
            )
        if snapshot.version < current.version:
            raise VerificationError(
                f"snapshot version {snapshot.version} is older than version {current.version} "
                "in force; refusing to roll back"
            )
        self._index = ListIndex(snapshot, host_stage=self._host_stage)

    def reload_if_changed(self) -> bool:
        """Swap in the store's current list if its file changed since the last load.

        Costs one ``stat`` when nothing changed. Returns True when a new version went into
        force. A file that fails verification raises its error once; the list in force stays,
        and the same file is not retried until it changes again. A matcher not made with
        :meth:`from_store` has no store and returns False.
        """
        if self._store_dir is None or self._current_path is None:
            return False
        signature = _file_signature(self._current_path)
        if signature == self._seen:
            return False
        with self._reload_lock:
            if signature == self._seen:
                return False
            from hotlist.edge.store import Store

            self._seen = signature
            snapshot = Store(self._store_dir).load_current()
            if snapshot is None:
                return False
            self.swap(snapshot)
            return True


def _file_signature(path: Path) -> tuple[int, int, int] | None:
    """What changes when a file is replaced (atomic rename) or rewritten; None when absent."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)
