"""A report of a URL by a member of the public. No IP address or other identifier is stored."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from hotlist.server.db.base import Base, UTCDateTime, utcnow


class ReportStatus(StrEnum):
    """Where a report stands, as its reporter sees it (nothing more is shown to them)."""

    RECEIVED = "received"
    """Waiting for an analyst."""
    ASSESSED = "assessed"
    """Assessed as actionable: the URL is on the list (or was already)."""
    CLOSED = "closed"
    """Assessed as not actionable, or otherwise finished with no action."""


OPEN_ORIGINAL = "status = 'received' AND duplicate_of IS NULL"
"""An open report that duplicates none: at most one per canonical URL (a partial unique index,
which intake's ``ON CONFLICT`` names)."""


SPARSE_INDEXED = ("category_hint", "duplicate_of", "entry_id")
"""Columns most reports leave empty: each indexed only where set (a query for a value implies
the column is set, so the partial index serves it), so filing a report writes fewer index
entries (ADR 0011)."""


def _when_set(column: str) -> Index:
    """The index ``ix_reports_COLUMN`` over the rows where ``column`` is not NULL."""
    where = text(f"{column} IS NOT NULL")
    return Index(f"ix_reports_{column}", column, sqlite_where=where, postgresql_where=where)


class Report(Base):
    """One report. ``url`` as given; ``canonical_url`` and its SHA-256 for deduplication.

    ``duplicate_of`` links a report to the open report with the same canonical URL that came
    first (at most one open original per canonical URL); ``entry_id`` links it to the list
    entry that covers it. ``contact`` is encrypted (Fernet) and purged after the retention
    period.
    """

    __tablename__ = "reports"
    __table_args__ = (
        Index(
            "uq_reports_open_canonical_hash",
            "canonical_hash",
            unique=True,
            sqlite_where=text(OPEN_ORIGINAL),
            postgresql_where=text(OPEN_ORIGINAL),
        ),
        *(_when_set(column) for column in SPARSE_INDEXED),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt: Mapped[str] = mapped_column(String(32), unique=True)
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str] = mapped_column(Text)
    canonical_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    category_hint: Mapped[str | None] = mapped_column(String(32), default=None)
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    contact: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    contact_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.RECEIVED, index=True)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), default=None)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"), default=None)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
