"""Plaintext grants, audit samples, their items and observers' reviews. All append-only."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotlist.server.db.base import Base, UTCDateTime, refuse, utcnow


class DecisionKind(StrEnum):
    """The kinds of decision an audit sample draws from."""

    ASSESSMENT = "assessment"
    OBJECTION = "objection"
    APPEAL = "appeal"


class Verdict(StrEnum):
    """An observer's review of one decision."""

    AGREE = "agree"
    DISAGREE = "disagree"


class PlaintextGrant(Base):
    """An admin's decision to grant (or withdraw) an observer organisation plaintext access.

    The latest row per organisation is in force; earlier ones stay as the record.
    """

    __tablename__ = "plaintext_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    granted: Mapped[bool] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditSample(Base):
    """A random draw of decisions made in ``[period_from, period_to)`` for observers to review."""

    __tablename__ = "audit_samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_from: Mapped[datetime] = mapped_column(UTCDateTime())
    period_to: Mapped[datetime] = mapped_column(UTCDateTime())
    requested: Mapped[int] = mapped_column()
    population: Mapped[int] = mapped_column()
    drawn_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditItem(Base):
    """One decision in a sample: its kind and its id in that kind's table."""

    __tablename__ = "audit_items"
    __table_args__ = (UniqueConstraint("sample_id", "kind", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("audit_samples.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column()
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditReview(Base):
    """An observer's review of one sampled decision: agree or disagree, and why."""

    __tablename__ = "audit_reviews"
    __table_args__ = (UniqueConstraint("item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("audit_items.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    verdict: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


for _model in (PlaintextGrant, AuditSample, AuditItem, AuditReview):
    refuse(_model, "grants, samples and reviews are append-only records")
