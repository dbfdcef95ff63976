"""The list's files: snapshot N and delta N-1 -> N, in memory and as bytes.

A :class:`Snapshot` is columnar (one ``bytes`` or ``array`` per field, sorted by expression
hash) so that encoding, decoding and matching work on whole columns rather than a million small
objects. Decoded from a ``memoryview`` (of a file mapped read-only, see
:func:`hotlist.publish.files.map_file`), its columns are views into that buffer, not copies:
every process that maps one list file shares one copy of it. A :class:`Delta` carries the
added records, the removed hashes and the flag changes; :func:`apply_delta` is the one pure
function that merges a delta into its base, used by the server, the edge and the tests alike.
The byte layout is documented in ``docs/list-format.md``.

Every decoding defect (truncation, a flipped byte, a wrong magic, unsorted hashes, a delta for
another base) raises :class:`~hotlist.errors.VerificationError` and nothing else; a delta for
another base raises its subclass :class:`~hotlist.errors.WrongBase`.
"""

from __future__ import annotations

import hashlib
import operator
import re
import struct
import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from functools import cached_property
from itertools import islice
from typing import TYPE_CHECKING, Literal, NamedTuple, TypeAlias

from hotlist import _core
from hotlist.errors import PublishError, VerificationError, WrongBase
from hotlist.publish.wire import (
    FLAG_DISPUTED,
    HASH_SIZE,
    HOST_KEY_SIZE,
    KNOWN_FLAGS,
    MAX_CATEGORY,
    MAX_ENTRY_ID,
    check_fields,
)
from hotlist.values import Value

if TYPE_CHECKING:
    from hotlist.publish.records import ListRecord

MAGIC = b"HLST"
FORMAT_VERSION = 1
KIND_SNAPSHOT = 1
KIND_DELTA = 2
CHECKSUM_SIZE = 32
MAX_VERSION = 2**63 - 1
#: Bytes per record in a snapshot: hash, host key, category, entry id, flags.
RECORD_SIZE = HASH_SIZE + HOST_KEY_SIZE + 2 + 8 + 1

_HASH_PREFIX_SIZE = 4
_BE_U32 = struct.Struct(">I")
_PREFIX = struct.Struct("<HBBH")  # after the magic: format version, kind, reserved, name length
_SNAPSHOT_FIELDS = struct.Struct("<QQ")  # version, count
_DELTA_VERSIONS = struct.Struct("<QQ")  # version, base version; then the base digest
_DELTA_COUNTS = struct.Struct("<QQQ")  # added, removed, changed
_SPLIT_HASHES = re.compile(b".{%d}" % HASH_SIZE, re.DOTALL)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_KIND_NAMES = {KIND_SNAPSHOT: "snapshot", KIND_DELTA: "delta"}
_LITTLE = sys.byteorder == "little"

Column: TypeAlias = "bytes | memoryview"
"""A byte column: ``bytes``, or a read-only view into a decoded buffer (a mapped file)."""
IntColumn: TypeAlias = "array[int] | memoryview"  # array is not subscriptable at run time
"""A column of unsigned integers: an ``array``, or a view of little-endian values cast to them."""


def check_list_name(name: str) -> str:
    """Return ``name`` if it is a valid list name (1-64 of ``A-Za-z0-9._-``), else raise."""
    if not _NAME.fullmatch(name):
        raise VerificationError(
            f"invalid list name {name!r}: use 1 to 64 letters, digits, '.', '_' or '-'"
        )
    return name


def _check_version(version: int, what: str) -> None:
    if not 0 <= version <= MAX_VERSION:
        raise VerificationError(f"{what} {version} is outside 0..2**63-1")


class Record(Value):
    """One record as the wire carries it: the host hash shortened to an 8-byte host key."""

    __slots__ = _fields = ("expression_hash", "host_key", "category", "entry_id", "flags")
    expression_hash: bytes
    host_key: bytes
    category: int
    entry_id: int
    flags: int

    def __init__(
        self, expression_hash: bytes, host_key: bytes, category: int, entry_id: int, flags: int = 0
    ) -> None:
        self._set(expression_hash, host_key, category, entry_id, flags)
        problem = check_fields(self.expression_hash, self.category, self.entry_id, self.flags)
        if problem is None and len(self.host_key) != HOST_KEY_SIZE:
            problem = f"host key is {len(self.host_key)} bytes, expected {HOST_KEY_SIZE}"
        if problem is not None:
            raise VerificationError(f"invalid record: {problem}")

    @classmethod
    def of(cls, record: ListRecord | Record) -> Record:
        """The wire form of a publisher's record (or the record itself)."""
        if isinstance(record, Record):
            return record
        return cls(
            record.expression_hash, record.host_key, record.category, record.entry_id, record.flags
        )

    @property
    def disputed(self) -> bool:
        """True when a member's objection to this entry is pending."""
        return bool(self.flags & FLAG_DISPUTED)


class FlagChange(NamedTuple):
    """An entry that stays in the list with new flags (e.g. an objection opened or decided)."""

    expression_hash: bytes
    flags: int


class HashIndex:
    """Positions of 32-byte hashes in a sorted, duplicate-free hash column: the one search over
    a list's hashes (publishing, applying deltas, the edge's reference matcher, the RPZ zone).

    A parallel column of each hash's first four bytes (4 B/entry, built with strided copies, no
    Python loop per entry) is searched with :func:`bisect.bisect_left` in C; whole hashes are
    compared only among the few that share a prefix. The column itself is not copied.
    """

    __slots__ = ("_count", "_hashes", "_prefixes")

    def __init__(self, hashes: Column) -> None:
        if len(hashes) % HASH_SIZE:
            raise ValueError(f"the hash column's length is not a multiple of {HASH_SIZE}")
        self._hashes = hashes
        self._count = len(hashes) // HASH_SIZE
        self._prefixes = _prefix_column(hashes, self._count)

    @property
    def count(self) -> int:
        """How many hashes the column holds."""
        return self._count

    def find(self, digest: bytes) -> int:
        """Position of ``digest`` in the column, or -1 when it is absent."""
        position = self.position(digest)
        if position < self._count and _hash_at(self._hashes, position) == digest:
            return position
        return -1

    def position(self, digest: bytes) -> int:
        """Where ``digest`` is or would go to keep the column sorted (as ``bisect_left``)."""
        prefixes = self._prefixes
        prefix = _BE_U32.unpack_from(digest)[0]
        position = bisect_left(prefixes, prefix)
        hashes = self._hashes
        count = self._count
        while (
            position < count
            and prefixes[position] == prefix
            and _hash_at(hashes, position) < digest
        ):
            position += 1
        return position

    def nbytes(self) -> int:
        """Bytes of memory the index adds to the hash column."""
        return self._prefixes.itemsize * len(self._prefixes)


def _hash_at(hashes: Column, position: int) -> bytes:
    """The hash at ``position`` of a hash column, as bytes (a view's slice is copied)."""
    return bytes(hashes[position * HASH_SIZE : (position + 1) * HASH_SIZE])


def _prefix_column(hashes: Column, count: int) -> array[int]:
    """The first four bytes of each hash as unsigned ints, in the column's (ascending) order."""
    gathered = bytearray(_HASH_PREFIX_SIZE * count)
    for byte in range(_HASH_PREFIX_SIZE):
        # bytes(): a view's strided slice is not contiguous, which slice assignment needs.
        gathered[byte::_HASH_PREFIX_SIZE] = bytes(hashes[byte::HASH_SIZE])
    prefixes = array("I")
    if prefixes.itemsize != _HASH_PREFIX_SIZE:  # pragma: no cover - every platform we support
        prefixes = array("L")
    prefixes.frombytes(gathered)
    if _LITTLE:
        prefixes.byteswap()
    return prefixes


def _le_bytes(column: IntColumn) -> Column:
    if isinstance(column, memoryview):
        return column.cast("B")  # a view of the file's little-endian values
    if _LITTLE:
        return column.tobytes()
    swapped = array(column.typecode, column)
    swapped.byteswap()
    return swapped.tobytes()


def _from_le(typecode: str, data: Column) -> array[int]:
    column: array[int] = array(typecode)
    column.frombytes(data)
    if not _LITTLE:
        column.byteswap()
    return column


def _int_column(typecode: Literal["H", "Q"], data: Column) -> IntColumn:
    """Little-endian values as a column: a view of ``data`` when it is one (on a little-endian
    machine), else an ``array`` holding a copy."""
    if isinstance(data, memoryview) and _LITTLE:
        return data.cast(typecode)
    return _from_le(typecode, data)


def _holds(column: IntColumn, typecode: str) -> bool:
    """Whether an integer column holds values of the array type ``typecode``."""
    if isinstance(column, memoryview):
        return column.format == typecode and column.itemsize == array(typecode).itemsize
    return column.typecode == typecode


def _read_only(column: Column | IntColumn) -> memoryview:
    """A read-only byte view of a column, as the core reads columns."""
    return memoryview(column).cast("B").toreadonly()


class Snapshot(Value):
    """Every record in force in list version ``version``, sorted by expression hash.

    ``hashes`` holds ``count`` 32-byte hashes (ascending, unique); ``host_keys`` the first
    8 bytes of each record's host hash in the same order; ``categories``, ``entry_ids`` and
    ``flags`` one value per record. Columns are ``bytes`` and ``array``, or read-only views
    into the buffer a snapshot was decoded from (see :func:`decode_snapshot`). The constructor
    checks the columns agree in length; a decoded or built snapshot is also checked for order
    and value ranges (:meth:`validate`).
    """

    # No __slots__: the cached properties below keep their values in the instance's __dict__.
    _fields = ("list_name", "version", "hashes", "host_keys", "categories", "entry_ids", "flags")
    list_name: str
    version: int
    hashes: Column
    host_keys: Column
    categories: IntColumn
    entry_ids: IntColumn
    flags: Column

    def __init__(
        self,
        list_name: str,
        version: int,
        hashes: Column,
        host_keys: Column,
        categories: IntColumn,
        entry_ids: IntColumn,
        flags: Column,
    ) -> None:
        self._set(list_name, version, hashes, host_keys, categories, entry_ids, flags)
        check_list_name(self.list_name)
        _check_version(self.version, "list version")
        if not (_holds(self.categories, "H") and _holds(self.entry_ids, "Q")):
            raise VerificationError("snapshot columns must be array('H') and array('Q')")
        count, rest = divmod(len(self.hashes), HASH_SIZE)
        if rest or (
            len(self.host_keys) != count * HOST_KEY_SIZE
            or len(self.categories) != count
            or len(self.entry_ids) != count
            or len(self.flags) != count
        ):
            raise VerificationError("snapshot columns disagree on the number of records")

    @classmethod
    def empty(cls, list_name: str, version: int = 0) -> Snapshot:
        """A snapshot with no records (the base of a list's first delta)."""
        return cls(list_name, version, b"", b"", array("H"), array("Q"), b"")

    @classmethod
    def from_records(
        cls, list_name: str, version: int, records: Iterable[ListRecord | Record]
    ) -> Snapshot:
        """Build a snapshot from records in any order; two records with one hash are an error."""
        ordered = sorted(records, key=operator.attrgetter("expression_hash"))
        snapshot = cls(
            list_name,
            version,
            b"".join([r.expression_hash for r in ordered]),
            b"".join([r.host_key for r in ordered]),
            array("H", [r.category for r in ordered]),
            array("Q", [r.entry_id for r in ordered]),
            bytes([r.flags for r in ordered]),
        )
        hashes = snapshot.hash_list()
        for earlier, later in zip(hashes, islice(hashes, 1, None), strict=False):
            if earlier == later:
                raise PublishError(
                    f"two records share the expression hash {earlier.hex()}: one entry per "
                    "expression"
                )
        return snapshot

    @property
    def count(self) -> int:
        """The number of records."""
        return len(self.entry_ids)

    def hash_at(self, index: int) -> bytes:
        """The expression hash of record ``index``."""
        return _hash_at(self.hashes, index)

    def hash_list(self) -> list[bytes]:
        """The hashes as a list of 32-byte values, in order."""
        # The regular expression engine splits in C: faster than slicing in a comprehension.
        return _SPLIT_HASHES.findall(self.hashes)

    def record(self, index: int) -> Record:
        """Record ``index`` (0-based, in hash order)."""
        if not 0 <= index < self.count:
            raise IndexError(f"record {index} is outside 0..{self.count - 1}")
        start = index * HOST_KEY_SIZE
        return Record(
            self.hash_at(index),
            bytes(self.host_keys[start : start + HOST_KEY_SIZE]),
            self.categories[index],
            self.entry_ids[index],
            self.flags[index],
        )

    def records(self) -> Iterator[Record]:
        """Every record, in hash order."""
        return (self.record(i) for i in range(self.count))

    @cached_property
    def hash_index(self) -> HashIndex:
        """The search over the hash column (built on first use, then kept with the snapshot)."""
        return HashIndex(self.hashes)

    def find(self, expression_hash: bytes) -> int | None:
        """The index of the record with this hash, or None."""
        index = self.hash_index.find(expression_hash)
        return None if index < 0 else index

    @cached_property
    def digest(self) -> bytes:
        """SHA-256 over the record columns (not name or version): the list's content digest."""
        sha = hashlib.sha256()
        for column in self._columns():
            sha.update(column)
        return sha.digest()

    def _columns(self) -> tuple[Column, Column, Column, Column, Column]:
        return (
            self.hashes,
            self.host_keys,
            _le_bytes(self.categories),
            _le_bytes(self.entry_ids),
            self.flags,
        )

    def validate(self) -> None:
        """Check hash order and uniqueness and every value's range; raise VerificationError."""
        if self.count == 0:
            return
        # In the compiled core: a Python pass over 1,000,000 entries costs a helper's start-up
        # about 0.18 s. _column_problem below is the reference it is tested against.
        problem = _core.snapshot_problem(
            _read_only(self.hashes),
            _read_only(self.categories),
            _read_only(self.entry_ids),
            _read_only(self.flags),
            KNOWN_FLAGS,
        )
        if problem is not None:
            raise VerificationError(_COLUMN_PROBLEMS[problem])

    def _column_problem(self) -> str | None:
        """The reference for the core's ``snapshot_problem``: what is wrong, or None."""
        hashes = self.hash_list()
        if not all(map(operator.lt, hashes, islice(hashes, 1, None))):
            return "order"
        if min(self.categories) < 1 or max(self.categories) > MAX_CATEGORY:
            return "category"
        if min(self.entry_ids) < 1 or max(self.entry_ids) > MAX_ENTRY_ID:
            return "entry_id"
        if max(self.flags) & ~KNOWN_FLAGS:
            return "flags"
        return None


_COLUMN_PROBLEMS = {
    "order": "snapshot hashes are not sorted and unique: file is corrupt",
    "category": "snapshot holds a category outside 1..65535",
    "entry_id": "snapshot holds an entry id outside 1..2**63-1",
    "flags": "snapshot holds flags with reserved bits set",
}


class Delta(Value):
    """What changed from ``base_version`` to ``version`` of one list.

    ``added``: new records, sorted by hash; ``removed``: hashes no longer listed, sorted;
    ``changed``: hashes that stay with new flags, sorted. A record whose category, entry id or
    host changes is removed and added again under the same hash.
    """

    __slots__ = _fields = ("list_name", "base_version", "version", "added", "removed", "changed")
    list_name: str
    base_version: int
    version: int
    added: tuple[Record, ...]
    removed: tuple[bytes, ...]
    changed: tuple[FlagChange, ...]

    def __init__(
        self,
        list_name: str,
        base_version: int,
        version: int,
        added: tuple[Record, ...],
        removed: tuple[bytes, ...],
        changed: tuple[FlagChange, ...],
    ) -> None:
        self._set(list_name, base_version, version, added, removed, changed)
        check_list_name(self.list_name)
        _check_version(self.base_version, "base version")
        _check_version(self.version, "list version")
        if self.version <= self.base_version:
            raise VerificationError(
                f"delta goes from version {self.base_version} to {self.version}: not forward"
            )
        _check_strictly_sorted([r.expression_hash for r in self.added], "added hashes")
        _check_strictly_sorted(list(self.removed), "removed hashes")
        _check_strictly_sorted([c.expression_hash for c in self.changed], "changed hashes")
        for change in self.changed:
            problem = check_fields(change.expression_hash, 1, 1, change.flags)
            if problem is not None:
                raise VerificationError(f"invalid flag change: {problem}")

    @property
    def change_count(self) -> int:
        """Added, removed and changed records together."""
        return len(self.added) + len(self.removed) + len(self.changed)


def _check_strictly_sorted(hashes: list[bytes], what: str) -> None:
    if any(len(h) != HASH_SIZE for h in hashes):
        raise VerificationError(f"delta {what} must be {HASH_SIZE} bytes each")
    if not all(map(operator.lt, hashes, islice(hashes, 1, None))):
        raise VerificationError(f"delta {what} are not sorted and unique")


# -- Encoding -------------------------------------------------------------------------------


def _header(kind: int, list_name: str) -> bytes:
    name = check_list_name(list_name).encode("ascii")
    return MAGIC + _PREFIX.pack(FORMAT_VERSION, kind, 0, len(name)) + name


def _seal(parts: list[Column]) -> bytes:
    body = b"".join(parts)
    return body + _core.sha256(body)


def encode_snapshot(snapshot: Snapshot) -> bytes:
    """The snapshot file's bytes: header, the five columns, SHA-256 of all that precedes."""
    header = _header(KIND_SNAPSHOT, snapshot.list_name)
    fields = _SNAPSHOT_FIELDS.pack(snapshot.version, snapshot.count)
    return _seal([header, fields, *snapshot._columns()])


def _varint(value: int, out: bytearray) -> None:
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def _positions(base: Snapshot, hashes: Iterable[bytes], what: str) -> list[int]:
    find = base.hash_index.find
    positions = []
    for h in hashes:
        index = find(h)
        if index < 0:
            raise VerificationError(f"{what} hash {h.hex()} is not in base version {base.version}")
        positions.append(index)
    return positions


def _gaps(positions: list[int]) -> bytes:
    out = bytearray()
    previous = -1
    for position in positions:
        _varint(position - previous - 1, out)
        previous = position
    return bytes(out)


def encode_delta(delta: Delta, base: Snapshot) -> bytes:
    """The delta file's bytes. Removed and changed records are written as positions in ``base``.

    ``base`` must be the snapshot of ``delta.base_version``; its content digest goes into the
    header so that the delta can only ever be applied to that exact base.
    """
    _check_base(delta.list_name, delta.base_version, base)
    added = delta.added
    header = _header(KIND_DELTA, delta.list_name)
    fields = (
        _DELTA_VERSIONS.pack(delta.version, delta.base_version)
        + base.digest
        + _DELTA_COUNTS.pack(len(added), len(delta.removed), len(delta.changed))
    )
    return _seal(
        [
            header,
            fields,
            b"".join(r.expression_hash for r in added),
            b"".join(r.host_key for r in added),
            _le_bytes(array("H", [r.category for r in added])),
            _le_bytes(array("Q", [r.entry_id for r in added])),
            bytes(r.flags for r in added),
            _gaps(_positions(base, delta.removed, "removed")),
            _gaps(_positions(base, (c.expression_hash for c in delta.changed), "changed")),
            bytes(c.flags for c in delta.changed),
        ]
    )


# -- Decoding -------------------------------------------------------------------------------


class _Reader:
    """Reads the sealed body of a file; every overrun is a VerificationError."""

    def __init__(self, data: Column, what: str) -> None:
        self.what = what
        if len(data) < len(MAGIC) + _PREFIX.size + CHECKSUM_SIZE:
            raise VerificationError(f"{what} is truncated: {len(data)} bytes")
        self.data = data
        self.end = len(data) - CHECKSUM_SIZE
        self.pos = 0

    def take(self, size: int) -> Column:
        if size < 0 or self.pos + size > self.end:
            raise VerificationError(f"{self.what} is truncated or its counts are wrong")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def unpack(self, layout: struct.Struct) -> tuple[int, ...]:
        return tuple(int(value) for value in layout.unpack(self.take(layout.size)))

    def varint(self) -> int:
        value = 0
        shift = 0
        while True:
            if self.pos >= self.end or shift > 63:
                raise VerificationError(f"{self.what} holds a malformed position")
            byte = self.data[self.pos]
            self.pos += 1
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7

    def finish(self) -> None:
        if self.pos != self.end:
            raise VerificationError(f"{self.what} has {self.end - self.pos} unexpected bytes")


def _open(data: Column, kind: int, *, checksum: bool = True) -> tuple[_Reader, str]:
    what = _KIND_NAMES[kind]
    reader = _Reader(data, what)
    magic = reader.take(len(MAGIC))
    fmt, found_kind, reserved, name_len = reader.unpack(_PREFIX)
    if magic != MAGIC:
        raise VerificationError(f"not a hotlist {what} file (wrong magic bytes)")
    if fmt != FORMAT_VERSION:
        raise VerificationError(
            f"{what} uses format version {fmt}; this hotlist reads version {FORMAT_VERSION}: "
            "upgrade hotlist"
        )
    if found_kind != kind:
        name = _KIND_NAMES.get(found_kind, f"kind {found_kind}")
        raise VerificationError(f"expected a {what} file, found a {name} file")
    if reserved != 0:
        raise VerificationError(f"{what} header has a non-zero reserved byte")
    if checksum:
        _check_sum(data, reader.end, what)
    try:
        name = bytes(reader.take(name_len)).decode("ascii")
    except UnicodeDecodeError as exc:
        raise VerificationError(f"{what} list name is not ASCII") from exc
    return reader, check_list_name(name)


def _check_sum(data: Column, end: int, what: str) -> None:
    """Raise VerificationError unless the last bytes of ``data`` (from ``end``) are the
    SHA-256 of all that precedes them. The one checksum test of every decoding."""
    # The core hashes a large buffer with the GIL released: other threads run meanwhile.
    if _core.sha256(memoryview(data)[:end]) != data[end:]:
        raise VerificationError(f"{what} checksum mismatch: the file is corrupt or truncated")


def verify_checksum(data: Column, kind: int = KIND_SNAPSHOT) -> None:
    """Check the trailing checksum of a list file (a snapshot unless ``kind`` says a delta)
    that was decoded with ``checksum=False``: VerificationError when it does not match.

    What :func:`decode_snapshot` leaves out with ``checksum=False``, nothing else: the
    structure (header, counts, order, values) was checked then.
    """
    what = _KIND_NAMES[kind]
    _check_sum(data, _Reader(data, what).end, what)


def _columns(reader: _Reader, count: int) -> tuple[Column, Column, IntColumn, IntColumn, Column]:
    if count * RECORD_SIZE > reader.end - reader.pos:
        raise VerificationError(f"{reader.what} is truncated: counts exceed the file")
    return (
        reader.take(count * HASH_SIZE),
        reader.take(count * HOST_KEY_SIZE),
        _int_column("H", reader.take(count * 2)),
        _int_column("Q", reader.take(count * 8)),
        reader.take(count),
    )


def decode_snapshot(data: Column, *, checksum: bool = True) -> Snapshot:
    """Parse and verify a snapshot file; any defect raises VerificationError.

    From ``bytes`` the columns are copies; from a read-only ``memoryview`` (a mapped file) they
    are views into it, which the snapshot keeps alive.

    ``checksum=False`` checks everything but the trailing checksum (the header, the counts
    against the file's size, hash order, every value's range): for a file that was verified
    whole before it was installed, whose checksum the caller verifies later with
    :func:`verify_checksum` (SHA-256 over 51 MB at 1,000,000 entries costs about 50 ms; the
    rest about 8 ms).
    """
    reader, name = _open(data, KIND_SNAPSHOT, checksum=checksum)
    version, count = reader.unpack(_SNAPSHOT_FIELDS)
    _check_version(version, "list version")
    snapshot = Snapshot(name, version, *_columns(reader, count))
    reader.finish()
    snapshot.validate()
    return snapshot


def decode_delta(data: bytes, base: Snapshot) -> Delta:
    """Parse and verify a delta file against the snapshot it applies to.

    Raises VerificationError on any defect, including a delta made for another base version
    or for different content under the same version number.
    """
    reader, name = _open(data, KIND_DELTA)
    version, base_version = reader.unpack(_DELTA_VERSIONS)
    base_digest = reader.take(HASH_SIZE)
    n_added, n_removed, n_changed = reader.unpack(_DELTA_COUNTS)
    _check_base(name, base_version, base)
    if base_digest != base.digest:
        raise WrongBase(
            f"delta was made for different contents of base version {base_version}: "
            "take the full snapshot"
        )
    hashes, host_keys, categories, entry_ids, flags = _columns(reader, n_added)
    added = tuple(
        Record(
            bytes(hashes[i * HASH_SIZE : (i + 1) * HASH_SIZE]),
            bytes(host_keys[i * HOST_KEY_SIZE : (i + 1) * HOST_KEY_SIZE]),
            categories[i],
            entry_ids[i],
            flags[i],
        )
        for i in range(n_added)
    )
    removed = tuple(base.hash_at(p) for p in _read_positions(reader, n_removed, base))
    changed_at = _read_positions(reader, n_changed, base)
    changed = tuple(
        FlagChange(base.hash_at(p), f)
        for p, f in zip(changed_at, reader.take(n_changed), strict=True)
    )
    reader.finish()
    return Delta(name, base_version, version, added, removed, changed)


def _read_positions(reader: _Reader, count: int, base: Snapshot) -> list[int]:
    if count > reader.end - reader.pos:
        raise VerificationError(f"{reader.what} is truncated: counts exceed the file")
    positions = []
    position = -1
    for _ in range(count):
        position += reader.varint() + 1
        if position >= base.count:
            raise VerificationError(
                f"delta refers to record {position}, base version {base.version} has {base.count}"
            )
        positions.append(position)
    return positions


def _check_base(list_name: str, base_version: int, base: Snapshot) -> None:
    if list_name != base.list_name:
        raise WrongBase(
            f"delta is for list {list_name!r}, the base snapshot is of {base.list_name!r}"
        )
    if base_version != base.version:
        raise WrongBase(
            f"delta applies to version {base_version}, the base is version {base.version}: "
            "wrong base"
        )


# -- The algebra ----------------------------------------------------------------------------


def apply_delta(base: Snapshot, delta: Delta) -> Snapshot:
    """Snapshot ``delta.version``: ``base`` minus removed, plus added, with flags changed.

    Pure: ``base`` is not modified. Raises VerificationError for a wrong base version, a
    removed or changed hash that is absent, or an added hash already present.
    """
    _check_base(delta.list_name, delta.base_version, base)
    insertion_point = base.hash_index.position
    removed_at = _positions(base, delta.removed, "removed")
    removed_set = set(removed_at)
    # Events in base order: insert added records before a position, or skip a removed one.
    events: list[tuple[int, int, Record | None]] = [(p, 1, None) for p in removed_at]
    for record in delta.added:
        index = insertion_point(record.expression_hash)
        if (
            index < base.count
            and _hash_at(base.hashes, index) == record.expression_hash
            and index not in removed_set
        ):
            raise VerificationError(
                f"added hash {record.expression_hash.hex()} is already in version "
                f"{base.version}: wrong base"
            )
        events.append((index, 0, record))
    events.sort(key=operator.itemgetter(0, 1))

    base_columns = base._columns()
    widths = (HASH_SIZE, HOST_KEY_SIZE, 2, 8, 1)
    pieces: tuple[list[Column], ...] = ([], [], [], [], [])
    cursor = 0

    def keep(until: int) -> None:
        if until > cursor:
            for column, width, out in zip(base_columns, widths, pieces, strict=True):
                out.append(column[cursor * width : until * width])

    for position, _action, new in events:
        keep(position)
        cursor = max(cursor, position)
        if new is None:
            cursor = position + 1
            continue
        pieces[0].append(new.expression_hash)
        pieces[1].append(new.host_key)
        pieces[2].append(new.category.to_bytes(2, "little"))
        pieces[3].append(new.entry_id.to_bytes(8, "little"))
        pieces[4].append(bytes([new.flags]))
    keep(base.count)

    new_flags = bytearray(b"".join(pieces[4]))
    hashes = b"".join(pieces[0])
    # Most deltas change no flags: the new column is searched only when one does.
    changed_at = HashIndex(hashes).find if delta.changed else None
    for change in delta.changed:
        index = changed_at(change.expression_hash) if changed_at is not None else -1
        if index < 0:
            raise VerificationError(
                f"changed hash {change.expression_hash.hex()} is not in the list: wrong base"
            )
        new_flags[index] = change.flags
    return Snapshot(
        delta.list_name,
        delta.version,
        hashes,
        b"".join(pieces[1]),
        _from_le("H", b"".join(pieces[2])),
        _from_le("Q", b"".join(pieces[3])),
        bytes(new_flags),
    )


def _without(snapshot: Snapshot, skip: list[int]) -> tuple[bytes, ...]:
    """The snapshot's columns with the records at the sorted positions ``skip`` left out."""
    widths = (HASH_SIZE, HOST_KEY_SIZE, 2, 8, 1)
    runs = []
    start = 0
    for position in [*skip, snapshot.count]:
        if position > start:
            runs.append((start, position))
        start = position + 1
    return tuple(
        b"".join(column[a * width : b * width] for a, b in runs)
        for column, width in zip(snapshot._columns(), widths, strict=True)
    )


def _differing(
    old: tuple[bytes, ...],
    new: tuple[bytes, ...],
    widths: tuple[int, ...],
    low: int,
    high: int,
    out: list[int],
) -> None:
    """Append to ``out`` the records in ``low..high`` whose columns differ, by halving ranges.

    Equal ranges are skipped with one comparison per column, so the cost follows the number
    of differences (times log of the size), not the size of the list.
    """
    if high <= low or all(
        a[low * w : high * w] == b[low * w : high * w]
        for a, b, w in zip(old, new, widths, strict=True)
    ):
        return
    if high - low == 1:
        out.append(low)
        return
    middle = (low + high) // 2
    _differing(old, new, widths, low, middle, out)
    _differing(old, new, widths, middle, high, out)


def diff(old: Snapshot, new: Snapshot) -> Delta:
    """The delta that turns ``old`` into ``new`` (same list, a later version).

    Works on whole columns: records present in both versions are compared range by range,
    and only ranges that differ are split further (see :func:`_differing`).
    """
    if old.list_name != new.list_name:
        raise PublishError(f"cannot diff list {old.list_name!r} against {new.list_name!r}")
    # Hashes in exactly one of the two versions (set operations run in C), then located by
    # binary search: the cost follows the size of the change, not of the list.
    only = set(old.hash_list())
    only.symmetric_difference_update(new.hash_list())
    gone_at = sorted(i for i in map(old.find, only) if i is not None)
    added_at = sorted(j for j in map(new.find, only) if j is not None)
    added = [new.record(j) for j in added_at]
    removed = [old.hash_at(i) for i in gone_at]
    kept_old = _without(old, gone_at)
    kept_new = _without(new, added_at)
    changed: list[FlagChange] = []
    widths = (HASH_SIZE, HOST_KEY_SIZE, 2, 8, 1)
    differing: list[int] = []
    _differing(kept_old[1:], kept_new[1:], widths[1:], 0, len(kept_old[0]) // HASH_SIZE, differing)
    for k in differing:
        before, after = (
            tuple(col[k * w : (k + 1) * w] for col, w in zip(cols, widths, strict=True))
            for cols in (kept_old, kept_new)
        )
        if before[1:4] != after[1:4]:
            removed.append(before[0])
            added.append(
                Record(
                    after[0],
                    after[1],
                    int.from_bytes(after[2], "little"),
                    int.from_bytes(after[3], "little"),
                    after[4][0],
                )
            )
        else:
            changed.append(FlagChange(after[0], after[4][0]))
    removed.sort()
    added.sort(key=operator.attrgetter("expression_hash"))
    return Delta(
        new.list_name, old.version, new.version, tuple(added), tuple(removed), tuple(changed)
    )
