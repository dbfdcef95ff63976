"""The byte layout of docs/list-format.md, assembled by hand and compared with the encoder."""

from __future__ import annotations

import hashlib
import struct

from hotlist.publish.format import (
    Record,
    Snapshot,
    decode_delta,
    diff,
    encode_delta,
    encode_snapshot,
)


def record(expression: str, category: int, entry_id: int, flags: int = 0) -> Record:
    host = expression.split("/", 1)[0] + "/"
    return Record(
        hashlib.sha256(expression.encode()).digest(),
        hashlib.sha256(host.encode()).digest()[:8],
        category,
        entry_id,
        flags,
    )


RECORDS = sorted(
    [
        record("a.example/", 1, 10),
        record("b.example/x/", 2, 2**63 - 1, flags=1),
        record("c.example/p.html", 65535, 7),
    ],
    key=lambda r: r.expression_hash,
)


def header(kind: int, name: bytes) -> bytes:
    return b"HLST" + struct.pack("<HBBH", 1, kind, 0, len(name)) + name


def columns(records: list[Record]) -> bytes:
    return (
        b"".join(r.expression_hash for r in records)
        + b"".join(r.host_key for r in records)
        + b"".join(struct.pack("<H", r.category) for r in records)
        + b"".join(struct.pack("<Q", r.entry_id) for r in records)
        + bytes(r.flags for r in records)
    )


def sealed(body: bytes) -> bytes:
    return body + hashlib.sha256(body).digest()


def test_snapshot_layout_is_as_documented() -> None:
    snapshot = Snapshot.from_records("main", 9, RECORDS)
    expected = sealed(header(1, b"main") + struct.pack("<QQ", 9, 3) + columns(RECORDS))
    assert encode_snapshot(snapshot) == expected
    assert len(expected) == 26 + 4 + 51 * 3 + 32
    assert snapshot.digest == hashlib.sha256(columns(RECORDS)).digest()


def test_delta_layout_is_as_documented() -> None:
    base = Snapshot.from_records("main", 9, RECORDS)
    added = record("d.example/", 3, 300)
    flipped = RECORDS[2]
    new_records = [
        added,
        RECORDS[1],
        Record(
            flipped.expression_hash,
            flipped.host_key,
            flipped.category,
            flipped.entry_id,
            flipped.flags ^ 1,
        ),
    ]
    new = Snapshot.from_records("main", 10, new_records)
    delta = diff(base, new)
    # Removed: RECORDS[0] at position 0, gap 0; changed: position 2, gap 2, new flags 1.
    expected = sealed(
        header(2, b"main")
        + struct.pack("<QQ", 10, 9)
        + base.digest
        + struct.pack("<QQQ", 1, 1, 1)
        + columns([added])
        + bytes([0])
        + bytes([2])
        + bytes([flipped.flags ^ 1])
    )
    assert encode_delta(delta, base) == expected
    assert decode_delta(expected, base) == delta


def test_positions_are_leb128_gaps() -> None:
    many = [record(f"h{i}.example/", 1, i + 1) for i in range(300)]
    base = Snapshot.from_records("main", 1, many)
    keep = [base.record(i) for i in range(base.count) if i not in (5, 200)]
    delta = diff(base, Snapshot.from_records("main", 2, keep))
    data = encode_delta(delta, base)
    # Gaps: 5, then 200 - 5 - 1 = 194 = 0xC2 0x01 in LEB128.
    assert data[-32 - 3 : -32] == bytes([5, 0xC2, 0x01])
