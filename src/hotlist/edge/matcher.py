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
path. With ``suspend_disputed`` (the member's edge setting), an entry flagged disputed does not
block, and the next entry covering the URL, if any, answers instead.

Both stages run in the compiled core (:class:`CoreListIndex`, over the snapshot's columns without
a copy); :class:`ListIndex` is the same algorithm in Python, kept as the tests' reference
(``engine="python"``).

URLs are text, or bytes as a proxy reads them (see :func:`hotlist.urls.canonical_parts`).
Invalid URLs: :meth:`Matcher.check` returns a verdict that is not blocked and carries the error
message (a proxy must keep serving); :meth:`Matcher.check_strict` raises
:class:`~hotlist.errors.InvalidURL` instead.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from hotlist import _core
from hotlist.edge.cache import BoundedCache
from hotlist.edge.index import HostFilter
from hotlist.edge.verdict import Verdict
from hotlist.errors import InvalidURL, NotFound, VerificationError
from hotlist.publish.wire import FLAG_DISPUTED, HASH_SIZE, HOST_KEY_SIZE
from hotlist.urls import (
    CanonicalURL,
    expression_hash,
    host_suffixes,
    path_prefixes,
    plain_authority,
)
from hotlist.urls import authority_host as core_authority_host
from hotlist.urls import canonical_parts as core_canonical_parts
from hotlist.urls.authority import authority_host as reference_authority_host
from hotlist.urls.canonical import canonical_parts as reference_canonical_parts
from hotlist.urls.core import url_error

if TYPE_CHECKING:
    from hotlist.edge.store import Store
    from hotlist.publish.format import Column, Snapshot

__all__ = ["CoreListIndex", "Engine", "ListIndex", "Matcher", "Verdict"]

# The core reads the list's columns with its own copy of the wire's sizes and flags.
if (_core.HASH_SIZE, _core.HOST_KEY_SIZE, _core.FLAG_DISPUTED) != (
    HASH_SIZE,
    HOST_KEY_SIZE,
    FLAG_DISPUTED,
):  # pragma: no cover - a core built from other sources
    raise ImportError("hotlist._core was built with other list sizes or flags: rebuild it")

Engine = Literal["core", "python"]
"""Which implementation answers: the compiled core (the default) or the Python reference."""


# A cache answer no host can have (compared by identity); get() with it is one atomic call.
_UNSEEN: list[str] = []

DEFAULT_HOST_CACHE = 1 << 15
"""How many canonical hosts' first-stage answers an index remembers (0: none)."""


class ListIndex:
    """The lookup structure over one snapshot, never changed once built (its host cache aside).

    This is the Python reference (``engine="python"``): canonicalization with
    :mod:`hotlist.urls.canonical` and both stages in Python. No Python object per entry.
    Memory per entry: the snapshot's hash buffer (32 B), category (2 B), entry id (8 B) and
    flags (1 B), which it shares, plus a 4-byte prefix column and the host filter (2 to 4 B).
    The snapshot's host keys are read once and not kept. Traffic repeats hosts, so the first
    stage's answer for each canonical host is remembered (at most ``host_cache`` hosts, a few
    megabytes at the default, whatever the list's size).
    """

    __slots__ = (
        "_cache",
        "_categories",
        "_clear",
        "_entry_ids",
        "_flags",
        "_hashes",
        "_hosts",
        "host_stage",
        "list_name",
        "miss",
        "suspend_disputed",
        "version",
    )

    canonical_parts = staticmethod(reference_canonical_parts)
    """How this index canonicalizes: the Python reference here, the core in CoreListIndex."""
    authority_host = staticmethod(reference_authority_host)
    """The canonical host of a plain authority, by the same implementation."""

    def __init__(
        self,
        snapshot: Snapshot,
        *,
        host_stage: bool = True,
        host_cache: int = DEFAULT_HOST_CACHE,
        suspend_disputed: bool = False,
        host_filter: Column | None = None,
    ) -> None:
        self.list_name = snapshot.list_name
        self.suspend_disputed = suspend_disputed
        self.version = snapshot.version
        self.host_stage = host_stage
        self._categories = snapshot.categories
        self._entry_ids = snapshot.entry_ids
        self._flags = snapshot.flags
        self._cache: BoundedCache[str, list[str] | None] = BoundedCache(
            host_cache if host_stage else 0
        )
        # Plain authority -> True when none of its hosts can have an entry (see below).
        self._clear: BoundedCache[str, bool] = BoundedCache(host_cache if host_stage else 0)
        # Most answers are this one; sharing it saves building a verdict per URL.
        self.miss = Verdict(False, None, None, False, self.version)
        self._build_stages(snapshot, host_filter)

    def _build_stages(self, snapshot: Snapshot, host_filter: Column | None) -> None:
        """The two stages' structures: the host filter and the search over the hash column.
        The reference builds its own filter; ``host_filter`` is for the core."""
        self._hashes = snapshot.hash_index
        self._hosts = HostFilter(snapshot.host_keys if self.host_stage else b"")

    @property
    def count(self) -> int:
        """How many entries the list holds."""
        return len(self._entry_ids)

    def nbytes(self) -> int:
        """Bytes of memory held for the list: the shared columns and the stages' own tables."""
        columns = self.count * HASH_SIZE + len(self._flags)
        columns += self._categories.itemsize * len(self._categories)
        columns += self._entry_ids.itemsize * len(self._entry_ids)
        return columns + self._stages_nbytes()

    def _stages_nbytes(self) -> int:
        return self._hashes.nbytes() + self._hosts.nbytes()

    def lookup(self, parts: CanonicalURL) -> Verdict:
        """The verdict for a canonical URL."""
        hosts = self.candidate_hosts(parts.host)
        if hosts is None:
            return self.miss
        return self._lookup_hosts(parts, hosts)

    def candidate_hosts(self, host: str) -> list[str] | None:
        """The host suffixes of ``host`` that may have an entry, most specific first; or None."""
        if not self.host_stage:
            return host_suffixes(host)
        hosts = self._cache.get(host, _UNSEEN)
        if hosts is not _UNSEEN:
            return hosts
        hosts = self._passing(host)
        self._cache.put(host, hosts)
        return hosts

    def _passing(self, host: str) -> list[str] | None:
        return self._hosts.passing(host_suffixes(host))

    def authority_is_clear(self, authority: str) -> bool:
        """True when no host of the plain ``authority`` can have an entry (remembered).

        The first stage read off the authority alone (:func:`hotlist.urls.plain_authority`):
        most URLs are answered here without canonicalizing their path.
        """
        known = self._clear.get(authority)
        if known is not None:
            return known
        try:
            known = self.candidate_hosts(self.authority_host(authority)) is None
        except InvalidURL:
            known = False  # the full check says why
        self._clear.put(authority, known)
        return known

    def check(self, url: str | bytes) -> Verdict:
        """The verdict for ``url``; an invalid URL gets a not-blocked verdict with the reason."""
        return self.check_many((url,))[0]

    def check_many(self, urls: Iterable[str | bytes]) -> list[Verdict]:
        """Verdicts for many URLs, as :meth:`lookup` gives them, with fewer calls per URL."""
        candidate_hosts = self.candidate_hosts
        cached_hosts = self._cache.get
        lookup_hosts = self._lookup_hosts
        miss = self.miss
        shortcut = self.host_stage
        cleared = self._clear.get
        authority_is_clear = self.authority_is_clear
        verdicts: list[Verdict] = []
        append = verdicts.append
        for url in urls:
            if shortcut and type(url) is str:
                authority = plain_authority(url)
                if authority is not None and (cleared(authority) or authority_is_clear(authority)):
                    append(miss)
                    continue
            try:
                parts = reference_canonical_parts(url)
            except InvalidURL as exc:
                append(self.invalid(exc))
                continue
            host = parts.host
            hosts = cached_hosts(host, _UNSEEN)
            if hosts is _UNSEEN:
                hosts = candidate_hosts(host)
            append(miss if hosts is None else lookup_hosts(parts, hosts))
        return verdicts

    def check_sparse(self, urls: Iterable[str | bytes]) -> list[tuple[int, Verdict]]:
        """``(index, verdict)`` for the URLs whose verdict is not :attr:`miss`, in order."""
        miss = self.miss
        return [
            (index, verdict)
            for index, verdict in enumerate(self.check_many(urls))
            if verdict is not miss
        ]

    def invalid(self, error: InvalidURL) -> Verdict:
        """The verdict for a URL that could not be canonicalized: not blocked, with the reason."""
        return Verdict(False, None, None, False, self.version, error=error.message)

    def _lookup_hosts(self, parts: CanonicalURL, hosts: list[str]) -> Verdict:
        """Look up every expression made of one of ``hosts`` and one of the URL's paths."""
        find = self._hashes.find
        # Every path is a prefix of the exact one, so the longest is the most specific.
        paths = sorted(path_prefixes(parts), key=len, reverse=True)
        for host in hosts:
            for path in paths:
                position = find(expression_hash(host + path))
                if position >= 0:
                    if self.suspend_disputed and self._flags[position] & FLAG_DISPUTED:
                        continue
                    return self._verdict(position)
        return self.miss

    def _verdict(self, position: int) -> Verdict:
        return Verdict(
            True,
            self._categories[position],
            self._entry_ids[position],
            bool(self._flags[position] & FLAG_DISPUTED),
            self.version,
        )


class CoreListIndex(ListIndex):
    """The lookup structure over one snapshot in the compiled core: the same answers as
    :class:`ListIndex` (its reference), a batch in one call.

    The core reads the snapshot's hash and flags columns in place (no copy: from a store they
    are views of the mapped list file, shared by every process that maps it) and builds the
    host filter's table from the host keys (2 to 4 B per entry, the process's own); the category
    and entry id columns stay in Python for the verdicts of hits. No prefix column, no Python
    filter.
    """

    __slots__ = ("_core",)

    canonical_parts = staticmethod(core_canonical_parts)
    authority_host = staticmethod(core_authority_host)

    def _build_stages(self, snapshot: Snapshot, host_filter: Column | None) -> None:
        self._core = _core.Index(
            snapshot.hashes,
            snapshot.flags,
            snapshot.host_keys if self.host_stage else None,
            self.suspend_disputed,
            host_filter,
        )

    @property
    def filter_shared(self) -> bool:
        """Whether the host filter's table is the store's mapped one (not this process's)."""
        return self._core.filter_shared

    def _stages_nbytes(self) -> int:
        return self._core.nbytes()

    def lookup(self, parts: CanonicalURL) -> Verdict:
        """The verdict for a canonical URL."""
        position = self._core.lookup_parts(parts.host, parts.path, parts.query)
        return self.miss if position is None else self._verdict(position)

    def _passing(self, host: str) -> list[str] | None:
        return self._core.candidate_hosts(host)

    def check_many(self, urls: Iterable[str | bytes]) -> list[Verdict]:
        """Verdicts for many URLs, as :meth:`lookup` gives them, in one call into the core."""
        return self._core.check_many(urls, self.miss, self._verdict, self._invalid)

    def check_sparse(self, urls: Iterable[str | bytes]) -> list[tuple[int, Verdict]]:
        """The same as the reference's, with no object made for a miss."""
        return self._core.check_sparse(urls, self._verdict, self._invalid)

    def _invalid(self, code: int, detail: object) -> Verdict:
        return self.invalid(url_error(code, detail))

    def answer_squid_lines(
        self, lines: Sequence[str], redirect: Callable[[Verdict], str], empty: str, no_url: str
    ) -> list[str | None]:
        """Squid's answers to request lines in one core call (see Matcher.answer_squid_lines)."""
        verdict = self._verdict
        return self._core.answer_squid_lines(
            lines, lambda position: redirect(verdict(position)), empty, no_url
        )

    def answer_squid_block(
        self, lines: Sequence[str], redirect: Callable[[Verdict], str], empty: str, no_url: str
    ) -> bytes | None:
        """The same answers as the bytes to write (see Matcher.answer_squid_block)."""
        verdict = self._verdict
        return self._core.answer_squid_block(
            lines, lambda position: redirect(verdict(position)), empty, no_url
        )

    def answer_squid_data(
        self, data: bytes | memoryview, redirect: Callable[[Verdict], str], empty: str, no_url: str
    ) -> bytes | None:
        """The same answers for the lines of a buffer (see Matcher.answer_squid_data)."""
        verdict = self._verdict
        return self._core.answer_squid_data(
            data, lambda position: redirect(verdict(position)), empty, no_url
        )


class Matcher:
    """Checks URLs against the list in force; swaps in a new version without a pause.

    Build one from a verified snapshot, or with :meth:`from_store` from an edge store, which also
    lets :meth:`reload_if_changed` pick up what ``hotlist edge sync`` writes. ``host_cache`` is how
    many hosts' first-stage answers to remember (0: none). ``host_stage=False``
    skips the first stage (every expression is hashed); it exists to measure that stage.
    ``suspend_disputed``: disputed entries do not block (the store's setting, with
    :meth:`from_store`). ``engine`` is the compiled core (default) or the Python reference.
    ``host_filter``: a host filter table for the snapshot that the core reads in place when it
    covers every host key (an edge store's mapped ``current.filter``: :meth:`from_store` passes
    it), so the processes of one machine share it; otherwise each builds its own.
    """

    def __init__(
        self,
        snapshot: Snapshot,
        *,
        host_stage: bool = True,
        host_cache: int = DEFAULT_HOST_CACHE,
        suspend_disputed: bool = False,
        engine: Engine = "core",
        host_filter: Column | None = None,
    ) -> None:
        if engine not in ("core", "python"):
            raise ValueError(f"unknown matcher engine {engine!r}: use core or python")
        self._engine = engine
        self._host_stage = host_stage
        self._host_cache = host_cache
        self._suspend_disputed = suspend_disputed
        self._index = self._build(snapshot, host_filter)
        self._store: Store | None = None
        self._current_path: Path | None = None
        self._seen: tuple[int, int, int] | None = None
        self._unverified: Snapshot | None = None  # in force, its checksum not verified yet
        self._reload_lock = threading.Lock()

    @classmethod
    def from_store(
        cls,
        store_dir: str | os.PathLike[str],
        *,
        host_stage: bool = True,
        host_cache: int = DEFAULT_HOST_CACHE,
        suspend_disputed: bool | None = None,
        engine: Engine = "core",
        checksum: bool = True,
    ) -> Matcher:
        """A matcher over the verified list in an edge store (``hotlist edge init`` made it).

        ``suspend_disputed`` defaults to the store's configured setting. ``checksum=False``:
        the list's file is checked for structure but its checksum is left to
        :meth:`verify_checksum` (see :meth:`Store.load_current`), for the Squid helper's
        start-up.

        Raises ConfigError when ``store_dir`` is no edge store, NotFound when it holds no list
        yet, and the store's own errors (VerificationError, StorageError) when the list cannot
        be read or trusted.
        """
        from hotlist.edge.store import Store

        store = Store(Path(store_dir))
        config = store.config()  # a directory that is no store says how to make one
        if suspend_disputed is None:
            suspend_disputed = config.suspend_disputed
        signature = _file_signature(store.current_path)
        snapshot = store.load_current(checksum=checksum)
        if snapshot is None:
            raise NotFound(
                f"the edge store {store_dir} holds no list yet: run `hotlist edge sync` first"
            )
        matcher = cls(
            snapshot,
            host_stage=host_stage,
            host_cache=host_cache,
            suspend_disputed=suspend_disputed,
            engine=engine,
            host_filter=store.host_filter(),
        )
        matcher._store = store
        matcher._current_path = store.current_path
        matcher._seen = signature
        matcher._unverified = None if checksum else snapshot
        return matcher

    def verify_checksum(self) -> bool:
        """Verify the checksum of the list :meth:`from_store` put in force with
        ``checksum=False``, if that list is still in force: True when it was checked now and
        matched, False when nothing was left to check (it was verified, or a newer list,
        verified, replaced it). Raises VerificationError, each time it is asked while the file
        is corrupt; the list stays in this matcher, and the caller takes it out of force (as
        :class:`~hotlist.edge.in_force.ListInForce` does).

        The SHA-256 runs in the compiled core with the GIL released: checks go on meanwhile.
        """
        with self._reload_lock:
            unverified = self._unverified
            if unverified is None or self._store is None:
                return False
            checked = self._store.verify_checksum(unverified)
            self._unverified = None
            return checked

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

    @property
    def miss(self) -> Verdict:
        """The verdict of the list in force that every URL it does not block shares (one
        object: a caller may tell it apart by identity)."""
        return self._index.miss

    def check(self, url: str | bytes) -> Verdict:
        """The verdict for ``url``; an invalid URL gets a not-blocked verdict with ``error`` set."""
        return self._index.check(url)

    def candidate_hosts(self, host: str) -> list[str] | None:
        """The first stage: the canonical ``host``'s suffixes that may have an entry, or None."""
        return self._index.candidate_hosts(host)

    def authority_is_clear(self, authority: str) -> bool:
        """True when no host of a plain authority (``plain_authority``) can have an entry."""
        return self._index.authority_is_clear(authority)

    def check_strict(self, url: str | bytes) -> Verdict:
        """The verdict for ``url``; raises InvalidURL when it cannot be canonicalized."""
        index = self._index
        return index.lookup(index.canonical_parts(url))

    def check_parts(self, parts: CanonicalURL) -> Verdict:
        """The verdict for a URL already canonicalized with :func:`hotlist.urls.canonical_parts`."""
        return self._index.lookup(parts)

    def check_many(self, urls: Iterable[str | bytes]) -> list[Verdict]:
        """Verdicts for many URLs, all from the same list version (like :meth:`check`)."""
        return self._index.check_many(urls)

    def check_sparse(self, urls: Iterable[str | bytes]) -> tuple[int, list[tuple[int, Verdict]]]:
        """The list version and ``(index, verdict)`` for the URLs whose verdict is not
        :attr:`miss` (blocked, invalid, or listed but not blocking), in order: for large batches
        of mostly clear URLs. All from one version, the one returned."""
        index = self._index
        return index.version, index.check_sparse(urls)

    def answer_squid_lines(
        self, lines: Sequence[str], redirect: Callable[[Verdict], str], empty: str, no_url: str
    ) -> list[str | None] | None:
        """Squid's answers to request lines, all in one core call; None with the Python engine.

        For :class:`hotlist.edge.squid.SquidResponder`: each answer is ``ERR``, ``redirect`` of a
        blocking verdict, ``empty`` or ``no_url``, after the line's channel ID; None for a line
        whose answer needs a message (an invalid URL), which the caller gives.
        """
        index = self._index
        if not isinstance(index, CoreListIndex):
            return None
        return index.answer_squid_lines(lines, redirect, empty, no_url)

    def answer_squid_block(
        self, lines: Sequence[str], redirect: Callable[[Verdict], str], empty: str, no_url: str
    ) -> bytes | None:
        """The answers of :meth:`answer_squid_lines` as the bytes a helper writes: each answer
        and a newline, in ASCII. None with the Python engine, or when a line's answer needs the
        caller (then :meth:`answer_squid_lines` says which).
        """
        index = self._index
        if not isinstance(index, CoreListIndex):
            return None
        return index.answer_squid_block(lines, redirect, empty, no_url)

    def answer_squid_data(
        self, data: bytes | memoryview, redirect: Callable[[Verdict], str], empty: str, no_url: str
    ) -> bytes | None:
        """The answers of :meth:`answer_squid_block` for the request lines in ``data``, a
        read-only buffer (``bytes``, or a read-only ``memoryview``) of lines as Squid wrote
        them, separated by newlines: the lines of
        ``bytes(data).decode("utf-8", "surrogateescape").split("\\n")``, read in place with no
        object per line. None with the Python engine, or when a line's answer needs the caller.
        """
        index = self._index
        if not isinstance(index, CoreListIndex):
            return None
        return index.answer_squid_data(data, redirect, empty, no_url)

    def swap(self, snapshot: Snapshot, host_filter: Column | None = None) -> None:
        """Put ``snapshot`` in force: build its index fully, then replace the old one at once.
        ``host_filter``: the store's table for it (:meth:`Store.host_filter`), if any.

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
        self._index = self._build(snapshot, host_filter)
        self._unverified = None  # the list whose checksum was left to check is out of force

    @property
    def engine(self) -> Engine:
        """Which implementation answers: ``core`` or ``python`` (the reference)."""
        return self._engine

    def _build(self, snapshot: Snapshot, host_filter: Column | None = None) -> ListIndex:
        index_type = CoreListIndex if self._engine == "core" else ListIndex
        return index_type(
            snapshot,
            host_stage=self._host_stage,
            host_cache=self._host_cache,
            suspend_disputed=self._suspend_disputed,
            host_filter=host_filter,
        )

    def reload_if_changed(self) -> bool:
        """Swap in the store's current list if its file changed since the last load.

        Costs one ``stat`` when nothing changed. Returns True when a new version went into
        force. A file that fails verification raises its error once; the list in force stays,
        and the same file is not retried until it changes again. A matcher not made with
        :meth:`from_store` has no store and returns False.
        """
        store = self._store
        if store is None or self._current_path is None:
            return False
        signature = _file_signature(self._current_path)
        if signature == self._seen:
            return False
        with self._reload_lock:
            if signature == self._seen:
                return False
            self._seen = signature
            snapshot = store.load_current()
            if snapshot is None:
                return False
            self.swap(snapshot, store.host_filter())
            return True


def _file_signature(path: Path) -> tuple[int, int, int] | None:
    """What changes when a file is replaced (atomic rename) or rewritten; None when absent."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)
