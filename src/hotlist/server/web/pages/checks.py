"""Re-verification on the staff pages: an entry's check log (it shows the URL: opening it is
written to the access log, as revealing the expression is) with "check now", and the entries
no check could confirm for too long (no address)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hotlist.server.access_log.service import record_plaintext_access
from hotlist.server.entries.service import entry_by_ref
from hotlist.server.kit.deps import ClockDep, DbSession, ServicesDep
from hotlist.server.kit.params import PageEntryRef
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal
from hotlist.server.reverification import service
from hotlist.server.reverification.models import CheckKind, CheckSchedule
from hotlist.server.web.deps import PageForm, page
from hotlist.server.web.pages.staff import staff_page

router = APIRouter(prefix="/staff", tags=["pages"], include_in_schema=False)

LogReader = Annotated[Principal, Depends(page(Permission.ENTRIES_READ_EXPRESSION))]
Checker = Annotated[Principal, Depends(page(Permission.CHECKS_RUN))]
AttentionReader = Annotated[Principal, Depends(page(Permission.CHECKS_READ))]


@router.get("/entries/{ref}/checks", response_class=HTMLResponse)
def entry_checks(
    request: Request, session: DbSession, principal: LogReader, ref: PageEntryRef
) -> HTMLResponse:
    """The URL checked, the entry's place in the schedule and every check, newest first;
    written to the access log (the page shows the URL)."""
    entry = entry_by_ref(session, ref)
    record_plaintext_access(session, principal, "entry.checks", "entry", entry.public_ref)
    return staff_page(
        request,
        session,
        "staff/checks.html",
        entry=entry,
        url=service.entry_url(session, entry),
        schedule=session.get(CheckSchedule, entry.id),
        checks=list(service.checks_of(session, entry)),
    )


@router.post("/entries/{ref}/checks", response_class=HTMLResponse)
def check_now(
    session: DbSession,
    services: ServicesDep,
    clock: ClockDep,
    _p: Checker,
    ref: PageEntryRef,
    _form: PageForm,
) -> Response:
    """Check the entry's URL now (counted like a scheduled check) and show the log again."""
    entry = entry_by_ref(session, ref, for_update=True)
    apart = timedelta(seconds=services.settings.check_gone_apart_s)
    service.check_now(
        session, services.checker, entry, kind=CheckKind.MANUAL, now=clock.now(), gone_apart=apart
    )
    return RedirectResponse(f"/staff/entries/{entry.public_ref}/checks?checked=1", 303)


@router.get("/checks/attention", response_class=HTMLResponse)
def attention(request: Request, session: DbSession, _p: AttentionReader) -> HTMLResponse:
    """Active entries no check confirmed for their category's ``unchecked_days``, the longest
    waiting first; no address."""
    return staff_page(
        request, session, "staff/checks_attention.html", rows=list(service.attention(session))
    )
