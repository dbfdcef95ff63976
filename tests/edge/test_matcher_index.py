"""The matcher's compact structures: the sorted-hash index and the host Bloom filter."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotlist.edge.index import HashIndex, HostFilter

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
@given(hosts=st.lists(digests, max_size=300))
def test_host_filter_never_rejects_an_added_host(hosts: list[bytes]) -> None:
    host_filter = HostFilter(b"".join(digest[:8] for digest in hosts))
    for digest in hosts:
        assert host_filter.may_contain(digest)


def test_host_filter_rejects_most_absent_hosts() -> None:
    added = [hashlib.sha256(f"host{i}.example/".encode()).digest() for i in range(5000)]
    host_filter = HostFilter(b"".join(digest[:8] for digest in added))
    others = [hashlib.sha256(f"other{i}.test/".encode()).digest() for i in range(20000)]
    false_positives = sum(host_filter.may_contain(digest) for digest in others)
    assert false_positives / len(others) < 0.03
    assert host_filter.nbytes() <= 4 * len(added) + 128


def test_an_empty_host_filter_rejects_every_host() -> None:
    host_filter = HostFilter(b"")
    assert not host_filter.may_contain(hashlib.sha256(b"example.com/").digest())


def test_host_filter_refuses_a_buffer_of_partial_keys() -> None:
    with pytest.raises(ValueError, match="multiple of 8"):
        HostFilter(b"\x00" * 9)
