"""Entries and their append-only events. No entry row is ever deleted; events never change."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from hotlist.publish.wire import format_entry_id
from hotlist.server.db.base import Base, UTCDateTime, refuse, utcnow


class EntryState(StrEnum):
    """Where an entry stands; only ``active`` entries are in the published list."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    REMOVED = "removed"


class EventKind(StrEnum):
    """What an :class:`EntryEvent` records."""

    CREATED = "created"
    REPORT_ADDED = "report_added"
    SUSPENDED = "suspended"
    ACTIVATED = "activated"
    EXPIRED = "expired"
    REMOVED = "removed"


ACTIVE = "state = 'active'"
"""An active entry, as SQL: the predicate of the partial unique index on expression hashes,
which intake's lookup repeats word for word so the planner uses the index."""


class Entry(Base):
    """A list entry and its statement of reasons (modelled on the EU DSA's, no personal data).

    ``public_id`` is the opaque id members see; ``expression`` and ``host`` never leave the
    hotline's staff. At most one active entry holds a given expression (a partial unique index).
    """

    __tablename__ = "entries"
    __table_args__ = (
        Index(
            "uq_entries_active_expression_hash",
            "expression_hash",
            unique=True,
            sqlite_where=text(ACTIVE),
            postgresql_where=text(ACTIVE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    expression: Mapped[str] = mapped_column(Text)
    expression_hash: Mapped[bytes] = mapped_column(LargeBinary(32), index=True)
    host: Mapped[str] = mapped_column(String(255), index=True)
    scope: Mapped[str] = mapped_column(String(8))
    category_code: Mapped[str] = mapped_column(String(32), index=True)
    category_wire_id: Mapped[int] = mapped_column()
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"))
    legal_basis: Mapped[str] = mapped_column(Text)
    legal_order: Mapped[bool] = mapped_column(default=False)
    territorial_scope: Mapped[str] = mapped_column(String(1000))
    facts: Mapped[str] = mapped_column(Text)
    scope_reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16), default=EntryState.ACTIVE, index=True)
    disputed: Mapped[bool] = mapped_column(default=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def public_ref(self) -> str:
        """``public_id`` as members see it: 16 lowercase hex digits."""
        return format_entry_id(self.public_id)


class EntryEvent(Base):
    """One thing that happened to an entry: who (``actor_id``, empty for the server), when, why."""

    __tablename__ = "entry_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(16), default=None)
    to_state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), default=None)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


refuse(Entry, "list entries are never deleted; remove one instead", on=("before_delete",))
refuse(EntryEvent, "entry events are append-only")
