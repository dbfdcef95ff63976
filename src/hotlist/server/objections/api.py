"""``/v1/objections``: members object to entries; supervisors decide."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from hotlist.policy import SharedHostingList
from hotlist.server.entries.models import Entry
from hotlist.server.entries.service import entry_by_ref
from hotlist.server.kit.deps import DbSession, require
from hotlist.server.kit.pagination import Cursor, Limit, Page, decode_id_cursor, split_page
from hotlist.server.kit.params import RowId
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal
from hotlist.server.objections import service
from hotlist.server.objections.models import Objection, ObjectionState
from hotlist.server.objections.schemas import DecisionIn, ObjectionIn, ObjectionOut
from hotlist.server.policies.api import shared_hosting

router = APIRouter(prefix="/v1/objections", tags=["objections"])

Objector = Annotated[Principal, Depends(require(Permission.OBJECTIONS_CREATE))]
Reader = Annotated[Principal, Depends(require(Permission.OBJECTIONS_READ))]
Decider = Annotated[Principal, Depends(require(Permission.OBJECTIONS_DECIDE))]
ObjectionId = RowId


def _view(session: Session, objection: Objection) -> ObjectionOut:
    entry = session.get_one(Entry, objection.entry_id)
    new = session.get(Entry, objection.new_entry_id) if objection.new_entry_id else None
    return ObjectionOut.of(objection, entry, new)


@router.post("", response_model=ObjectionOut, status_code=201, summary="Object to an entry")
def create_objection(body: ObjectionIn, session: DbSession, principal: Objector) -> ObjectionOut:
    """Object to an entry; it is flagged disputed in the next list version until decided."""
    objection = service.file(session, entry_by_ref(session, body.entry_id), body.reason, principal)
    return _view(session, objection)


@router.get("", response_model=Page[ObjectionOut], summary="Objections (a member: its own)")
def list_objections(
    session: DbSession,
    principal: Reader,
    state: ObjectionState | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[ObjectionOut]:
    """The supervisors' queue, oldest first; a member sees only its organisation's objections."""
    own = None if service.is_staff(principal) else (principal.org_id or -1)
    where = service.ObjectionFilter(state=state, org_id=own)
    rows = service.listing(session, where, decode_id_cursor(cursor), limit + 1)
    page, next_cursor = split_page(rows, limit, lambda row: (row.id,))
    return Page[ObjectionOut](items=[_view(session, row) for row in page], next_cursor=next_cursor)


@router.get("/{objection_id}", response_model=ObjectionOut, summary="One objection")
def get_objection(objection_id: ObjectionId, session: DbSession, principal: Reader) -> ObjectionOut:
    """The objection and, once decided, the outcome and its reasons."""
    return _view(session, service.get_for(session, objection_id, principal))


@router.post(
    "/{objection_id}/decision",
    response_model=ObjectionOut,
    status_code=201,
    summary="Decide an objection",
)
def decide_objection(
    objection_id: ObjectionId,
    body: DecisionIn,
    session: DbSession,
    principal: Decider,
    hosting: Annotated[SharedHostingList, Depends(shared_hosting)],
) -> ObjectionOut:
    """Upheld: the entry is removed; rejected: the flag is cleared; scope_changed: the entry is
    replaced by one of ``new_scope``. The entry's own analyst cannot decide (403)."""
    objection = service.get(session, objection_id)
    decision = service.ObjectionDecision(body.outcome, body.reason, body.new_scope)
    service.decide(session, objection, decision, principal, hosting)
    return _view(session, objection)
