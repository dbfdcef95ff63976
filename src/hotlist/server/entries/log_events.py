"""What the entries service logs: one call each where an entry changes (a policy version's own
event is the policies service's).

The fields are the ones a member or observer can check against the list and the statements of
reasons: the entry's public id, its expression hash, category and policy version number; never
the expression. Free-text reasons stay in the database (entry events); the log carries codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple, NotRequired, Protocol, TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotlist.publish.log.events import LogEventKind, format_time
from hotlist.publish.wire import format_entry_id
from hotlist.server.entries.models import Entry, EntryState
from hotlist.server.log.service import PendingEvent, record, record_many
from hotlist.server.policies.models import PolicyVersion

KIND_FOR_STATE = {
    EntryState.ACTIVE: LogEventKind.ENTRY_REINSTATED,
    EntryState.SUSPENDED: LogEventKind.ENTRY_SUSPENDED,
    EntryState.EXPIRED: LogEventKind.ENTRY_EXPIRED,
    EntryState.REMOVED: LogEventKind.ENTRY_REMOVED,
}
"""The log event of a move into each state."""

NOT_REVERIFIED = "not_reverified"
"""The reason code of an expiry the server made because nobody re-confirmed the entry."""
GONE_AT_SOURCE = "gone_at_source"
"""The reason code of a removal the server made because re-verification found the content gone
where it was hosted (two checks 12 hours apart)."""


class EntryFields(TypedDict):
    """The fields every entry event carries in the log."""

    entry_id: str
    expression_hash: str
    category: str
    policy_version: NotRequired[int]


class AddedEntry(Protocol):
    """What the log says of a new entry: an :class:`Entry`, or a :class:`NewEntry` in bulk."""

    @property
    def public_id(self) -> int: ...
    @property
    def expression_hash(self) -> bytes: ...
    @property
    def category_code(self) -> str: ...
    @property
    def policy_version_id(self) -> int: ...
    @property
    def scope(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def expires_at(self) -> datetime: ...


class NewEntry(NamedTuple):
    """A new entry's logged values, for entries inserted in bulk (no ORM object)."""

    public_id: int
    expression_hash: bytes
    category_code: str
    policy_version_id: int
    scope: str
    created_at: datetime
    expires_at: datetime


def _fields(entry: AddedEntry, number: int | None) -> EntryFields:
    fields: EntryFields = {
        "entry_id": format_entry_id(entry.public_id),
        "expression_hash": entry.expression_hash.hex(),
        "category": entry.category_code,
    }
    if number is not None:
        fields["policy_version"] = number
    return fields


def entry_fields(session: Session, entry: Entry) -> EntryFields:
    """What the log says of an entry: public id, expression hash, category, policy version."""
    number = session.scalar(
        select(PolicyVersion.version).where(PolicyVersion.id == entry.policy_version_id)
    )
    return _fields(entry, number)


def log_entry_added(session: Session, entry: Entry) -> int:
    """Log a new entry (its scope and when it expires unless re-confirmed); the leaf index."""
    return log_entries_added(session, [entry])[0]


def log_entries_added(session: Session, entries: Sequence[AddedEntry]) -> list[int]:
    """Log new entries as :func:`log_entry_added` does, one leaf each, in order; their indexes."""
    wanted = {entry.policy_version_id for entry in entries}
    query = select(PolicyVersion.id, PolicyVersion.version).where(PolicyVersion.id.in_(wanted))
    numbers = {row.id: row.version for row in session.execute(query)}
    return record_many(
        session, [_added_event(entry, numbers.get(entry.policy_version_id)) for entry in entries]
    )


def _added_event(entry: AddedEntry, number: int | None) -> PendingEvent:
    fields = _fields(entry, number)
    return (
        LogEventKind.ENTRY_ADDED,
        entry.created_at,
        {
            "entry_id": fields["entry_id"],
            "expression_hash": fields["expression_hash"],
            "category": fields["category"],
            "policy_version": fields.get("policy_version"),
            "scope": entry.scope,
            "expires_at": format_time(entry.expires_at),
        },
    )


def log_entry_transition(
    session: Session,
    entry: Entry,
    from_state: EntryState,
    actor_id: int | None,
    reason: str | None = None,
) -> int:
    """Log ``entry``'s move from ``from_state`` to its state now; the leaf index.

    ``reason`` is a reason code for the log (never the people's text); an expiry with no actor
    is the server's (the entry was not re-verified in time) and says so by itself.
    """
    to_state = EntryState(entry.state)
    if reason is None and to_state is EntryState.EXPIRED and actor_id is None:
        reason = NOT_REVERIFIED
    expires = format_time(entry.expires_at) if to_state is EntryState.ACTIVE else None
    return record(
        session,
        KIND_FOR_STATE[to_state],
        at=entry.state_changed_at,
        from_state=from_state.value,
        reason=reason,
        expires_at=expires,
        **entry_fields(session, entry),
    )
