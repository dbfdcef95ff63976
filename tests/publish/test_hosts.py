"""The host names extra: deterministic bytes, a round trip, and refusal of malformed input."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotlist.errors import PublishError, VerificationError
from hotlist.publish.hosts import HostEntry, decode_hosts, encode_hosts

label = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)
host_names = st.lists(label, min_size=1, max_size=6).map(lambda parts: ".".join(parts) + ".test")
entries = st.lists(
    st.builds(HostEntry, host_names, st.integers(1, 2**64 - 1), st.integers(1, 2**16 - 1)),
    max_size=20,
    unique_by=lambda entry: entry.host,
)


@settings(max_examples=60)
@given(entries, st.randoms())
def test_round_trip_and_order_independence(items: list[HostEntry], rng: object) -> None:
    data = encode_hosts(items)
    shuffled = list(items)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    assert encode_hosts(shuffled) == data
    assert decode_hosts(data) == tuple(sorted(items))


def test_the_form_on_the_wire() -> None:
    data = encode_hosts([HostEntry("b.example", 0xBE, 2), HostEntry("a.example", 1, 1)])
    assert json.loads(data) == {
        "format": 1,
        "hosts": [
            {"category": 1, "entry_id": "0000000000000001", "host": "a.example"},
            {"category": 2, "entry_id": "00000000000000be", "host": "b.example"},
        ],
    }


@pytest.mark.parametrize(
    "entry",
    [
        HostEntry("a b.example", 1, 1),
        HostEntry("a.example/x", 1, 1),
        HostEntry("", 1, 1),
        HostEntry("a.example", 0, 1),
        HostEntry("a.example", 1, 0),
    ],
)
def test_bad_entries_are_not_published(entry: HostEntry) -> None:
    with pytest.raises(PublishError, match="cannot publish"):
        encode_hosts([entry])


def test_a_host_listed_twice_is_not_published() -> None:
    with pytest.raises(PublishError, match="two host-scope entries"):
        encode_hosts([HostEntry("a.example", 1, 1), HostEntry("a.example", 2, 1)])


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"[]",
        b'{"format": 2, "hosts": []}',
        b'{"format": 1}',
        b'{"format": 1, "hosts": {}}',
        b'{"format": 1, "hosts": [1]}',
        b'{"format": 1, "hosts": [{"host": "a.example", "entry_id": "1", "category": 1}]}',
        b'{"format":1,"hosts":[{"host":"a.example","entry_id":"0000000000000001","category":true}]}',
        b'{"format":1,"hosts":[{"host":"a\\u00e9.example","entry_id":"0000000000000001",'
        b'"category":1}]}',
        b'{"format":1,"hosts":[{"host":"b.example","entry_id":"0000000000000001","category":1},'
        b'{"host":"a.example","entry_id":"0000000000000002","category":1}]}',
        b"\xff",
    ],
)
def test_malformed_extras_are_refused(data: bytes) -> None:
    with pytest.raises(VerificationError, match=r"hosts\.json"):
        decode_hosts(data)


def test_escaped_hosts_are_published_as_they_are() -> None:
    """Canonical hosts may hold %XX escapes (upper-case hex): they travel unchanged."""
    entries = (HostEntry("a%FFb.example", 1, 1), HostEntry("[2001:db8::1]", 2, 1))
    assert decode_hosts(encode_hosts(entries)) == tuple(sorted(entries))
