"""A stored policy version: the validated policy as JSON, its hash, who loaded it and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hotlist.server.db.base import Base, UTCDateTime, utcnow


class PolicyVersion(Base):
    """One version of the policy. Never changed or deleted: entries point at the one in force.

    ``document`` is :meth:`hotlist.policy.Policy.to_dict`; ``content_hash`` its SHA-256 over
    canonical JSON. ``loaded_by`` is empty when the server loaded it by itself (first start).
    """

    __tablename__ = "policy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    policy_id: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    loaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
