"""ListRecord checks its fields when built."""

from __future__ import annotations

import pytest

from hotlist.errors import PublishError
from hotlist.publish.records import ListRecord

HASH = bytes(range(32))


def test_a_valid_record_exposes_its_host_key_and_dispute_flag() -> None:
    record = ListRecord(HASH, bytes(reversed(range(32))), 3, 42, flags=1)
    assert record.host_key == bytes(reversed(range(32)))[:8]
    assert record.disputed


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"expression_hash": b"short"}, "expression hash is 5 bytes"),
        ({"host_hash": b"\x00" * 31}, "host hash is 31 bytes"),
        ({"category": 0}, "category 0"),
        ({"category": 65536}, "category 65536"),
        ({"entry_id": 0}, "entry id 0"),
        ({"entry_id": 2**63}, "entry id"),
        ({"flags": 2}, "reserved bits"),
        ({"flags": -1}, "reserved bits"),
    ],
)
def test_an_invalid_field_is_a_publish_error(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "expression_hash": HASH,
        "host_hash": HASH,
        "category": 1,
        "entry_id": 1,
        "flags": 0,
    }
    fields.update(kwargs)
    with pytest.raises(PublishError, match=message):
        ListRecord(**fields)  # type: ignore[arg-type]
