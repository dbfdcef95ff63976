"""Compact lookup structures over a list snapshot's columns, with no per-entry Python objects.

A million entries must fit in well under 64 bytes each, so the structures here are flat buffers
searched from C code (``bisect`` over an ``array``, ``bytes.startswith`` at an offset):

- :class:`HashIndex` finds a 32-byte expression hash in the snapshot's sorted hash buffer
  (32 B/entry, shared with the snapshot) through a parallel array of 4-byte prefixes
  (4 B/entry) searched by binary search.
- :class:`HostFilter` is the first stage: a Bloom filter (two bits per host; a table of 16 bits
  per entry rounded up to a power of two, 2 to 4 B/entry) over the entries' host keys. A host
  it rejects has no entry at all, so the path expressions of most URLs are never built.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left
from hashlib import sha256
from struct import Struct

HASH_SIZE = 32
HOST_KEY_SIZE = 8
_PREFIX_SIZE = 4
_BITS_PER_HOST = 16
_MIN_FILTER_BITS = 1 << 10
_LE_U64 = Struct("<Q")
_BE_U32 = Struct(">I")


class HashIndex:
    """Membership and position of 32-byte hashes in a sorted, duplicate-free hash buffer."""

    __slots__ = ("_count", "_hashes", "_prefixes")

    def __init__(self, hashes: bytes) -> None:
        if len(hashes) % HASH_SIZE:
            raise ValueError("the hash buffer's length is not a multiple of 32")
        self._hashes = hashes
        self._count = len(hashes) // HASH_SIZE
        self._prefixes = _prefix_column(hashes, self._count)

    @property
    def count(self) -> int:
        """How many hashes the index holds."""
        return self._count

    def find(self, digest: bytes) -> int:
        """Position of ``digest`` in the sorted buffer, or -1 when it is absent."""
        prefixes = self._prefixes
        prefix = _BE_U32.unpack_from(digest)[0]
        position = bisect_left(prefixes, prefix)
        hashes = self._hashes
        count = self._count
        while position < count and prefixes[position] == prefix:
            if hashes.startswith(digest, position * HASH_SIZE):
                return position
            position += 1
        return -1

    def nbytes(self) -> int:
        """Bytes of memory the index adds to the snapshot's own hash buffer."""
        return self._prefixes.itemsize * len(self._prefixes)


def _prefix_column(hashes: bytes, count: int) -> array[int]:
    """The first four bytes of each hash as unsigned ints, in the buffer's (ascending) order.

    Built with strided slice copies, so no Python loop runs per entry.
    """
    gathered = bytearray(_PREFIX_SIZE * count)
    for byte in range(_PREFIX_SIZE):
        gathered[byte::_PREFIX_SIZE] = hashes[byte::HASH_SIZE]
    prefixes = array("I")
    if prefixes.itemsize != _PREFIX_SIZE:  # pragma: no cover - every CPython platform we support
        prefixes = array("L")
    prefixes.frombytes(gathered)
    if sys.byteorder == "little":
        prefixes.byteswap()
    return prefixes


class HostFilter:
    """A Bloom filter over host keys (the first 8 bytes of SHA-256 of ``canonical_host + "/"``).

    ``may_contain`` never answers False for a host that was added; it answers True for an
    absent host with a probability of at most about 1.4 % (two bits per host, a table of at least
    16 bits per entry, so less when entries share hosts).
    """

    __slots__ = ("_bits", "_mask")

    def __init__(self, host_keys: bytes) -> None:
        if len(host_keys) % HOST_KEY_SIZE:
            raise ValueError("the host key buffer's length is not a multiple of 8")
        keys = array("Q")
        keys.frombytes(host_keys)
        if sys.byteorder == "big":  # pragma: no cover - keys are read little-endian everywhere
            keys.byteswap()
        # Sized by entries, an upper bound on distinct hosts: no set of a million ints to build.
        size = _MIN_FILTER_BITS
        while size < _BITS_PER_HOST * len(keys):
            size <<= 1
        mask = size - 1
        bits = bytearray(size >> 3)
        for key in keys:
            low = key & mask
            bits[low >> 3] |= 1 << (low & 7)
            high = (key >> 32) & mask
            bits[high >> 3] |= 1 << (high & 7)
        self._bits = bytes(bits)
        self._mask = mask

    def may_contain(self, host_hash: bytes) -> bool:
        """False when no entry has this host; True when one may (confirm with the hash index)."""
        key = _LE_U64.unpack_from(host_hash)[0]
        mask = self._mask
        bits = self._bits
        low = key & mask
        if not bits[low >> 3] >> (low & 7) & 1:
            return False
        high = (key >> 32) & mask
        return bool(bits[high >> 3] >> (high & 7) & 1)

    def passing(self, hosts: list[str]) -> list[str] | None:
        """The canonical hosts among ``hosts`` that may have an entry; None when none may.

        The hot path of every check, so :meth:`may_contain` is written out inline here.
        """
        bits = self._bits
        mask = self._mask
        unpack = _LE_U64.unpack_from
        found: list[str] | None = None
        for host in hosts:
            key = unpack(sha256(f"{host}/".encode()).digest())[0]
            low = key & mask
            if bits[low >> 3] >> (low & 7) & 1:
                high = (key >> 32) & mask
                if bits[high >> 3] >> (high & 7) & 1:
                    if found is None:
                        found = [host]
                    else:
                        found.append(host)
        return found

    def nbytes(self) -> int:
        """Bytes of memory the filter's table takes."""
        return len(self._bits)
