"""Organisations, the people in them, and API keys (for people and for machines)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotlist.server.db.base import Base, UTCDateTime, refuse, utcnow


class OrgKind(StrEnum):
    """What an organisation is to the hotline."""

    HOTLINE = "hotline"
    ISP = "isp"
    PLATFORM = "platform"
    SEARCH_ENGINE = "search_engine"
    OBSERVER = "observer"
    PARTNER = "partner"

    @property
    def with_article(self) -> str:
        """The kind as a sentence says it: ``an ISP``, ``a search engine``."""
        return _KIND_PHRASES[self]


_KIND_PHRASES = {
    OrgKind.HOTLINE: "a hotline",
    OrgKind.ISP: "an ISP",
    OrgKind.PLATFORM: "a platform",
    OrgKind.SEARCH_ENGINE: "a search engine",
    OrgKind.OBSERVER: "an observer",
    OrgKind.PARTNER: "a partner hotline",
}


class Organisation(Base):
    """An organisation: the hotline itself, a member, an observer or a partner hotline."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="org")


class User(Base):
    """A person with a role in an organisation. Only a display name is kept about them."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    org: Mapped[Organisation] = relationship(back_populates="users")


class ApiKey(Base):
    """An API key: a person's (``user_id`` set) or a machine's (``user_id`` empty).

    A person's key acts with the person's role; a machine key carries its own ``role``.
    Only the lookup prefix and a slow hash are stored. Revoked keys stay, marked.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    lookup_prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(200))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True, default=None)
    role: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    user: Mapped[User | None] = relationship()


class UserStatusChange(Base):
    """One disabling or enabling of a person: who did it (``by_user_id``, empty for the CLI on
    the database), when and why. Append-only; the person's ``disabled_at`` is the current state."""

    __tablename__ = "user_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(1000))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_keys: Mapped[int] = mapped_column(default=0)


refuse(UserStatusChange, "disabling and enabling people are append-only records")
