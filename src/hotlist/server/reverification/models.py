"""The append-only check log and each entry's place in the check schedule."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotlist.server.db.base import Base, UTCDateTime, refuse, utcnow


class CheckOutcome(StrEnum):
    """What one check found."""

    PRESENT = "present"
    """The URL answered 2xx (after redirects): the content is there."""
    GONE = "gone"
    """404, 410, a name that no longer resolves, or a redirect away to something else."""
    FAILED = "failed"
    """No answer to judge by (timeout, refused connection, 5xx): counts neither way."""
    REFUSED = "refused"
    """The checker would not ask (a private, loopback or link-local address)."""


class CheckKind(StrEnum):
    """Why a check was made."""

    BASELINE = "baseline"
    SCHEDULED = "scheduled"
    BEFORE_NOTICE = "before_notice"
    MANUAL = "manual"


class UrlCheck(Base):
    """One check of an entry's URL; never changed. ``hops`` is every redirect followed
    (``[{"url": ..., "status": 301}, ...]``); ``changed`` lists what differs from the baseline
    (``["etag", "content_length"]``)."""

    __tablename__ = "url_checks"
    __table_args__ = (Index("ix_url_checks_entry_at", "entry_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"))
    kind: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    url: Mapped[str] = mapped_column(Text)
    status: Mapped[int | None] = mapped_column(default=None)
    final_url: Mapped[str | None] = mapped_column(Text, default=None)
    hops: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    content_type: Mapped[str | None] = mapped_column(String(255), default=None)
    content_length: Mapped[int | None] = mapped_column(BigInteger, default=None)
    etag: Mapped[str | None] = mapped_column(String(255), default=None)
    last_modified: Mapped[str | None] = mapped_column(String(64), default=None)
    ip: Mapped[str | None] = mapped_column(String(45), default=None)
    changed: Mapped[list[str]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    elapsed_ms: Mapped[int | None] = mapped_column(default=None)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CheckSchedule(Base):
    """When an active entry is next checked, and the run of failures that decides it is gone.

    ``first_gone_at`` is the first of the current run of ``gone`` checks: a second one at least
    12 hours later marks the content removed. ``needs_analyst_at`` is set when no check succeeded
    for the category's ``unchecked_days``."""

    __tablename__ = "check_schedule"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("entries.id"), primary_key=True, autoincrement=False
    )
    host: Mapped[str] = mapped_column(String(255), index=True)
    next_check_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_present_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    first_gone_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    gone_count: Mapped[int] = mapped_column(default=0)
    needs_analyst_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    baseline_id: Mapped[int | None] = mapped_column(ForeignKey("url_checks.id"), default=None)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


refuse(UrlCheck, "the check log is append-only")
