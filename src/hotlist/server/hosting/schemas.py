"""Hosting lookups and intermediaries as the API takes and shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hotlist.server.hosting.models import HostingLookup, Intermediary, IntermediaryKind


class HostingLookupOut(BaseModel):
    """One dated snapshot of where a host was, and who to tell. The host itself is not shown:
    it is part of the listed expression, read only through the logged reveal."""

    id: int
    ip: str | None = Field(description="The address a notice goes by (the first resolved).")
    addresses: list[str]
    asn: int | None
    network_name: str | None
    country: str | None = Field(description="ISO 3166 two-letter code of the network's country.")
    abuse_contacts: list[str] = Field(description="The network's abuse contacts.")
    registrar: str | None
    registrar_contacts: list[str] = Field(description="The domain registrar's abuse contacts.")
    upstream_contacts: list[str] = Field(
        description="The abuse contacts of the network above (where a notice escalates)."
    )
    sources: dict[str, Any] = Field(description="Where each part came from.")
    error: str | None = Field(description="What could not be found; the rest still holds.")
    looked_up_by: int | None
    looked_up_at: datetime

    @classmethod
    def of(cls, row: HostingLookup) -> HostingLookupOut:
        """The API view of ``row``."""
        return cls(
            id=row.id,
            ip=row.ip,
            addresses=list(row.addresses),
            asn=row.asn,
            network_name=row.network_name,
            country=row.country,
            abuse_contacts=list(row.abuse_contacts),
            registrar=row.registrar,
            registrar_contacts=list(row.registrar_contacts),
            upstream_contacts=list(row.upstream_contacts or []),
            sources=dict(row.sources),
            error=row.error,
            looked_up_by=row.looked_up_by,
            looked_up_at=row.looked_up_at,
        )


class IntermediaryIn(BaseModel):
    """A host (and every name under it) that is never the host of what it shows."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(min_length=1, max_length=255, examples=["short.example"])
    kind: IntermediaryKind
    note: str = Field("", max_length=2000)


class IntermediaryOut(BaseModel):
    """An entry of the intermediaries list (``removed_at`` set: taken off)."""

    id: int
    host: str
    kind: IntermediaryKind
    note: str
    added_by: int | None
    added_at: datetime
    removed_by: int | None
    removed_at: datetime | None

    @classmethod
    def of(cls, row: Intermediary) -> IntermediaryOut:
        """The API view of ``row``: its columns of the same names (``kind`` read as the enum)."""
        return cls.model_validate(row, from_attributes=True)


class EntryHostingOut(BaseModel):
    """Where an entry's host is: the latest lookup, every one before it, and whether the host
    is an intermediary (then it is flagged, never noticed)."""

    entry_id: str
    latest: HostingLookupOut | None
    history: list[HostingLookupOut] = Field(description="Every lookup, newest first.")
    intermediary: IntermediaryOut | None
