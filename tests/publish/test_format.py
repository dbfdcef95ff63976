"""Snapshots and deltas: round trips, the delta algebra, and fail-closed decoding."""

from __future__ import annotations

import hashlib
import struct
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotlist.errors import PublishError, VerificationError
from hotlist.publish.format import (
    _COLUMN_PROBLEMS,
    CHECKSUM_SIZE,
    MAGIC,
    RECORD_SIZE,
    Delta,
    FlagChange,
    Record,
    Snapshot,
    apply_delta,
    decode_delta,
    decode_snapshot,
    diff,
    encode_delta,
    encode_snapshot,
    verify_checksum,
)
from hotlist.publish.synthetic import synthetic_records

from .conftest import SnapshotFactory

records_st = st.lists(
    st.builds(
        Record,
        expression_hash=st.binary(min_size=32, max_size=32),
        host_key=st.binary(min_size=8, max_size=8),
        category=st.integers(1, 65535),
        entry_id=st.integers(1, 2**63 - 1),
        flags=st.sampled_from([0, 1]),
    ),
    max_size=30,
    unique_by=lambda r: r.expression_hash,
)


def reseal(data: bytes) -> bytes:
    """Recompute the trailing checksum, so that a test reaches the checks behind it."""
    body = data[:-CHECKSUM_SIZE]
    return body + hashlib.sha256(body).digest()


# -- Snapshots ------------------------------------------------------------------------------


def test_a_snapshot_round_trips(make_snapshot: SnapshotFactory) -> None:
    snapshot = make_snapshot(40, version=7)
    data = encode_snapshot(snapshot)
    assert data.startswith(MAGIC)
    assert decode_snapshot(data) == snapshot
    assert len(data) < 40 * RECORD_SIZE + 80


def test_an_empty_snapshot_round_trips() -> None:
    snapshot = Snapshot.empty("test", 3)
    assert decode_snapshot(encode_snapshot(snapshot)) == snapshot
    assert snapshot.count == 0


def test_records_come_back_sorted_with_their_fields() -> None:
    source = synthetic_records(25, seed=4)
    snapshot = Snapshot.from_records("test", 1, reversed(source))
    by_hash = {r.expression_hash: r for r in source}
    hashes = [r.expression_hash for r in snapshot.records()]
    assert hashes == sorted(by_hash)
    for index, record in enumerate(snapshot.records()):
        original = by_hash[record.expression_hash]
        assert record == Record.of(original)
        assert snapshot.find(record.expression_hash) == index
    assert snapshot.find(b"\xff" * 32) is None
    with pytest.raises(IndexError):
        snapshot.record(25)


def test_two_records_with_one_hash_are_refused() -> None:
    record = synthetic_records(1)[0]
    with pytest.raises(PublishError, match="share the expression hash"):
        Snapshot.from_records("test", 1, [record, record])


@pytest.mark.parametrize("name", ["", "a b", "x" * 65, "-lead", "ümlaut"])
def test_a_bad_list_name_is_refused(name: str) -> None:
    with pytest.raises(VerificationError, match="invalid list name"):
        Snapshot.empty(name)


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(VerificationError, match="disagree"):
        Snapshot("test", 1, b"\x00" * 32, b"", array("H"), array("Q"), b"")


def test_the_digest_covers_every_column(make_snapshot: SnapshotFactory) -> None:
    snapshot = make_snapshot(10)
    flipped = Snapshot(
        snapshot.list_name,
        snapshot.version,
        snapshot.hashes,
        snapshot.host_keys,
        snapshot.categories,
        snapshot.entry_ids,
        bytes([snapshot.flags[0] ^ 1]) + snapshot.flags[1:],
    )
    assert flipped.digest != snapshot.digest


@pytest.fixture
def snapshot_bytes(make_snapshot: SnapshotFactory) -> bytes:
    return encode_snapshot(make_snapshot(12, version=5))


def test_every_truncation_is_refused(snapshot_bytes: bytes) -> None:
    for length in range(len(snapshot_bytes)):
        with pytest.raises(VerificationError):
            decode_snapshot(snapshot_bytes[:length])


def test_every_flipped_byte_is_refused(snapshot_bytes: bytes) -> None:
    for index in range(len(snapshot_bytes)):
        mutated = bytearray(snapshot_bytes)
        mutated[index] ^= 0x40
        with pytest.raises(VerificationError):
            decode_snapshot(bytes(mutated))


def test_a_wrong_magic_says_so(snapshot_bytes: bytes) -> None:
    with pytest.raises(VerificationError, match="wrong magic"):
        decode_snapshot(b"XXXX" + snapshot_bytes[4:])


def test_a_newer_format_version_says_upgrade(snapshot_bytes: bytes) -> None:
    data = reseal(snapshot_bytes[:4] + struct.pack("<H", 2) + snapshot_bytes[6:])
    with pytest.raises(VerificationError, match="upgrade hotlist"):
        decode_snapshot(data)


def test_a_corrupted_body_fails_the_checksum(snapshot_bytes: bytes) -> None:
    data = bytearray(snapshot_bytes)
    data[-CHECKSUM_SIZE - 1] ^= 1
    with pytest.raises(VerificationError, match="checksum mismatch"):
        decode_snapshot(bytes(data))


def test_checksum_false_leaves_only_the_checksum_to_verify_checksum(
    make_snapshot: SnapshotFactory,
) -> None:
    snapshot = make_snapshot(5)
    data = bytearray(encode_snapshot(snapshot))
    verify_checksum(bytes(data))  # a sound file passes
    # The last entry id's most significant byte: still in range, so the structure is sound.
    data[-CHECKSUM_SIZE - snapshot.count - 1] ^= 0x01
    decoded = decode_snapshot(bytes(data), checksum=False)
    assert decoded.count == 5
    assert decoded.entry_ids[4] == snapshot.entry_ids[4] ^ (1 << 56)
    with pytest.raises(VerificationError, match="snapshot checksum mismatch"):
        verify_checksum(bytes(data))
    with pytest.raises(VerificationError, match="snapshot checksum mismatch"):
        decode_snapshot(bytes(data))
    with pytest.raises(VerificationError, match="truncated"):
        verify_checksum(bytes(data[:10]))


def test_checksum_false_still_checks_the_structure(make_snapshot: SnapshotFactory) -> None:
    snapshot = make_snapshot(3)
    data = encode_snapshot(snapshot)
    swapped = snapshot.hash_at(1) + snapshot.hash_at(0) + snapshot.hash_at(2)
    with pytest.raises(VerificationError, match="not sorted"):
        decode_snapshot(data.replace(snapshot.hashes, swapped), checksum=False)
    with pytest.raises(VerificationError, match="truncated"):
        decode_snapshot(data[:-5], checksum=False)
    with pytest.raises(VerificationError, match="wrong magic"):
        decode_snapshot(b"XXXX" + data[4:], checksum=False)
    entry_id_at = len(data) - CHECKSUM_SIZE - 3 - 8 * 3
    zeroed = data[:entry_id_at] + bytes(8) + data[entry_id_at + 8 :]
    with pytest.raises(VerificationError, match="entry id outside"):
        decode_snapshot(zeroed, checksum=False)


def test_unsorted_hashes_are_refused_even_with_a_valid_checksum(
    make_snapshot: SnapshotFactory,
) -> None:
    snapshot = make_snapshot(3)
    swapped = snapshot.hash_at(1) + snapshot.hash_at(0) + snapshot.hash_at(2)
    data = encode_snapshot(snapshot).replace(snapshot.hashes, swapped)
    with pytest.raises(VerificationError, match="not sorted"):
        decode_snapshot(reseal(data))


def test_reserved_flag_bits_are_refused(make_snapshot: SnapshotFactory) -> None:
    snapshot = make_snapshot(3)
    data = encode_snapshot(snapshot)
    flags_at = len(data) - CHECKSUM_SIZE - 3
    data = data[:flags_at] + b"\x80" + data[flags_at + 1 :]
    with pytest.raises(VerificationError, match="reserved bits"):
        decode_snapshot(reseal(data))


def test_a_delta_is_not_a_snapshot(make_snapshot: SnapshotFactory) -> None:
    base = make_snapshot(5)
    delta = diff(base, make_snapshot(5, version=2, start=2))
    with pytest.raises(VerificationError, match="expected a snapshot file, found a delta"):
        decode_snapshot(encode_delta(delta, base))


@settings(max_examples=200)
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_only_ever_raise_verification_error(data: bytes) -> None:
    with pytest.raises(VerificationError):
        decode_snapshot(data)
    with pytest.raises(VerificationError):
        decode_delta(data, Snapshot.empty("test"))


@settings(max_examples=100)
@given(records=records_st, version=st.integers(0, 2**63 - 1))
def test_any_snapshot_round_trips(records: list[Record], version: int) -> None:
    snapshot = Snapshot.from_records("prop", version, records)
    assert decode_snapshot(encode_snapshot(snapshot)) == snapshot


@settings(max_examples=100)
@given(records=records_st, cut=st.integers(0, 10_000), flip=st.integers(1, 255))
def test_mutated_snapshots_are_refused(records: list[Record], cut: int, flip: int) -> None:
    data = bytearray(encode_snapshot(Snapshot.from_records("prop", 1, records)))
    data[cut % len(data)] ^= flip
    with pytest.raises(VerificationError):
        decode_snapshot(bytes(data))


# -- Decoding in place (a mapped file) -----------------------------------------------------


@settings(max_examples=100)
@given(records=records_st, version=st.integers(0, 2**63 - 1))
def test_a_snapshot_decoded_in_place_is_the_same_list_without_a_copy(
    records: list[Record], version: int
) -> None:
    data = encode_snapshot(Snapshot.from_records("prop", version, records))
    copied = decode_snapshot(data)
    viewed = decode_snapshot(memoryview(data))
    assert viewed == copied
    columns = (viewed.hashes, viewed.host_keys, viewed.categories, viewed.entry_ids, viewed.flags)
    assert all(isinstance(column, memoryview) and column.obj is data for column in columns)
    assert (viewed.digest, list(viewed.records())) == (copied.digest, list(copied.records()))
    assert encode_snapshot(viewed) == data
    for record in records:
        assert viewed.find(record.expression_hash) == copied.find(record.expression_hash)


def test_every_truncation_of_a_view_is_refused(snapshot_bytes: bytes) -> None:
    view = memoryview(snapshot_bytes)
    for length in range(len(snapshot_bytes)):
        with pytest.raises(VerificationError):
            decode_snapshot(view[:length])


def test_a_view_with_unsorted_hashes_is_refused(make_snapshot: SnapshotFactory) -> None:
    snapshot = make_snapshot(5)
    hashes = snapshot.hash_list()
    swapped = Snapshot(
        "test",
        1,
        b"".join([hashes[1], hashes[0], *hashes[2:]]),
        snapshot.host_keys,
        snapshot.categories,
        snapshot.entry_ids,
        snapshot.flags,
    )
    with pytest.raises(VerificationError, match="not sorted"):
        decode_snapshot(memoryview(encode_snapshot(swapped)))


def test_deltas_apply_to_and_diff_from_a_list_decoded_in_place(
    make_snapshot: SnapshotFactory,
) -> None:
    old, new = make_snapshot(60, version=1), make_snapshot(60, version=2, start=15)
    in_place = decode_snapshot(memoryview(encode_snapshot(old)))
    delta = diff(old, new)
    assert diff(in_place, new) == delta
    assert apply_delta(in_place, delta) == new
    assert apply_delta(in_place, decode_delta(encode_delta(delta, in_place), in_place)) == new


# -- Deltas and the algebra -----------------------------------------------------------------


def test_diff_then_apply_gives_the_new_snapshot(make_snapshot: SnapshotFactory) -> None:
    old = make_snapshot(60, version=1)
    new = make_snapshot(60, version=2, start=15)
    delta = diff(old, new)
    assert len(delta.added) == 15
    assert len(delta.removed) == 15
    assert apply_delta(old, delta) == new
    assert apply_delta(old, decode_delta(encode_delta(delta, old), old)) == new


def _replace(snapshot: Snapshot, version: int, new: Record) -> Snapshot:
    """``snapshot`` at ``version`` with the record of ``new``'s hash replaced by ``new``."""
    return Snapshot.from_records(
        snapshot.list_name,
        version,
        [new if r.expression_hash == new.expression_hash else r for r in snapshot.records()],
    )


def test_a_category_change_is_a_replacement(make_snapshot: SnapshotFactory) -> None:
    old = make_snapshot(10)
    record = old.record(4)
    new = _replace(old, 2, Record(record.expression_hash, record.host_key, 9, 77, record.flags))
    delta = diff(old, new)
    assert [r.expression_hash for r in delta.added] == [record.expression_hash]
    assert delta.removed == (record.expression_hash,)
    assert apply_delta(old, delta) == new
    assert apply_delta(old, decode_delta(encode_delta(delta, old), old)) == new


def test_a_flag_change_is_a_change(make_snapshot: SnapshotFactory) -> None:
    old = make_snapshot(10)
    record = old.record(4)
    flags = record.flags ^ 1
    new = _replace(
        old,
        2,
        Record(record.expression_hash, record.host_key, record.category, record.entry_id, flags),
    )
    delta = diff(old, new)
    assert delta.changed == (FlagChange(record.expression_hash, flags),)
    assert (delta.added, delta.removed) == ((), ())
    assert apply_delta(old, decode_delta(encode_delta(delta, old), old)) == new


def test_a_delta_record_costs_about_its_hash() -> None:
    old = Snapshot.from_records("test", 1, synthetic_records(20_000))
    new = Snapshot.from_records("test", 2, synthetic_records(20_000, start=100))
    delta = diff(old, new)
    size = len(encode_delta(delta, old))
    # 100 added at 51 bytes, 100 removed at about 2 bytes, header and checksum.
    assert size < 100 * RECORD_SIZE + 100 * 3 + 200


@settings(max_examples=60)
@given(old=records_st, new=records_st, data=st.data())
def test_apply_of_diff_is_the_new_snapshot(
    old: list[Record], new: list[Record], data: st.DataObject
) -> None:
    # Share some records (possibly with other flags or fields) between the two versions.
    shared = data.draw(st.lists(st.sampled_from(old), unique=True)) if old else []
    shared_hashes = {r.expression_hash for r in shared}
    kept = [
        Record(
            r.expression_hash,
            r.host_key,
            r.category,
            r.entry_id,
            r.flags ^ data.draw(st.sampled_from([0, 1])),
        )
        for r in shared
    ]
    new = [r for r in new if r.expression_hash not in shared_hashes] + kept
    before = Snapshot.from_records("prop", 4, old)
    after = Snapshot.from_records("prop", 5, new)
    delta = diff(before, after)
    assert apply_delta(before, delta) == after
    assert decode_delta(encode_delta(delta, before), before) == delta


@settings(max_examples=60)
@given(old=records_st, new=records_st, cut=st.integers(0, 10_000), flip=st.integers(1, 255))
def test_mutated_deltas_are_refused(
    old: list[Record], new: list[Record], cut: int, flip: int
) -> None:
    before = Snapshot.from_records("prop", 1, old)
    after = Snapshot.from_records("prop", 2, new)
    data = bytearray(encode_delta(diff(before, after), before))
    data[cut % len(data)] ^= flip
    with pytest.raises(VerificationError):
        decode_delta(bytes(data), before)


def test_every_truncated_delta_is_refused(make_snapshot: SnapshotFactory) -> None:
    old = make_snapshot(20)
    data = encode_delta(diff(old, make_snapshot(20, version=2, start=5)), old)
    for length in range(len(data)):
        with pytest.raises(VerificationError):
            decode_delta(data[:length], old)


def test_a_delta_for_another_base_version_is_refused(make_snapshot: SnapshotFactory) -> None:
    old = make_snapshot(20, version=1)
    delta = diff(old, make_snapshot(20, version=2, start=5))
    data = encode_delta(delta, old)
    other = make_snapshot(20, version=3)
    with pytest.raises(VerificationError, match="wrong base"):
        decode_delta(data, other)
    with pytest.raises(VerificationError, match="wrong base"):
        apply_delta(other, delta)


def test_a_delta_for_other_contents_of_the_same_version_is_refused(
    make_snapshot: SnapshotFactory,
) -> None:
    old = make_snapshot(20, version=1)
    data = encode_delta(diff(old, make_snapshot(20, version=2, start=5)), old)
    impostor = make_snapshot(20, version=1, start=1)
    with pytest.raises(VerificationError, match="different contents"):
        decode_delta(data, impostor)


def test_a_delta_for_another_list_is_refused(make_snapshot: SnapshotFactory) -> None:
    old = make_snapshot(5)
    data = encode_delta(diff(old, make_snapshot(5, version=2, start=1)), old)
    with pytest.raises(VerificationError, match="delta is for list 'test'"):
        decode_delta(data, make_snapshot(5, name="other"))


def test_apply_refuses_an_impossible_delta(make_snapshot: SnapshotFactory) -> None:
    base = make_snapshot(10, version=1)
    present = base.record(3)
    absent = b"\xee" * 32
    with pytest.raises(VerificationError, match="already in version 1"):
        apply_delta(base, Delta("test", 1, 2, (present,), (), ()))
    with pytest.raises(VerificationError, match="not in base version 1"):
        apply_delta(base, Delta("test", 1, 2, (), (absent,), ()))
    with pytest.raises(VerificationError, match="not in the list"):
        apply_delta(base, Delta("test", 1, 2, (), (), (FlagChange(absent, 1),)))


def test_a_delta_must_go_forward_and_be_sorted() -> None:
    with pytest.raises(VerificationError, match="not forward"):
        Delta("test", 2, 2, (), (), ())
    with pytest.raises(VerificationError, match="not sorted"):
        Delta("test", 1, 2, (), (b"\x02" * 32, b"\x01" * 32), ())
    with pytest.raises(VerificationError, match="reserved bits"):
        Delta("test", 1, 2, (), (), (FlagChange(b"\x01" * 32, 4),))


@pytest.mark.parametrize(
    ("column", "at", "value", "problem"),
    [
        ("hashes", 1, None, "not sorted"),  # a repeated hash
        ("categories", 2, 0, "category outside"),
        ("entry_ids", 0, 0, "entry id outside"),
        ("entry_ids", 4, 2**63, "entry id outside"),
        ("entry_ids", 3, 2**64 - 1, "entry id outside"),
        ("flags", 4, 0x80, "reserved bits"),
        ("flags", 0, 0x02, "reserved bits"),
    ],
)
def test_the_core_finds_each_column_defect_as_the_reference(
    make_snapshot: SnapshotFactory, column: str, at: int, value: int | None, problem: str
) -> None:
    good = make_snapshot(5)
    good.validate()
    assert good._column_problem() is None
    hashes = good.hashes[:32] * 2 + good.hashes[64:] if value is None else good.hashes
    categories = array("H", good.categories)
    entry_ids = array("Q", good.entry_ids)
    flags = bytearray(good.flags)
    if column == "categories":
        categories[at] = value or 0
    elif column == "entry_ids":
        entry_ids[at] = value or 0
    elif column == "flags":
        flags[at] = value or 0
    bad = Snapshot(
        good.list_name, good.version, hashes, good.host_keys, categories, entry_ids, bytes(flags)
    )
    with pytest.raises(VerificationError, match=problem):
        bad.validate()
    assert bad._column_problem() is not None
    assert problem.split()[-1] in _COLUMN_PROBLEMS[bad._column_problem() or ""]
