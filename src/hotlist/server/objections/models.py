"""An objection: a member's challenge to one entry, and the supervisor's decision on it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotlist.server.db.base import Base, UTCDateTime, utcnow


class ObjectionState(StrEnum):
    """Open until a supervisor decides it; a decision is final."""

    OPEN = "open"
    DECIDED = "decided"


class ObjectionOutcome(StrEnum):
    """What the supervisor decided."""

    UPHELD = "upheld"
    """The objection is right: the entry is removed."""
    REJECTED = "rejected"
    """The entry stands; its disputed flag is cleared once no other objection is open."""
    SCOPE_CHANGED = "scope_changed"
    """The entry is replaced by one of another scope."""


class Objection(Base):
    """One member organisation's objection to one entry; the decision fields are written once."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), default=None)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=ObjectionState.OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)
    decision_reason: Mapped[str | None] = mapped_column(Text, default=None)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None, index=True)
    new_entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"), default=None)
    log_index: Mapped[int | None] = mapped_column(default=None)
