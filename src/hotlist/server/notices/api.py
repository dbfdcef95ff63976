"""``/v1/notices``: the staff's notices: the queue, a notice's thread, holds, acknowledgements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from hotlist.server.kit.deps import ClockDep, DbSession, require
from hotlist.server.kit.params import RowId
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal
from hotlist.server.notices import service
from hotlist.server.notices.models import Notice
from hotlist.server.notices.schemas import (
    AcknowledgeIn,
    FlaggedCaseOut,
    HoldIn,
    NoticeEventOut,
    NoticeItemOut,
    NoticeOut,
    NoticeQueue,
    NoticeThread,
    ReleaseIn,
)

router = APIRouter(prefix="/v1/notices", tags=["notices"])

Reader = Annotated[Principal, Depends(require(Permission.NOTICES_READ))]
Manager = Annotated[Principal, Depends(require(Permission.NOTICES_MANAGE))]


def _thread(session: Session, notice: Notice, clock: ClockDep) -> NoticeThread:
    base = NoticeOut.of(notice, clock.now())
    return NoticeThread(
        **base.model_dump(),
        items=[
            NoticeItemOut.of(item, entry) for item, entry in service.items_of(session, notice.id)
        ],
        events=[NoticeEventOut.of(event) for event in service.events_of(session, notice.id)],
    )


@router.get("", response_model=NoticeQueue, summary="The notices queue")
def list_notices(session: DbSession, clock: ClockDep, _principal: Reader) -> NoticeQueue:
    """Open notices: ``next_out`` by when they act next, ``overdue`` those past their time;
    ``flagged``: the cases the job left to a person."""
    now = clock.now()
    views = [NoticeOut.of(notice, now) for notice in service.queue(session)]
    return NoticeQueue(
        next_out=[view for view in views if not view.overdue],
        overdue=[view for view in views if view.overdue],
        flagged=[
            FlaggedCaseOut(
                entry_id=entry.public_ref,
                route=case.route or "",
                note=case.route_note,
                country=case.country,
                opened_at=case.opened_at,
            )
            for case, entry in service.flagged_cases(session)
        ],
    )


@router.get("/{notice_id}", response_model=NoticeThread, summary="A notice and its thread")
def get_notice(
    notice_id: RowId, session: DbSession, clock: ClockDep, _principal: Reader
) -> NoticeThread:
    """The notice, the entries it covers and every event, oldest first."""
    return _thread(session, service.get(session, notice_id), clock)


@router.post("/{notice_id}/hold", response_model=NoticeThread, summary="Hold a notice")
def hold_notice(
    notice_id: RowId, body: HoldIn, session: DbSession, clock: ClockDep, principal: Manager
) -> NoticeThread:
    """Nothing is sent and nothing escalates until it is released (or ``until``)."""
    notice = service.get(session, notice_id)
    service.hold(
        session, notice, body.reason, now=clock.now(), actor_id=principal.user_id, until=body.until
    )
    return _thread(session, notice, clock)


@router.post("/{notice_id}/release", response_model=NoticeThread, summary="Release a hold")
def release_notice(
    notice_id: RowId, body: ReleaseIn, session: DbSession, clock: ClockDep, principal: Manager
) -> NoticeThread:
    """The ladder goes on; what fell due meanwhile is due at the next tick."""
    notice = service.get(session, notice_id)
    service.release(session, notice, body.reason, now=clock.now(), actor_id=principal.user_id)
    return _thread(session, notice, clock)


@router.post(
    "/{notice_id}/acknowledge", response_model=NoticeThread, summary="Record an acknowledgement"
)
def acknowledge_notice(
    notice_id: RowId, body: AcknowledgeIn, session: DbSession, clock: ClockDep, principal: Manager
) -> NoticeThread:
    """The contact acknowledged the notice (by phone, say): the reminders stop."""
    notice = service.get(session, notice_id)
    service.acknowledge(
        session, notice, now=clock.now(), detail=body.detail, actor_id=principal.user_id
    )
    return _thread(session, notice, clock)
