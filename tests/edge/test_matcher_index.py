"""The matcher's first stage: the host Bloom filter (the hash search is tests/publish's)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotlist.edge.index import HostFilter

digests = st.binary(min_size=32, max_size=32)


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
