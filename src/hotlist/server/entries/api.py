"""``/v1/entries``: the list's entries, their history, and the changes people make to them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from hotlist.errors import PermissionDenied
from hotlist.server.access_log.service import record_plaintext_access
from hotlist.server.entries import service
from hotlist.server.entries.models import Entry, EntryState
from hotlist.server.entries.schemas import (
    EntryEventOut,
    EntryExpressionOut,
    EntryOut,
    SuspendIn,
    TransitionIn,
    TransitionOut,
)
from hotlist.server.kit.deps import DbSession, require
from hotlist.server.kit.pagination import Cursor, Limit, Page, decode_id_cursor, split_page
from hotlist.server.kit.params import EntryRefPath
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal
from hotlist.server.kit.types import CATEGORY_CODE
from hotlist.server.policies import service as policies
from hotlist.urls import Scope

router = APIRouter(prefix="/v1", tags=["entries"])

EntryReader = Annotated[Principal, Depends(require(Permission.ENTRIES_READ))]
ExpressionReader = Annotated[Principal, Depends(require(Permission.ENTRIES_READ_EXPRESSION))]
Suspender = Annotated[Principal, Depends(require(Permission.ENTRIES_SUSPEND))]
Transitioner = Annotated[Principal, Depends(require(Permission.ENTRIES_TRANSITION))]


def _views(session: Session, entries: Sequence[Entry]) -> list[EntryOut]:
    numbers = policies.version_numbers(session, {entry.policy_version_id for entry in entries})
    return [EntryOut.of(entry, numbers[entry.policy_version_id]) for entry in entries]


def _person(principal: Principal) -> int:
    if principal.user_id is None:
        raise PermissionDenied("changing an entry is a person's decision; use a person's API key")
    return principal.user_id


@router.get("/entries", response_model=Page[EntryOut], summary="List entries (no plaintext)")
def list_entries(
    session: DbSession,
    _p: EntryReader,
    state: EntryState | None = None,
    category: Annotated[str | None, Query(pattern=CATEGORY_CODE)] = None,
    scope: Scope | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[EntryOut]:
    """Entries in the order made, with hashes and statements of reasons, never expressions."""
    where = service.EntryFilter(state=state, category_code=category, scope=scope)
    rows = service.list_entries(session, where, decode_id_cursor(cursor), limit + 1)
    page, next_cursor = split_page(rows, limit, lambda row: (row.id,))
    return Page[EntryOut](items=_views(session, page), next_cursor=next_cursor)


@router.get("/entries/{public_id}", response_model=EntryOut, summary="One entry (no plaintext)")
def get_entry(public_id: EntryRefPath, session: DbSession, _p: EntryReader) -> EntryOut:
    """The entry with its statement of reasons."""
    return _views(session, [service.entry_by_ref(session, public_id)])[0]


@router.get(
    "/entries/{public_id}/expression",
    response_model=EntryExpressionOut,
    summary="The plaintext an entry lists (logged)",
)
def get_expression(
    public_id: EntryRefPath, session: DbSession, principal: ExpressionReader
) -> EntryExpressionOut:
    """The expression the entry lists; every read is written to the access log."""
    entry = service.entry_by_ref(session, public_id)
    record_plaintext_access(session, principal, "entry.expression", "entry", entry.public_ref)
    return EntryExpressionOut(
        public_id=entry.public_ref,
        expression=entry.expression,
        host=entry.host,
        scope=Scope(entry.scope),
    )


@router.get(
    "/entries/{public_id}/events", response_model=Page[EntryEventOut], summary="Entry history"
)
def list_events(
    public_id: EntryRefPath,
    session: DbSession,
    _p: EntryReader,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[EntryEventOut]:
    """Everything that happened to the entry, oldest first: who, when, why."""
    entry = service.entry_by_ref(session, public_id)
    rows = service.events(session, entry, decode_id_cursor(cursor), limit + 1)
    page, next_cursor = split_page(rows, limit, lambda row: (row.id,))
    return Page[EntryEventOut](
        items=[EntryEventOut.of(row) for row in page], next_cursor=next_cursor
    )


@router.post(
    "/entries/{public_id}/transitions",
    response_model=TransitionOut,
    status_code=201,
    summary="Change an entry's state",
)
def transition(
    public_id: EntryRefPath, body: TransitionIn, session: DbSession, principal: Transitioner
) -> TransitionOut:
    """Suspend, restore, expire or remove an entry; a move the states forbid is a 409."""
    entry = service.entry_by_ref(session, public_id, for_update=True)
    event = service.transition(session, entry, body.to, body.reason, _person(principal))
    return TransitionOut(entry=_views(session, [entry])[0], event=EntryEventOut.of(event))


@router.post(
    "/entries/{public_id}/suspension",
    response_model=TransitionOut,
    status_code=201,
    summary="Suspend an entry at once",
)
def suspend(
    public_id: EntryRefPath, body: SuspendIn, session: DbSession, principal: Suspender
) -> TransitionOut:
    """Take an active entry out of the list while in doubt; a supervisor decides what next."""
    entry = service.entry_by_ref(session, public_id, for_update=True)
    event = service.transition(
        session, entry, EntryState.SUSPENDED, body.reason, _person(principal)
    )
    return TransitionOut(entry=_views(session, [entry])[0], event=EntryEventOut.of(event))
