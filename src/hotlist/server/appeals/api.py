"""``/v1/appeals``: anyone appeals from the block page; supervisors suspend in the interim and
decide. Time (the due date, the overdue flag) is the app's clock's."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
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
from hotlist.server.entries.models import Entry
from hotlist.server.entries.service import entry_by_ref
from hotlist.server.kit.contacts import ContactCipher
from hotlist.server.kit.deps import (
    ClockDep,
    ContactCiphers,
    DbSession,
    ServicesDep,
    limit_by_client_address,
    require,
)
from hotlist.server.kit.pagination import Cursor, Limit, Page, decode_id_cursor, split_page
from hotlist.server.kit.params import ReceiptPath, RowId
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal
from hotlist.server.kit.services import Lazy

router = APIRouter(prefix="/v1/appeals", tags=["appeals"])

Appellant = Annotated[Principal, Depends(require(Permission.APPEALS_CREATE))]
StatusReader = Annotated[Principal, Depends(require(Permission.APPEALS_STATUS))]
Reader = Annotated[Principal, Depends(require(Permission.APPEALS_READ))]
Decider = Annotated[Principal, Depends(require(Permission.APPEALS_DECIDE))]
AppealId = RowId


def _view(session: Session, days: int, now: datetime, appeal: Appeal) -> AppealOut:
    entry = session.get_one(Entry, appeal.entry_id)
    overdue = service.is_overdue(appeal, days, now)
    return AppealOut.of(appeal, entry.public_ref, overdue, appeal.created_at + timedelta(days=days))


@router.post(
    "",
    response_model=AppealReceipt,
    status_code=201,
    summary="Appeal against an entry (public, no account)",
    dependencies=[Depends(limit_by_client_address)],
)
def create_appeal(
    body: AppealIn, session: DbSession, contacts: ContactCiphers, clock: ClockDep, _p: Appellant
) -> AppealReceipt:
    """Appeal with the entry id shown on the block page. Keep the receipt: it is the only way
    to follow the appeal. ``contact`` is optional, encrypted and purged after 90 days."""
    return AppealReceipt(receipt=file_appeal(session, body, contacts, clock.now()).receipt)


def file_appeal(
    session: Session, body: AppealIn, contacts: Lazy[ContactCipher], now: datetime
) -> Appeal:
    """File the appeal ``body`` (the API's or the appeal form's) at ``now``; NotFound for no
    such entry. The cipher is made only for a contact."""
    return service.submit(
        session,
        entry_by_ref(session, body.entry_id),
        body.relation,
        body.reason,
        contact=body.contact,
        cipher=contacts.get() if body.contact is not None else None,
        now=now,
    )


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
    clock: ClockDep,
    _p: Reader,
    state: AppealState | None = None,
    overdue: bool = False,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[AppealOut]:
    """Appeals oldest first, each with its overdue flag; ``overdue=true`` shows only those."""
    days, now = services.settings.appeal_decide_days, clock.now()
    before = now - timedelta(days=days) if overdue else None
    where = service.AppealFilter(state=state, overdue_before=before)
    rows = service.queue(session, where, decode_id_cursor(cursor), limit + 1)
    page, next_cursor = split_page(rows, limit, lambda row: (row.id,))
    return Page[AppealOut](
        items=[_view(session, days, now, row) for row in page], next_cursor=next_cursor
    )


@router.post(
    "/{appeal_id}/interim",
    response_model=AppealOut,
    status_code=201,
    summary="Suspend the entry while the appeal is open",
)
def interim(
    appeal_id: AppealId,
    body: InterimIn,
    session: DbSession,
    services: ServicesDep,
    clock: ClockDep,
    by: Decider,
) -> AppealOut:
    """For a significant risk that the entry is wrong: the entry leaves the list until decided."""
    now = clock.now()
    appeal = service.get(session, appeal_id)
    service.suspend_interim(session, appeal, body.reason, by, now)
    return _view(session, services.settings.appeal_decide_days, now, appeal)


@router.post(
    "/{appeal_id}/decision", response_model=AppealOut, status_code=201, summary="Decide an appeal"
)
def decide(
    appeal_id: AppealId,
    body: AppealDecisionIn,
    session: DbSession,
    services: ServicesDep,
    clock: ClockDep,
    by: Decider,
) -> AppealOut:
    """Upheld: the entry is removed; rejected: it stands (reinstated after an interim
    suspension). The entry's own analyst cannot decide (403)."""
    appeal = service.get(session, appeal_id)
    days, now = services.settings.appeal_decide_days, clock.now()
    service.decide(session, appeal, body.outcome, body.reason, by, days, now)
    return _view(session, days, now, appeal)
