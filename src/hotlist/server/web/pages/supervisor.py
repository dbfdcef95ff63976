"""The supervisors' pages: second review of recent assessments, changing an entry's state, and
the objection and appeal queues (overdue ones flagged) with decisions and their reasons.

The due-process services refuse a decision by the entry's own analyst; the page shows that
refusal beside the form rather than as an error page.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotlist.errors import HotlistError
from hotlist.policy import SharedHostingList
from hotlist.server.appeals import service as appeals
from hotlist.server.appeals.models import AppealOutcome, AppealState, Relation
from hotlist.server.appeals.schemas import AppealDecisionIn, InterimIn
from hotlist.server.assessments.models import Assessment
from hotlist.server.entries import service as entries
from hotlist.server.entries.models import Entry
from hotlist.server.entries.schemas import TransitionIn
from hotlist.server.entries.service import entry_by_ref
from hotlist.server.kit.deps import ClockDep, DbSession, ServicesDep
from hotlist.server.kit.params import PageEntryRef, RowId
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal
from hotlist.server.objections import service as objections
from hotlist.server.objections.models import ObjectionOutcome, ObjectionState
from hotlist.server.objections.schemas import DecisionIn
from hotlist.server.policies.api import shared_hosting
from hotlist.server.problems import status_for
from hotlist.server.web.deps import PageForm, page
from hotlist.server.web.forms import FieldErrors, validate, values_of
from hotlist.server.web.pages.analyst import entry_page
from hotlist.server.web.pages.staff import (
    PAGE_SIZE,
    After,
    choice,
    names_of,
    next_after,
    staff_page,
)
from hotlist.server.web.rendering import translator
from hotlist.urls import Scope

router = APIRouter(prefix="/staff", tags=["pages"], include_in_schema=False)

Reviewer = Annotated[Principal, Depends(page(Permission.ENTRIES_TRANSITION))]
ObjectionReader = Annotated[Principal, Depends(page(Permission.OBJECTIONS_READ))]
ObjectionDecider = Annotated[Principal, Depends(page(Permission.OBJECTIONS_DECIDE))]
AppealReader = Annotated[Principal, Depends(page(Permission.APPEALS_READ))]
AppealDecider = Annotated[Principal, Depends(page(Permission.APPEALS_DECIDE))]
Id = RowId
RELATION_PHRASES: dict[str, str] = {
    Relation.SITE_OWNER: "the site's owner (or the content's)",
    Relation.USER: "a user of the site",
    Relation.OTHER: "someone else",
}
"""Who filed an appeal, as the appeal page says it ("Filed ... by a user of the site")."""


@router.get("/review", response_class=HTMLResponse)
def review(request: Request, session: DbSession, _p: Reviewer, after: After = 0) -> HTMLResponse:
    """Actionable assessments newest first, with their entries, for a second look."""
    query = select(Assessment).where(Assessment.actionable.is_(True))
    if after:
        query = query.where(Assessment.id < after)
    rows = list(session.scalars(query.order_by(Assessment.id.desc()).limit(PAGE_SIZE)))
    made = {
        e.id: e
        for e in session.scalars(select(Entry).where(Entry.id.in_({r.entry_id for r in rows})))
    }
    return staff_page(
        request,
        session,
        "staff/review.html",
        rows=rows,
        entries=made,
        names=names_of(session, {r.decided_by for r in rows}),
        after=next_after(rows),
    )


@router.post("/entries/{ref}/state", response_class=HTMLResponse)
def change_state(
    request: Request,
    session: DbSession,
    principal: Reviewer,
    ref: PageEntryRef,
    form: PageForm,
) -> Response:
    """Suspend, reinstate, expire or remove an entry, with a reason (on its timeline), checked
    as ``POST /v1/entries/{id}/transitions`` checks it."""
    entry = entry_by_ref(session, ref)
    values = values_of(form, ("to_state", "reason"))
    body, errors = validate(
        TransitionIn,
        {"to": values["to_state"], "reason": values["reason"]},
        translator(request),
        {"to": "Choose a state.", "reason": "Give a reason: it goes on the entry's timeline."},
    )
    if body is None:
        errors = {("to_state" if name == "to" else name): text for name, text in errors.items()}
        return entry_page(
            request, session, entry.public_ref, None, 422, values=values, errors=errors
        )
    try:
        entries.transition(session, entry, body.to, body.reason, principal.user_id)
    except HotlistError as exc:
        session.rollback()
        return entry_page(request, session, ref, exc.message, status_for(exc))
    return RedirectResponse(f"/staff/entries/{entry.public_ref}?moved=1", status_code=303)


@router.get("/objections", response_class=HTMLResponse)
def objection_queue(
    request: Request,
    session: DbSession,
    services: ServicesDep,
    clock: ClockDep,
    principal: ObjectionReader,
    state: Annotated[str, Query(max_length=16)] = ObjectionState.OPEN.value,
    after: After = 0,
) -> HTMLResponse:
    """Members' objections oldest first; open ones past the decision time are flagged."""
    chosen = choice(state, [s.value for s in ObjectionState])
    where = objections.ObjectionFilter(
        state=ObjectionState(chosen) if chosen else None,
        org_id=None if objections.is_staff(principal) else principal.org_id,
    )
    rows = list(objections.listing(session, where, after, PAGE_SIZE))
    days = services.settings.appeal_decide_days
    late = clock.now() - timedelta(days=days)
    return staff_page(
        request,
        session,
        "staff/objections.html",
        rows=rows,
        refs={r.id: session.get_one(Entry, r.entry_id).public_ref for r in rows},
        overdue={r.id for r in rows if r.state == ObjectionState.OPEN and r.created_at < late},
        days=days,
        state=chosen or "",
        states=[s.value for s in ObjectionState],
        after=next_after(rows),
    )


def _objection_page(
    request: Request,
    session: Session,
    principal: Principal,
    objection_id: int,
    refused: str | None = None,
    status_code: int = 200,
    *,
    values: Mapping[str, str] | None = None,
    errors: FieldErrors | None = None,
) -> HTMLResponse:
    objection = objections.get_for(session, objection_id, principal)
    entry = session.get_one(Entry, objection.entry_id)
    return staff_page(
        request,
        session,
        "staff/objection.html",
        status_code=status_code,
        objection=objection,
        entry=entry,
        new_entry=session.get(Entry, objection.new_entry_id) if objection.new_entry_id else None,
        names=names_of(session, {objection.decided_by, entry.decided_by}),
        outcomes=[o.value for o in ObjectionOutcome],
        scopes=[s.value for s in Scope],
        refused=refused,
        values=values or {},
        errors=errors or {},
    )


@router.get("/objections/{objection_id}", response_class=HTMLResponse)
def objection_view(
    request: Request, session: DbSession, principal: ObjectionReader, objection_id: Id
) -> HTMLResponse:
    """An objection, its entry's statement of reasons, and the decision form."""
    return _objection_page(request, session, principal, objection_id)


@router.post("/objections/{objection_id}/decide", response_class=HTMLResponse)
def objection_decide(
    request: Request,
    session: DbSession,
    principal: ObjectionDecider,
    objection_id: Id,
    form: PageForm,
    listed: Annotated[SharedHostingList, Depends(shared_hosting)],
) -> Response:
    """Decide the objection with a reason (not by the entry's own analyst), checked as
    ``POST /v1/objections/{id}/decision`` checks it."""
    objection = objections.get(session, objection_id)
    values = values_of(form, ("outcome", "new_scope", "reason"))
    data = dict(values)
    if data["outcome"] != ObjectionOutcome.SCOPE_CHANGED.value:
        data["new_scope"] = ""  # the select keeps its value whatever the outcome chosen
    body, errors = validate(
        DecisionIn,
        data,
        translator(request),
        {
            "outcome": "Choose an outcome.",
            "new_scope": "Choose page, folder or host.",
            "reason": "Give a reason: it is sent to the member and logged.",
        },
    )
    if body is None:
        return _objection_page(
            request, session, principal, objection_id, None, 422, values=values, errors=errors
        )
    decision = objections.ObjectionDecision(
        outcome=body.outcome, reason=body.reason, new_scope=body.new_scope
    )
    try:
        objections.decide(session, objection, decision, principal, listed)
    except HotlistError as exc:
        session.rollback()
        return _objection_page(
            request, session, principal, objection_id, exc.message, status_for(exc)
        )
    return RedirectResponse(f"/staff/objections/{objection_id}?decided=1", status_code=303)


@router.get("/appeals", response_class=HTMLResponse)
def appeal_queue(
    request: Request,
    session: DbSession,
    services: ServicesDep,
    clock: ClockDep,
    _p: AppealReader,
    state: Annotated[str, Query(max_length=16)] = AppealState.OPEN.value,
    overdue: Annotated[str, Query(max_length=1)] = "",
    after: After = 0,
) -> HTMLResponse:
    """Appeals oldest first; open ones past the decision time are flagged (or only those)."""
    days, now = services.settings.appeal_decide_days, clock.now()
    chosen = choice(state, [s.value for s in AppealState])
    where = appeals.AppealFilter(
        state=AppealState(chosen) if chosen else None,
        overdue_before=now - timedelta(days=days) if overdue == "1" else None,
    )
    rows = list(appeals.queue(session, where, after, PAGE_SIZE))
    return staff_page(
        request,
        session,
        "staff/appeals.html",
        rows=rows,
        refs={r.id: session.get_one(Entry, r.entry_id).public_ref for r in rows},
        overdue={r.id for r in rows if appeals.is_overdue(r, days, now)},
        days=days,
        state=chosen or "",
        states=[s.value for s in AppealState],
        only_overdue=overdue == "1",
        after=next_after(rows),
    )


def _appeal_page(
    request: Request,
    session: Session,
    due: tuple[int, datetime],
    appeal_id: int,
    refused: str | None = None,
    status_code: int = 200,
    *,
    values: Mapping[str, str] | None = None,
    errors: FieldErrors | None = None,
) -> HTMLResponse:
    """The appeal page; ``due`` is the days allowed to decide and the time now."""
    appeal = appeals.get(session, appeal_id)
    entry = session.get_one(Entry, appeal.entry_id)
    return staff_page(
        request,
        session,
        "staff/appeal.html",
        status_code=status_code,
        appeal=appeal,
        entry=entry,
        overdue=appeals.is_overdue(appeal, *due),
        names=names_of(session, {appeal.decided_by, appeal.interim_by, entry.decided_by}),
        outcomes=[o.value for o in AppealOutcome],
        relation=RELATION_PHRASES.get(appeal.relation, appeal.relation),
        refused=refused,
        values=values or {},
        errors=errors or {},
    )


@router.get("/appeals/{appeal_id}", response_class=HTMLResponse)
def appeal_view(
    request: Request,
    session: DbSession,
    services: ServicesDep,
    clock: ClockDep,
    _p: AppealReader,
    appeal_id: Id,
) -> HTMLResponse:
    """An appeal, its entry's statement of reasons, and the decision form."""
    due = (services.settings.appeal_decide_days, clock.now())
    return _appeal_page(request, session, due, appeal_id)


@router.post("/appeals/{appeal_id}/decide", response_class=HTMLResponse)
def appeal_decide(
    request: Request,
    session: DbSession,
    services: ServicesDep,
    clock: ClockDep,
    principal: AppealDecider,
    appeal_id: Id,
    form: PageForm,
) -> Response:
    """Decide the appeal with a reason (shown on the public status page), or suspend the entry
    while it is open; never by the entry's own analyst. Checked as the API checks
    ``POST /v1/appeals/{id}/decision`` and ``/interim``."""
    appeal = appeals.get(session, appeal_id)
    days, now = services.settings.appeal_decide_days, clock.now()
    values = values_of(form, ("outcome", "reason"))
    t = translator(request)
    messages = {
        "outcome": "Choose a decision.",
        "reason": "Give a reason: the appellant sees it, and it is logged.",
    }
    interim, decision = None, None
    if values["outcome"] == "interim":
        interim, errors = validate(InterimIn, {"reason": values["reason"]}, t, messages)
    else:
        decision, errors = validate(AppealDecisionIn, values, t, messages)
    if errors:
        return _appeal_page(
            request, session, (days, now), appeal_id, None, 422, values=values, errors=errors
        )
    try:
        if interim is not None:
            appeals.suspend_interim(session, appeal, interim.reason, principal, now)
        elif decision is not None:
            appeals.decide(session, appeal, decision.outcome, decision.reason, principal, days, now)
    except HotlistError as exc:
        session.rollback()
        return _appeal_page(request, session, (days, now), appeal_id, exc.message, status_for(exc))
    return RedirectResponse(f"/staff/appeals/{appeal_id}?decided=1", status_code=303)
