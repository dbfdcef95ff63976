"""The wire vocabulary: entry ids in their one form, extra names, and list.json both ways."""

from __future__ import annotations

import json
from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotlist.errors import PublishError, VerificationError
from hotlist.publish.wire import (
    MAX_ENTRY_ID,
    DeltaRef,
    FileRef,
    Manifest,
    extra_target,
    format_entry_id,
    is_entry_id,
    parse_entry_id,
)

MANIFEST = Manifest(
    list_name="main",
    version=3,
    count=2,
    digest="ab" * 32,
    snapshot=FileRef("snapshots/3.snapshot", 420, "cd" * 32),
    deltas=(
        DeltaRef(1, 2, "deltas/1-2.delta", 90),
        DeltaRef(2, 3, "deltas/2-3.delta", 80),
    ),
    extras=MappingProxyType({"policy.json": FileRef("extras/policy.json", 12, "ef" * 32)}),
    published_at="2026-03-01T12:00:00+00:00",
)


@given(st.integers(min_value=1, max_value=MAX_ENTRY_ID))
def test_an_entry_id_is_written_and_read_back(entry_id: int) -> None:
    text = format_entry_id(entry_id)
    assert len(text) == 16
    assert is_entry_id(text)
    assert parse_entry_id(text) == entry_id


@pytest.mark.parametrize(
    "text", ["00000000000000BE", "be", "0" * 17, " 00000000000000be", "00000000000000bg", ""]
)
def test_an_entry_id_has_one_written_form(text: str) -> None:
    assert not is_entry_id(text)
    with pytest.raises(ValueError, match="16 lower-case hex digits"):
        parse_entry_id(text)


def test_extra_targets_and_their_names() -> None:
    assert extra_target("log/head.json") == "extras/log/head.json"
    with pytest.raises(PublishError, match="extra name"):
        extra_target("Policy.json")


def test_the_manifest_round_trips() -> None:
    data = MANIFEST.encode()
    assert Manifest.decode(data) == MANIFEST
    document = json.loads(data)
    assert document["format"] == 1
    assert document["deltas"][0] == {
        "from": 1,
        "to": 2,
        "path": "deltas/1-2.delta",
        "length": 90,
    }
    assert list(document) == sorted(document)


def test_a_delta_entry_the_edge_cannot_read_is_left_out() -> None:
    document = json.loads(MANIFEST.encode())
    document["deltas"] = [
        "not an object",
        {"from": 2, "to": 2, "path": "deltas/2-2.delta", "length": 1},
        {"from": 1, "to": "two", "path": "deltas/1-2.delta", "length": 1},
        {"from": 2, "to": 3, "path": "deltas/2-3.delta", "length": 80},
    ]
    decoded = Manifest.decode(json.dumps(document).encode())
    assert decoded.deltas == (DeltaRef(2, 3, "deltas/2-3.delta", 80),)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": 2}, r"list\.json is not valid: unknown index format"),
        ({"version": "3"}, "version is not a number"),
        ({"digest": "xyz"}, r"list\.json is not valid"),
        ({"snapshot": {"length": 1}}, r"list\.json is not valid"),
        ({"extras": []}, "names its extras wrongly"),
        ({"extras": {"../x": {"path": "extras/x", "sha256": "00"}}}, "invalid extra"),
        ({"extras": {"x.json": {"path": 7, "sha256": "00"}}}, "names the extra x.json wrongly"),
    ],
)
def test_a_malformed_manifest_is_refused(change: dict[str, object], message: str) -> None:
    document = {**json.loads(MANIFEST.encode()), **change}
    with pytest.raises(VerificationError, match=message):
        Manifest.decode(json.dumps(document).encode())


def test_bytes_that_are_not_json_are_refused() -> None:
    with pytest.raises(VerificationError, match=r"list\.json is not valid"):
        Manifest.decode(b"\xff{")
