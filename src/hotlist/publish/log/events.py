"""Transparency-log events: their kinds, the fields each kind allows, the canonical leaf bytes.

A leaf is one event as canonical JSON: sorted keys, no spaces, UTF-8, ``kind`` and ``time`` plus
the event's fields. Only ids, hex hashes, codes, numbers and flags are allowed, each checked by
its own rule, and only the fields named for the kind: no plaintext URL or free text can reach
the log. The leaf bytes are what is hashed, so :func:`decode_event` refuses any other encoding.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from hotlist.errors import InvalidLogEvent, VerificationError
from hotlist.publish.wire import ENTRY_ID_PATTERN

FieldValue = str | int | bool
"""A field's value in a leaf (``None`` given to :func:`encode_event` means absent)."""


class LogEventKind(StrEnum):
    """What a log event records."""

    ENTRY_ADDED = "entry_added"
    ENTRY_SUSPENDED = "entry_suspended"
    ENTRY_REINSTATED = "entry_reinstated"
    ENTRY_REMOVED = "entry_removed"
    ENTRY_EXPIRED = "entry_expired"
    ENTRY_DISPUTED = "entry_disputed"
    ENTRY_UNDISPUTED = "entry_undisputed"
    ENTRY_SCOPE_CHANGED = "entry_scope_changed"
    POLICY_VERSION = "policy_version"
    OBJECTION_DECIDED = "objection_decided"
    APPEAL_DECIDED = "appeal_decided"
    NOTICE_OUTCOME = "notice_outcome"


_ENTRY_ID = re.compile(ENTRY_ID_PATTERN)
_HASH = re.compile(r"[0-9a-f]{64}")
_CODE = re.compile(r"[a-z][a-z0-9_-]{0,63}")
_POLICY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_MAX_INT = 2**63 - 1


def _text(pattern: re.Pattern[str], what: str) -> Callable[[object], str | None]:
    def check(value: object) -> str | None:
        if isinstance(value, str) and pattern.fullmatch(value):
            return None
        return f"must be {what}"

    return check


def _number(minimum: int) -> Callable[[object], str | None]:
    def check(value: object) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= _MAX_INT:
            return None
        return f"must be an integer from {minimum}"

    return check


def _flag(value: object) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


_entry_id = _text(_ENTRY_ID, "an entry id (16 lowercase hex digits)")
_hash = _text(_HASH, "a SHA-256 hash (64 lowercase hex digits)")
_code = _text(_CODE, "a code (a lowercase letter, then up to 63 of a-z 0-9 _ -)")
_time = _text(_TIME, "a UTC time as YYYY-MM-DDTHH:MM:SSZ")

FIELD_RULES: Mapping[str, Callable[[object], str | None]] = MappingProxyType(
    {
        "entry_id": _entry_id,
        "previous_entry_id": _entry_id,
        "expression_hash": _hash,
        "previous_expression_hash": _hash,
        "content_hash": _hash,
        "category": _code,
        "reason": _code,
        "scope": _code,
        "previous_scope": _code,
        "from_state": _code,
        "outcome": _code,
        "relation": _code,
        "policy_id": _text(_POLICY_ID, "a policy id (1..64 of A-Z a-z 0-9 . _ -)"),
        "policy_version": _number(1),
        "objection_id": _number(1),
        "appeal_id": _number(1),
        "notice_id": _number(1),
        "items": _number(0),
        "expires_at": _time,
        "interim_suspension": _flag,
        "overdue": _flag,
    }
)
"""Every field a leaf may carry, with the rule its value must meet (a message when it does not)."""

_ENTRY = frozenset({"entry_id", "expression_hash", "category", "policy_version", "reason"})
_BY_DECISION = frozenset({"from_state", "objection_id", "appeal_id"})

ALLOWED_FIELDS: Mapping[LogEventKind, frozenset[str]] = MappingProxyType(
    {
        LogEventKind.ENTRY_ADDED: _ENTRY | {"scope", "expires_at"},
        LogEventKind.ENTRY_SUSPENDED: _ENTRY | _BY_DECISION,
        LogEventKind.ENTRY_REINSTATED: _ENTRY | _BY_DECISION | {"expires_at"},
        LogEventKind.ENTRY_REMOVED: _ENTRY | _BY_DECISION,
        LogEventKind.ENTRY_EXPIRED: _ENTRY | {"from_state"},
        LogEventKind.ENTRY_DISPUTED: _ENTRY | {"objection_id"},
        LogEventKind.ENTRY_UNDISPUTED: _ENTRY | {"objection_id"},
        LogEventKind.ENTRY_SCOPE_CHANGED: _ENTRY
        | _BY_DECISION
        | {"scope", "previous_scope", "previous_entry_id", "previous_expression_hash"},
        LogEventKind.POLICY_VERSION: frozenset({"policy_version", "policy_id", "content_hash"}),
        LogEventKind.OBJECTION_DECIDED: frozenset(
            {"objection_id", "entry_id", "outcome", "reason", "policy_version"}
        ),
        LogEventKind.APPEAL_DECIDED: frozenset(
            {
                "appeal_id",
                "entry_id",
                "outcome",
                "reason",
                "relation",
                "overdue",
                "interim_suspension",
                "policy_version",
            }
        ),
        LogEventKind.NOTICE_OUTCOME: frozenset(
            {
                "notice_id",
                "outcome",
                "from_state",
                "category",
                "relation",
                "items",
                "policy_version",
            }
        ),
    }
)
"""The fields each kind may carry; anything else is refused."""

REQUIRED_FIELDS: Mapping[LogEventKind, frozenset[str]] = MappingProxyType(
    {
        kind: (
            frozenset({"policy_version", "content_hash"})
            if kind is LogEventKind.POLICY_VERSION
            else frozenset({"objection_id", "entry_id", "outcome"})
            if kind is LogEventKind.OBJECTION_DECIDED
            else frozenset({"appeal_id", "entry_id", "outcome"})
            if kind is LogEventKind.APPEAL_DECIDED
            else frozenset({"notice_id", "outcome"})
            if kind is LogEventKind.NOTICE_OUTCOME
            else frozenset({"entry_id", "expression_hash"})
        )
        for kind in LogEventKind
    }
)
"""The fields without which an event of that kind says nothing."""


def event_kind(kind: LogEventKind | str) -> LogEventKind:
    """The kind named ``kind``, or InvalidLogEvent listing the kinds that exist."""
    try:
        return LogEventKind(kind)
    except ValueError as exc:
        known = ", ".join(k.value for k in LogEventKind)
        raise InvalidLogEvent(f"unknown log event kind {kind!r} (known: {known})") from exc


def format_time(at: datetime) -> str:
    """A leaf's time: UTC to the second, ``YYYY-MM-DDTHH:MM:SSZ``."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidLogEvent(f"naive datetime {at.isoformat()} given; use a timezone-aware one")
    return at.astimezone(UTC).strftime(_TIME_FORMAT)


def parse_time(text: str) -> datetime:
    """The datetime a leaf's ``time`` (or ``expires_at``) names."""
    if not _TIME.fullmatch(text):
        raise InvalidLogEvent(f"time {text!r} is not YYYY-MM-DDTHH:MM:SSZ")
    return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)


@dataclass(frozen=True)
class LogEvent:
    """One event of the log; constructing it checks the kind's fields and their values."""

    kind: LogEventKind
    time: datetime
    fields: Mapping[str, FieldValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        kind = event_kind(self.kind)
        object.__setattr__(self, "kind", kind)
        format_time(self.time)
        allowed = ALLOWED_FIELDS[kind]
        unknown = sorted(set(self.fields) - allowed)
        if unknown:
            raise InvalidLogEvent(
                f"a {kind} event may not carry {', '.join(unknown)} "
                f"(allowed: {', '.join(sorted(allowed))})"
            )
        missing = sorted(REQUIRED_FIELDS[kind] - set(self.fields))
        if missing:
            raise InvalidLogEvent(f"a {kind} event needs {', '.join(missing)}")
        for name, value in self.fields.items():
            problem = FIELD_RULES[name](value)
            if problem is not None:
                raise InvalidLogEvent(f"{kind} field {name}={value!r} {problem}")
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))

    def to_json(self) -> dict[str, FieldValue]:
        """The event as the JSON object its leaf holds."""
        return {"kind": self.kind.value, "time": format_time(self.time), **self.fields}

    def encode(self) -> bytes:
        """The canonical leaf bytes: sorted keys, no spaces, UTF-8."""
        return _canonical(self.to_json())


def _canonical(document: Mapping[str, Any]) -> bytes:
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def make_event(
    kind: LogEventKind | str, at: datetime, fields: Mapping[str, FieldValue | None]
) -> LogEvent:
    """An event from keyword-style fields; ``None`` values are left out (optional and absent)."""
    present = {name: value for name, value in fields.items() if value is not None}
    for reserved in ("kind", "time"):
        if reserved in present:
            raise InvalidLogEvent(f"{reserved!r} is set by the log, not passed as a field")
    return LogEvent(kind=event_kind(kind), time=at, fields=present)


def encode_event(
    kind: LogEventKind | str, at: datetime, fields: Mapping[str, FieldValue | None]
) -> bytes:
    """The canonical leaf bytes of one event (see :func:`make_event`)."""
    return make_event(kind, at, fields).encode()


def decode_event(data: bytes) -> LogEvent:
    """The event in leaf bytes; refuses anything not valid, canonical JSON of an allowed event."""
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VerificationError(f"a log leaf is not UTF-8 JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise VerificationError("a log leaf is not a JSON object")
    fields = dict(document)
    kind = fields.pop("kind", None)
    time = fields.pop("time", None)
    if not isinstance(kind, str) or not isinstance(time, str):
        raise VerificationError("a log leaf lacks its kind or time")
    try:
        event = LogEvent(kind=event_kind(kind), time=parse_time(time), fields=fields)
    except InvalidLogEvent as exc:
        raise VerificationError(f"a log leaf holds an invalid event: {exc}") from exc
    if event.encode() != data:
        raise VerificationError("a log leaf is not in canonical form (sorted keys, no spaces)")
    return event
