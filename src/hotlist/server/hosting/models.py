"""Hosting lookups (append-only snapshots) and the intermediaries list."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from hotlist.server.db.base import Base, UTCDateTime, refuse, utcnow


class HostingLookup(Base):
    """What one lookup of ``host`` found, when, and from which sources; never overwritten.

    ``ip`` is the address the notice goes by (the first the host resolved to); ``addresses``
    all of them. ``abuse_contacts`` are the network's (RDAP, the Abusix zone),
    ``upstream_contacts`` those of the network above it (where a notice escalates),
    ``registrar_contacts`` the domain registrar's. ``sources`` names where each part came from
    (``{"country": "iptocc", "abuse": "rdap"}``); ``error`` says what could not be found (the
    rest still holds).
    """

    __tablename__ = "hosting_lookups"
    __table_args__ = (Index("ix_hosting_lookups_host_at", "host", "looked_up_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    ip: Mapped[str | None] = mapped_column(String(45), default=None)
    addresses: Mapped[list[str]] = mapped_column(JSON, default=list)
    asn: Mapped[int | None] = mapped_column(default=None)
    network_name: Mapped[str | None] = mapped_column(String(255), default=None)
    country: Mapped[str | None] = mapped_column(String(2), default=None)
    abuse_contacts: Mapped[list[str]] = mapped_column(JSON, default=list)
    upstream_contacts: Mapped[list[str]] = mapped_column(JSON, default=list)
    registrar: Mapped[str | None] = mapped_column(String(255), default=None)
    registrar_contacts: Mapped[list[str]] = mapped_column(JSON, default=list)
    sources: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"), default=None)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), default=None)
    looked_up_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    looked_up_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IntermediaryKind(StrEnum):
    """Why a service is never the host of what it shows."""

    IMAGE_SEARCH = "image_search"
    """Reverse-image search: shows thumbnails of what others host."""
    LINK_ECHO = "link_echo"
    """Pages that echo a link or embed content from elsewhere (proxies, translators, caches)."""
    SHORTENER = "shortener"
    """URL shorteners: the content is where the link goes."""
    OTHER = "other"


ACTIVE_INTERMEDIARY = "removed_at IS NULL"


class Intermediary(Base):
    """A host suffix that is never the host (``host`` and every name below it); removing one
    sets ``removed_at`` so the list's history stays."""

    __tablename__ = "intermediaries"
    __table_args__ = (
        Index(
            "uq_intermediaries_active_host",
            "host",
            unique=True,
            sqlite_where=text(ACTIVE_INTERMEDIARY),
            postgresql_where=text(ACTIVE_INTERMEDIARY),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


refuse(HostingLookup, "hosting lookups are append-only snapshots")
refuse(Intermediary, "intermediaries are never deleted; remove one instead", on=("before_delete",))
