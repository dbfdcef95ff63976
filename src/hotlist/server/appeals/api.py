"""``/v1/appeals``: anyone appeals from the block page; supervisors suspend in the interim and
decide."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from sqlalchemy.orm import Session

from hotlist.server.appeals import service
from hotlist.server.appeals.models import Appeal, AppealState
from hotlist.server.appeals.schemas import (
    AppealDecisionIn,
    AppealIn,
    AppealOut,
    AppealReceipt,
    AppealStatusOut,
    InterimIn,
)
from hotlist.server.db.base import MAX_ID, utcnow
from hotlist.server.entries.models import Entry
from hotlist.server.entries.service import entry_by_ref
from hotlist.server.kit.deps import (
    ContactCiphers,
    DbSession,
    ServicesDep,
    limit_by_client_address,
    require,
)
from hotlist.server.kit.pagination import Cursor, Limit, Page, decode_id_cursor, split_page
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal
from hotlist.server.kit.services import Services
from hotlist.server.kit.types import RECEIPT

router = APIRouter(prefix="/v1/appeals", tags=["appeals"])

Appellant = Annotated[Principal, Depends(require(Permission.APPEALS_CREATE))]
StatusReader = Annotated[Principal, Depends(require(Permission.APPEALS_STATUS))]
Reader = Annotated[Principal, Depends(require(Permission.APPEALS_READ))]
Decider = Annotated[Principal, Depends(require(Permission.APPEALS_DECIDE))]
AppealId = Annotated[int, Path(ge=1, le=MAX_ID)]
ReceiptPath = Annotated[str, Path(pattern=RECEIPT)]


def _view(session: Session, services: Services, appeal: Appeal) -> AppealOut:
    days = services.settings.appeal_decide_days
    entry = session.get_one(Entry, appeal.entry_id)
    overdue = service.is_overdue(appeal, days, utcnow())
    return AppealOut.of(appeal, entry.public_ref, overdue, appeal.created_at + timedelta(days=days))


@router.post(
    "",
    response_model=AppealReceipt,
    status_code=201,
    summary="Appeal against an entry (public, no account)",
    dependencies=[Depends(limit_by_client_address)],
)
def create_appeal(
    body: AppealIn, session: DbSession, contacts: ContactCiphers, _p: Appellant
) -> AppealReceipt:
    """Appeal with the entry id shown on the block page. Keep the receipt: it is the only way
    to follow the appeal. ``contact`` is optional, encrypted and purged after 90 days."""
    appeal = service.submit(
        session,
        entry_by_ref(session, body.entry_id),
        body.relation,
        body.reason,
        contact=body.contact,
        cipher=contacts.get() if body.contact is not None else None,
    )
    return AppealReceipt(receipt=appeal.receipt)


@router.get("/{receipt}", response_model=AppealStatusOut, summary="An appeal's state (public)")
def appeal_status(receipt: ReceiptPath, session: DbSession, _p: StatusReader) -> AppealStatusOut:
    """``open``, or ``decided`` with the outcome and its reason; nothing else."""
    appeal = service.by_receipt(session, receipt)
    if appeal.state != AppealState.DECIDED:
        return AppealStatusOut(state=AppealState(appeal.state))
    return AppealStatusOut.model_validate(
        {"state": appeal.state, "outcome": appeal.outcome, "reason": appeal.decision_reason}
    )


@router.get("", response_model=Page[AppealOut], summary="The appeals queue")
def list_appeals(
    session: DbSession,
    services: ServicesDep,
    _p: Reader,
    state: AppealState | None = None,
    overdue: bool = False,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[AppealOut]:
    """Appeals oldest first, each with its overdue flag; ``overdue=true`` shows only those."""
    days = services.settings.appeal_decide_days
    before = utcnow() - timedelta(days=days) if overdue else None
    where = service.AppealFilter(state=state, overdue_before=before)
    rows = service.queue(session, where, decode_id_cursor(cursor), limit + 1)
    page, next_cursor = split_page(rows, limit, lambda row: (row.id,))
    return Page[AppealOut](
        items=[_view(session, services, row) for row in page], next_cursor=next_cursor
    )


@router.post(
    "/{appeal_id}/interim",
    response_model=AppealOut,
    status_code=201,
    summary="Suspend the entry while the appeal is open",
)
def interim(
    appeal_id: AppealId, body: InterimIn, session: DbSession, services: ServicesDep, by: Decider
) -> AppealOut:
    """For a significant risk that the entry is wrong: the entry leaves the list until decided."""
    appeal = service.suspend_interim(session, service.get(session, appeal_id), body.reason, by)
    return _view(session, services, appeal)


@router.post(
    "/{appeal_id}/decision", response_model=AppealOut, status_code=201, summary="Decide an appeal"
)
def decide(
    appeal_id: AppealId,
    body: AppealDecisionIn,
    session: DbSession,
    services: ServicesDep,
    by: Decider,
) -> AppealOut:
    """Upheld: the entry is removed; rejected: it stands (reinstated after an interim
    suspension). The entry's own analyst cannot decide (403)."""
    appeal = service.get(session, appeal_id)
    days = services.settings.appeal_decide_days
    service.decide(session, appeal, body.outcome, body.reason, by, days)
    return _view(session, services, appeal)
