"""``/v1/entries/{id}/hosting``: where an entry's content is hosted (analysts, supervisors);
``/v1/intermediaries``: the services that are never the host (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from hotlist.server.entries.service import entry_by_ref
from hotlist.server.hosting import service
from hotlist.server.hosting.schemas import (
    EntryHostingOut,
    HostingLookupOut,
    IntermediaryIn,
    IntermediaryOut,
)
from hotlist.server.kit.deps import ClockDep, DbSession, ServicesDep, require
from hotlist.server.kit.lookups import HostingSources
from hotlist.server.kit.params import EntryRefPath
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal

router = APIRouter(prefix="/v1", tags=["hosting"])

Reader = Annotated[Principal, Depends(require(Permission.HOSTING_READ))]
LookerUp = Annotated[Principal, Depends(require(Permission.HOSTING_LOOKUP))]
Admin = Annotated[Principal, Depends(require(Permission.INTERMEDIARIES_MANAGE))]
HostPath = Annotated[str, Path(min_length=1, max_length=255, description="A host name.")]


async def hosting_sources(services: ServicesDep) -> HostingSources:
    """Where lookups ask (the settings' set; tests swap it with ``dependency_overrides``)."""
    return services.hosting.get()


Sources = Annotated[HostingSources, Depends(hosting_sources)]


@router.get(
    "/entries/{public_id}/hosting",
    response_model=EntryHostingOut,
    summary="Where an entry's content is hosted",
)
def entry_hosting(public_id: EntryRefPath, session: DbSession, _p: Reader) -> EntryHostingOut:
    """The latest lookup of the entry's host and every one before it (newest first), and the
    intermediary the host is on, if any."""
    entry = entry_by_ref(session, public_id)
    rows = service.history(session, entry.host)
    intermediary = service.intermediary_for(session, entry.host)
    return EntryHostingOut(
        entry_id=entry.public_ref,
        latest=HostingLookupOut.of(rows[0]) if rows else None,
        history=[HostingLookupOut.of(row) for row in rows],
        intermediary=IntermediaryOut.of(intermediary) if intermediary else None,
    )


@router.post(
    "/entries/{public_id}/hosting",
    response_model=HostingLookupOut,
    status_code=201,
    summary="Look an entry's host up now",
)
def look_up_entry(
    public_id: EntryRefPath,
    session: DbSession,
    sources: Sources,
    clock: ClockDep,
    principal: LookerUp,
) -> HostingLookupOut:
    """Ask the hosting sources now and keep the answer as a new snapshot; what a source could
    not answer is in ``error``, the rest is filled."""
    entry = entry_by_ref(session, public_id)
    lookup = service.look_up(
        session,
        sources,
        entry.host,
        now=clock.now(),
        entry_id=entry.id,
        actor_id=principal.user_id,
    )
    return HostingLookupOut.of(lookup)


@router.get("/intermediaries", response_model=list[IntermediaryOut], summary="Intermediaries")
def list_intermediaries(
    session: DbSession, _p: Admin, include_removed: bool = False
) -> list[IntermediaryOut]:
    """The hosts that are never the host of what they show, by host (removed ones on ask)."""
    rows = service.intermediaries(session, include_removed=include_removed)
    return [IntermediaryOut.of(row) for row in rows]


@router.post(
    "/intermediaries",
    response_model=IntermediaryOut,
    status_code=201,
    summary="Add an intermediary",
)
def add_intermediary(
    body: IntermediaryIn, session: DbSession, clock: ClockDep, principal: Admin
) -> IntermediaryOut:
    """Put a host, and every name under it, on the list (409 if it is on it already)."""
    row = service.add_intermediary(
        session, body.host, body.kind, note=body.note, now=clock.now(), actor_id=principal.user_id
    )
    return IntermediaryOut.of(row)


@router.delete(
    "/intermediaries/{host}", response_model=IntermediaryOut, summary="Remove an intermediary"
)
def remove_intermediary(
    host: HostPath, session: DbSession, clock: ClockDep, principal: Admin
) -> IntermediaryOut:
    """Take a host off the list (404 if it is not on it); the row stays, marked removed."""
    row = service.remove_intermediary(session, host, now=clock.now(), actor_id=principal.user_id)
    return IntermediaryOut.of(row)
