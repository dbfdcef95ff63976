"""An appeal against an entry by anyone, with its receipt, interim measure and decision."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotlist.server.db.base import Base, UTCDateTime, utcnow


class AppealState(StrEnum):
    """Open until decided; the appellant sees only this, and the outcome once decided."""

    OPEN = "open"
    DECIDED = "decided"


class AppealOutcome(StrEnum):
    """What the supervisor decided."""

    UPHELD = "upheld"
    """The appellant is right: the entry is removed."""
    REJECTED = "rejected"
    """The entry stands (reinstated if it was suspended for this appeal)."""


class Relation(StrEnum):
    """How the appellant relates to the blocked address."""

    SITE_OWNER = "site_owner"
    USER = "user"
    OTHER = "other"


class Appeal(Base):
    """One appeal. No address or identifier of the appellant; ``contact`` is encrypted."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt: Mapped[str] = mapped_column(String(32), unique=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    relation: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    contact: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    contact_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    state: Mapped[str] = mapped_column(String(16), default=AppealState.OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    interim_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    interim_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    interim_reason: Mapped[str | None] = mapped_column(Text, default=None)
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)
    decision_reason: Mapped[str | None] = mapped_column(Text, default=None)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None, index=True)
    log_index: Mapped[int | None] = mapped_column(default=None)
