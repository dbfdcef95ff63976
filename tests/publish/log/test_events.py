"""Log events: canonical leaves, only the fields a kind allows, strict decoding."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotlist.errors import InvalidLogEvent, VerificationError
from hotlist.publish.log.events import (
    ALLOWED_FIELDS,
    FIELD_RULES,
    REQUIRED_FIELDS,
    LogEvent,
    LogEventKind,
    decode_event,
    encode_event,
)

AT = datetime(2026, 11, 24, 7, 30, 5, 123456, tzinfo=UTC)
ENTRY = {"entry_id": "0123456789abcdef", "expression_hash": "ab" * 32}

VALUES: dict[str, st.SearchStrategy[str | int | bool]] = {
    "entry_id": st.from_regex(r"[0-9a-f]{16}", fullmatch=True),
    "previous_entry_id": st.from_regex(r"[0-9a-f]{16}", fullmatch=True),
    "expression_hash": st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
    "previous_expression_hash": st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
    "content_hash": st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
    "policy_id": st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True),
    "policy_version": st.integers(1, 2**40),
    "objection_id": st.integers(1, 2**40),
    "appeal_id": st.integers(1, 2**40),
    "notice_id": st.integers(1, 2**40),
    "items": st.integers(0, 2**20),
    "expires_at": st.just("2027-01-01T00:00:00Z"),
    "interim_suspension": st.booleans(),
    "overdue": st.booleans(),
}
CODE: st.SearchStrategy[str | int | bool] = st.from_regex(r"[a-z][a-z0-9_-]{0,20}", fullmatch=True)


def test_every_field_has_a_rule_and_every_kind_a_field_list() -> None:
    assert set(ALLOWED_FIELDS) == set(LogEventKind) == set(REQUIRED_FIELDS)
    for kind, allowed in ALLOWED_FIELDS.items():
        assert allowed <= set(FIELD_RULES), kind
        assert REQUIRED_FIELDS[kind] <= allowed, kind


def test_a_leaf_is_sorted_compact_json_with_the_time_to_the_second() -> None:
    data = encode_event("entry_removed", AT, {**ENTRY, "reason": "content_gone", "scope": None})
    assert data == (
        b'{"entry_id":"0123456789abcdef","expression_hash":"' + b"ab" * 32 + b'",'
        b'"kind":"entry_removed","reason":"content_gone","time":"2026-11-24T07:30:05Z"}'
    )
    event = decode_event(data)
    assert event.kind is LogEventKind.ENTRY_REMOVED
    assert event.time == AT.replace(microsecond=0)


def test_times_in_other_zones_are_written_in_utc() -> None:
    paris = AT.astimezone(timezone(timedelta(hours=1)))
    assert encode_event("entry_removed", paris, ENTRY) == encode_event("entry_removed", AT, ENTRY)
    with pytest.raises(InvalidLogEvent, match="naive"):
        encode_event("entry_removed", AT.replace(tzinfo=None), ENTRY)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({**ENTRY, "url": "http://www.example.com/"}, "may not carry url"),
        ({**ENTRY, "reason": "http://www.example.com/"}, "reason"),
        ({**ENTRY, "reason": "www.example.com"}, "reason"),
        ({**ENTRY, "category": "A" * 10}, "category"),
        ({**ENTRY, "policy_version": "1"}, "policy_version"),
        ({**ENTRY, "policy_version": 0}, "policy_version"),
        ({**ENTRY, "expression_hash": "AB" * 32}, "expression_hash"),
        ({"entry_id": ENTRY["entry_id"]}, "needs expression_hash"),
        ({**ENTRY, "kind": "entry_added"}, "set by the log"),
        ({**ENTRY, "time": "2026-11-24T07:30:05Z"}, "set by the log"),
    ],
)
def test_what_a_kind_does_not_allow_is_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidLogEvent, match=message):
        encode_event("entry_removed", AT, fields)  # type: ignore[arg-type]


def test_an_unknown_kind_is_refused_with_the_known_ones() -> None:
    with pytest.raises(InvalidLogEvent, match="entry_added"):
        encode_event("entry_vanished", AT, ENTRY)


@st.composite
def events(draw: st.DrawFn) -> LogEvent:
    kind = draw(st.sampled_from(list(LogEventKind)))
    fields: dict[str, str | int | bool] = {}
    for name in sorted(ALLOWED_FIELDS[kind]):
        if name in REQUIRED_FIELDS[kind] or draw(st.booleans()):
            fields[name] = draw(VALUES.get(name, CODE))
    time = draw(st.datetimes(timezones=st.just(UTC), min_value=datetime(2000, 1, 1)))
    return LogEvent(kind=kind, time=time.replace(microsecond=0), fields=fields)


@settings(max_examples=200)
@given(event=events())
def test_every_valid_event_round_trips_through_its_leaf(event: LogEvent) -> None:
    data = event.encode()
    assert decode_event(data) == event
    assert data.decode("ascii")  # codes, hashes and numbers only


@settings(max_examples=200)
@given(event=events(), junk=st.binary(min_size=1, max_size=4), at=st.integers(0, 400))
def test_a_changed_leaf_either_decodes_to_a_valid_event_or_is_refused(
    event: LogEvent, junk: bytes, at: int
) -> None:
    data = event.encode()
    position = at % (len(data) + 1)
    mutated = data[:position] + junk + data[position:]
    try:
        decoded = decode_event(mutated)
    except VerificationError:
        return
    assert decoded.encode() == mutated


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b"[]",
        b'{"kind":"entry_removed"}',
        b'{"entry_id":"0123456789abcdef", "kind":"entry_removed","time":"2026-11-24T07:30:05Z"}',
        b"\xff\xfe",
    ],
)
def test_malformed_or_non_canonical_leaves_are_refused(data: bytes) -> None:
    with pytest.raises(VerificationError):
        decode_event(data)


def test_spaces_or_another_key_order_are_not_canonical() -> None:
    data = encode_event("entry_removed", AT, ENTRY)
    with pytest.raises(VerificationError, match="canonical"):
        decode_event(data.replace(b",", b", ", 1))
