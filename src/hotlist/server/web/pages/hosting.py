"""Hosting on the staff pages: "look up again" on an entry's page (analysts, supervisors; the
latest lookup is shown there, see :func:`hosting_context`), and the admins' intermediaries list:
view, add, remove."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from hotlist.errors import HotlistError
from hotlist.server.entries.models import Entry
from hotlist.server.entries.service import entry_by_ref
from hotlist.server.hosting import service as hosting
from hotlist.server.hosting.models import IntermediaryKind
from hotlist.server.kit.deps import ClockDep, DbSession, ServicesDep
from hotlist.server.kit.params import PageEntryRef, RowId
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal
from hotlist.server.problems import status_for
from hotlist.server.web.deps import PageForm, form_text, page
from hotlist.server.web.pages.staff import names_of, staff_page

router = APIRouter(prefix="/staff", tags=["pages"], include_in_schema=False)

LookerUp = Annotated[Principal, Depends(page(Permission.HOSTING_LOOKUP))]
Admin = Annotated[Principal, Depends(page(Permission.INTERMEDIARIES_MANAGE))]


def hosting_context(session: Session, entry: Entry) -> dict[str, Any]:
    """What the entry page shows of hosting: the latest lookup of the entry's host and the
    intermediary the host is on (never the host itself: that stays behind the logged reveal)."""
    return {
        "hosting": hosting.latest(session, entry.host),
        "intermediary": hosting.intermediary_for(session, entry.host),
    }


@router.post("/entries/{ref}/hosting", response_class=HTMLResponse)
def look_up_again(
    request: Request,
    session: DbSession,
    services: ServicesDep,
    clock: ClockDep,
    principal: LookerUp,
    ref: PageEntryRef,
    _form: PageForm,
) -> Response:
    """Look the entry's host up now (a new snapshot) and show the entry page again."""
    from hotlist.server.web.pages.analyst import entry_page

    entry = entry_by_ref(session, ref)
    try:
        hosting.look_up(
            session,
            services.hosting.get(),
            entry.host,
            now=clock.now(),
            entry_id=entry.id,
            actor_id=principal.user_id,
        )
    except HotlistError as exc:
        session.rollback()
        return entry_page(request, session, entry.public_ref, exc.message, status_for(exc))
    return RedirectResponse(f"/staff/entries/{entry.public_ref}?looked_up=1#hosting", 303)


def _intermediaries_page(
    request: Request,
    session: Session,
    refused: str | None = None,
    status_code: int = 200,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    rows = list(hosting.intermediaries(session, include_removed=True))
    return staff_page(
        request,
        session,
        "staff/admin_intermediaries.html",
        status_code=status_code,
        active=[row for row in rows if row.removed_at is None],
        removed=[row for row in rows if row.removed_at is not None],
        kinds=[kind.value for kind in IntermediaryKind],
        names=names_of(session, {row.added_by for row in rows} | {r.removed_by for r in rows}),
        refused=refused,
        values=values or {},
    )


@router.get("/admin/intermediaries", response_class=HTMLResponse)
def intermediaries(request: Request, session: DbSession, _p: Admin) -> HTMLResponse:
    """The intermediaries list (and those taken off it), and the form to add one."""
    return _intermediaries_page(request, session)


@router.post("/admin/intermediaries", response_class=HTMLResponse)
def add_intermediary(
    request: Request, session: DbSession, clock: ClockDep, principal: Admin, form: PageForm
) -> Response:
    """Put a host, and every name under it, on the list."""
    values = {name: form_text(form, name) for name in ("host", "kind", "note")}
    try:
        hosting.add_intermediary(
            session,
            values["host"],
            values["kind"],
            note=values["note"],
            now=clock.now(),
            actor_id=principal.user_id,
        )
    except HotlistError as exc:
        session.rollback()
        return _intermediaries_page(request, session, exc.message, status_for(exc), values)
    return RedirectResponse("/staff/admin/intermediaries?added=1", status_code=303)


@router.post("/admin/intermediaries/{intermediary_id}/removal", response_class=HTMLResponse)
def remove_intermediary(
    request: Request,
    session: DbSession,
    clock: ClockDep,
    principal: Admin,
    intermediary_id: RowId,
    _form: PageForm,
) -> Response:
    """Take an intermediary off the list (its row stays, marked removed)."""
    try:
        row = hosting.intermediary(session, intermediary_id)
        hosting.remove_intermediary(session, row.host, now=clock.now(), actor_id=principal.user_id)
    except HotlistError as exc:
        session.rollback()
        return _intermediaries_page(request, session, exc.message, status_for(exc))
    return RedirectResponse("/staff/admin/intermediaries?removed=1", status_code=303)
