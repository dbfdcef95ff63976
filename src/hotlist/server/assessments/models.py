"""An assessment: one analyst's decision on one report. Append-only; never changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotlist.server.db.base import Base, UTCDateTime, refuse, utcnow


class Assessment(Base):
    """Actionable or not, under which policy version, and why; ``entry_id`` when it listed."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    actionable: Mapped[bool] = mapped_column()
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"))
    category_code: Mapped[str | None] = mapped_column(String(32), default=None)
    scope: Mapped[str | None] = mapped_column(String(8), default=None)
    reason: Mapped[str] = mapped_column(Text)
    scope_reason: Mapped[str | None] = mapped_column(Text, default=None)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"), default=None)
    decided_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


refuse(Assessment, "assessments are append-only records")
