"""The one search over a list's sorted hash column: positions of present hashes, insertion
points of absent ones, and four bytes of memory per entry."""

from __future__ import annotations

import bisect
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotlist.publish.format import HashIndex

digests = st.binary(min_size=32, max_size=32)


def _buffer(hashes: set[bytes]) -> bytes:
    return b"".join(sorted(hashes))


@settings(max_examples=60, deadline=None)
@given(present=st.sets(digests, max_size=200), absent=st.lists(digests, max_size=20))
def test_hash_index_finds_each_present_hash_at_its_position(
    present: set[bytes], absent: list[bytes]
) -> None:
    ordered = sorted(present)
    index = HashIndex(b"".join(ordered))
    assert index.count == len(ordered)
    for position, digest in enumerate(ordered):
        assert index.find(digest) == position
    for digest in absent:
        if digest not in present:
            assert index.find(digest) == -1


def test_hash_index_tells_apart_hashes_sharing_a_long_prefix() -> None:
    prefix = b"\x7f" * 31
    ordered = [prefix + bytes([tail]) for tail in (1, 3, 5, 7)]
    index = HashIndex(b"".join(ordered))
    assert [index.find(digest) for digest in ordered] == [0, 1, 2, 3]
    assert index.find(prefix + b"\x04") == -1
    assert index.find(prefix + b"\x08") == -1
    assert index.find(b"\x00" * 32) == -1
    assert index.find(b"\xff" * 32) == -1


def test_an_empty_hash_index_finds_nothing() -> None:
    index = HashIndex(b"")
    assert index.count == 0
    assert index.find(hashlib.sha256(b"example.com/").digest()) == -1
    assert index.nbytes() == 0


def test_hash_index_refuses_a_buffer_of_partial_hashes() -> None:
    with pytest.raises(ValueError, match="multiple of 32"):
        HashIndex(b"\x00" * 33)


def test_hash_index_adds_four_bytes_per_entry() -> None:
    index = HashIndex(_buffer({hashlib.sha256(str(i).encode()).digest() for i in range(1000)}))
    assert index.nbytes() == 4 * 1000


@settings(max_examples=60, deadline=None)
@given(present=st.sets(digests, max_size=200), probes=st.lists(digests, max_size=20))
def test_the_position_is_where_bisect_puts_a_hash(present: set[bytes], probes: list[bytes]) -> None:
    ordered = sorted(present)
    index = HashIndex(b"".join(ordered))
    for digest in [*ordered, *probes]:
        assert index.position(digest) == bisect.bisect_left(ordered, digest)


def test_the_position_among_hashes_sharing_a_prefix() -> None:
    prefix = b"\x7f" * 31
    ordered = [prefix + bytes([tail]) for tail in (1, 3, 5, 7)]
    index = HashIndex(b"".join(ordered))
    assert [index.position(prefix + bytes([tail])) for tail in range(9)] == [
        0, 0, 1, 1, 2, 2, 3, 3, 4
    ]  # fmt: skip
