"""The matcher's first stage over a list snapshot, with no per-entry Python objects.

A million entries must fit in well under 64 bytes each, so the structure here is a flat table
searched from C code. The second stage, finding an expression hash in the snapshot's sorted hash
column, is the list's one search over that column (:class:`hotlist.publish.format.HashIndex`).

:class:`HostFilter` is a Bloom filter (two bits per host; a table of 16 bits per entry rounded up
to a power of two, 2 to 4 B/entry) over the entries' host keys. A host it rejects has no entry at
all, so the path expressions of most URLs are never built.
"""

from __future__ import annotations

import sys
from array import array
from struct import Struct

from hotlist.publish.format import Column
from hotlist.publish.wire import HOST_KEY_SIZE
from hotlist.urls import host_hash

_BITS_PER_HOST = 16
_MIN_FILTER_BITS = 1 << 10
# A host key read as the little-endian integer the filter's two bit positions come from.
_LE_U64 = Struct("<Q")
if _LE_U64.size != HOST_KEY_SIZE:  # pragma: no cover - the wire's host key is 8 bytes
    raise ImportError("the host filter reads 8-byte host keys")


class HostFilter:
    """A Bloom filter over host keys (the first 8 bytes of :func:`hotlist.urls.host_hash`).

    ``may_contain`` never answers False for a host that was added; it answers True for an
    absent host with a probability of at most about 1.4 % (two bits per host, a table of at least
    16 bits per entry, so less when entries share hosts).
    """

    __slots__ = ("_bits", "_mask")

    def __init__(self, host_keys: Column) -> None:
        if len(host_keys) % HOST_KEY_SIZE:
            raise ValueError(f"the host key buffer's length is not a multiple of {HOST_KEY_SIZE}")
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
            key = unpack(host_hash(host))[0]
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
