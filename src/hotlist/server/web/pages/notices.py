"""Notices on the staff pages: the queue (what goes out next, what is overdue), a notice's thread
(its URLs by entry, every event, the hold and release forms), and the history of notices to an
entry's host, never naming the host (it stays behind the entry page's logged reveal). Analysts
and supervisors (``notices:read``; holds need ``notices:manage``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from hotlist.errors import HotlistError, InvalidField
from hotlist.server.entries.service import entry_by_ref
from hotlist.server.kit.deps import ClockDep, DbSession
from hotlist.server.kit.params import PageEntryRef, RowId
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal
from hotlist.server.notices import service
from hotlist.server.notices.schemas import HoldIn, ReleaseIn
from hotlist.server.problems import status_for
from hotlist.server.web.deps import PageForm, page
from hotlist.server.web.forms import FieldErrors, validate, values_of
from hotlist.server.web.pages.staff import names_of, staff_page
from hotlist.server.web.rendering import translator

router = APIRouter(prefix="/staff", tags=["pages"], include_in_schema=False)

Reader = Annotated[Principal, Depends(page(Permission.NOTICES_READ))]
Manager = Annotated[Principal, Depends(page(Permission.NOTICES_MANAGE))]
REASON = "Give a reason: it is kept in the notice's thread."


@router.get("/notices", response_class=HTMLResponse)
def notices_queue(
    request: Request, session: DbSession, clock: ClockDep, _p: Reader
) -> HTMLResponse:
    """Open notices: the overdue first, then what goes out next, by when."""
    now = clock.now()
    rows = list(service.queue(session))
    return staff_page(
        request,
        session,
        "staff/notices.html",
        now=now,
        overdue=[n for n in rows if n.due_at is not None and n.due_at < now],
        next_out=[n for n in rows if n.due_at is None or n.due_at >= now],
        flagged=service.flagged_cases(session),
    )


def _thread_page(
    request: Request,
    session: Session,
    notice_id: int,
    now_clock: ClockDep,
    refused: str | None = None,
    status_code: int = 200,
    values: dict[str, str] | None = None,
    errors: FieldErrors | None = None,
) -> HTMLResponse:
    notice = service.get(session, notice_id)
    events = list(service.events_of(session, notice.id))
    return staff_page(
        request,
        session,
        "staff/notice.html",
        status_code=status_code,
        notice=notice,
        now=now_clock.now(),
        items=service.items_of(session, notice.id),
        events=events,
        names=names_of(session, {event.actor_id for event in events}),
        refused=refused,
        values=values or {},
        errors=errors or {},
    )


@router.get("/notices/{notice_id}", response_class=HTMLResponse)
def notice_thread(
    request: Request, session: DbSession, clock: ClockDep, _p: Reader, notice_id: RowId
) -> HTMLResponse:
    """One notice: to whom, where it stands, its URLs and its thread."""
    return _thread_page(request, session, notice_id, clock)


@router.post("/notices/{notice_id}/hold", response_class=HTMLResponse)
def hold_notice(
    request: Request,
    session: DbSession,
    clock: ClockDep,
    principal: Manager,
    notice_id: RowId,
    form: PageForm,
) -> Response:
    """Hold the notice with a reason: nothing is sent and nothing escalates until released."""
    return _act(request, session, clock, principal, notice_id, form, hold=True)


@router.post("/notices/{notice_id}/release", response_class=HTMLResponse)
def release_notice(
    request: Request,
    session: DbSession,
    clock: ClockDep,
    principal: Manager,
    notice_id: RowId,
    form: PageForm,
) -> Response:
    """Lift the hold, with a reason; the ladder goes on."""
    return _act(request, session, clock, principal, notice_id, form, hold=False)


def _act(
    request: Request,
    session: Session,
    clock: ClockDep,
    principal: Principal,
    notice_id: int,
    form: PageForm,
    *,
    hold: bool,
) -> Response:
    values = values_of(form, ("reason",))
    body: HoldIn | ReleaseIn | None
    if hold:
        body, errors = validate(HoldIn, values, translator(request), {"reason": REASON})
    else:
        body, errors = validate(ReleaseIn, values, translator(request), {"reason": REASON})
    if errors or body is None:
        return _thread_page(request, session, notice_id, clock, None, 422, values, errors)
    notice = service.get(session, notice_id)
    try:
        if hold:
            service.hold(session, notice, body.reason, now=clock.now(), actor_id=principal.user_id)
        else:
            service.release(
                session, notice, body.reason, now=clock.now(), actor_id=principal.user_id
            )
    except InvalidField as exc:
        session.rollback()
        errors = {exc.field: exc.message}
        return _thread_page(request, session, notice_id, clock, None, 422, values, errors)
    except HotlistError as exc:
        session.rollback()
        return _thread_page(request, session, notice_id, clock, exc.message, status_for(exc))
    done = "held" if hold else "released"
    return RedirectResponse(f"/staff/notices/{notice_id}?{done}=1", status_code=303)


@router.get("/entries/{ref}/notices", response_class=HTMLResponse)
def host_history(
    request: Request, session: DbSession, clock: ClockDep, _p: Reader, ref: PageEntryRef
) -> HTMLResponse:
    """Every notice that covered a URL on the host of entry ``ref``, newest first (the host is
    not named: it stays behind the entry page's logged reveal)."""
    entry = entry_by_ref(session, ref)
    return staff_page(
        request,
        session,
        "staff/host_notices.html",
        entry=entry,
        now=clock.now(),
        notices=service.of_host(session, entry.host),
    )
