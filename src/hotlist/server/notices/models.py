"""Notices, the entries each covers, their append-only events, and one removal case per entry."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from hotlist.server.db.base import Base, UTCDateTime, refuse, utcnow


class NoticeState(StrEnum):
    """Where a notice stands: drafted -> sent -> acknowledged / removed / escalated / unresolved."""

    DRAFTED = "drafted"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    REMOVED = "removed"
    ESCALATED = "escalated"
    UNRESOLVED = "unresolved"


class ContactRole(StrEnum):
    """Who a notice goes to, by rung of the ladder."""

    HOST = "host"
    UPSTREAM = "upstream"
    REGISTRAR = "registrar"
    PARTNER = "partner"
    POLICE = "police"


class ItemState(StrEnum):
    """Where one URL of a notice stands."""

    PENDING = "pending"
    REMOVED_BEFORE_NOTICE = "removed_before_notice"
    REMOVED = "removed"


OPEN_NOTICE = "closed_at IS NULL"


class Notice(Base):
    """One notice to one contact, covering every URL of that contact in its window.

    ``reference`` is what the subject carries and replies quote back; ``step`` counts sends
    (0: drafted, 1: first notice, 2: re-notice, ...). ``due_at`` is when the ladder next acts;
    ``held_until``/``hold_reason`` an analyst's hold. ``escalated_from`` links a notice to the
    one whose contact did not act.
    """

    __tablename__ = "notices"
    __table_args__ = (
        Index(
            "ix_notices_due_at",
            "due_at",
            sqlite_where=text(OPEN_NOTICE),
            postgresql_where=text(OPEN_NOTICE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    contact: Mapped[str] = mapped_column(String(320), index=True)
    role: Mapped[str] = mapped_column(String(16), default=ContactRole.HOST)
    country: Mapped[str | None] = mapped_column(String(2), default=None)
    category_code: Mapped[str] = mapped_column(String(32))
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"))
    state: Mapped[str] = mapped_column(String(16), default=NoticeState.DRAFTED, index=True)
    step: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    first_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    held_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    hold_reason: Mapped[str | None] = mapped_column(Text, default=None)
    escalated_from: Mapped[int | None] = mapped_column(ForeignKey("notices.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class NoticeItem(Base):
    """One entry a notice covers, and what became of it."""

    __tablename__ = "notice_items"
    __table_args__ = (UniqueConstraint("notice_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    state: Mapped[str] = mapped_column(String(24), default=ItemState.PENDING)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class NoticeEventKind(StrEnum):
    """What a :class:`NoticeEvent` records."""

    DRAFTED = "drafted"
    SENT = "sent"
    RESENT = "resent"
    SEND_FAILED = "send_failed"
    ACKNOWLEDGED = "acknowledged"
    REPLY = "reply"
    REMOVED = "removed"
    REMOVED_BEFORE_NOTICE = "removed_before_notice"
    ESCALATED = "escalated"
    UNRESOLVED = "unresolved"
    HELD = "held"
    RELEASED = "released"


class NoticeEvent(Base):
    """One thing that happened to a notice: who (``actor_id``, empty for the server), when, what.

    ``message_id`` is the e-mail's Message-ID (sent or received); ``detail`` what a person or the
    server wrote (a hold's reason, a reply's first lines, the SMTP error)."""

    __tablename__ = "notice_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(16), default=None)
    to_state: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[str | None] = mapped_column(String(255), default=None, index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"), default=None)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RemovalOutcome(StrEnum):
    """How a case ended (or stands)."""

    OPEN = "open"
    REMOVED = "removed"
    REMOVED_BEFORE_NOTICE = "removed_before_notice"
    UNRESOLVED = "unresolved"


class CaseRoute(StrEnum):
    """Where the notices job sent a case."""

    NOTICE = "notice"
    """Hosted at home: a notice to the host's abuse contact."""
    REFERRAL = "referral"
    """Hosted abroad: for the partner hotline (``referral_sent_at`` once referred)."""
    INTERMEDIARY = "intermediary"
    """The host is on the intermediaries list: flagged, never noticed."""
    ANALYST = "analyst"
    """The job could not decide (country unknown, no abuse contact): an analyst's to route."""


class RemovalCase(Base):
    """One entry's way to removal: the four timestamps the time-to-removal figures read.

    ``report_received_at`` is its first report's; ``notice_sent_at`` the first notice (or
    ``referral_sent_at`` the referral abroad); ``police_notified_at`` where the ladder reached
    the police; ``removed_at`` when the checker (or a reply confirmed by it) saw the content
    gone. ``host`` only for the staff's per-host figures; never published.
    """

    __tablename__ = "removal_cases"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("entries.id"), primary_key=True, autoincrement=False
    )
    category_code: Mapped[str] = mapped_column(String(32), index=True)
    host: Mapped[str] = mapped_column(String(255), index=True)
    country: Mapped[str | None] = mapped_column(String(2), default=None)
    report_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    notice_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    referral_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    police_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None, index=True)
    outcome: Mapped[str] = mapped_column(String(24), default=RemovalOutcome.OPEN)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    route: Mapped[str | None] = mapped_column(String(16), default=None)
    """Where the notices job sent the case (:class:`CaseRoute`); None: not yet routed."""
    route_note: Mapped[str | None] = mapped_column(Text, default=None)
    """Why, in words an analyst reads (staff only)."""


refuse(NoticeEvent, "notice events are append-only")
refuse(Notice, "notices are never deleted", on=("before_delete",))
