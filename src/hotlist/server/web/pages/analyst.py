"""The analysts' pages: the report queue, a report (its address only after a logged click), the
assessment form beside the policy's definitions, entries and each entry's timeline."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from hotlist.errors import HotlistError, NotFound
from hotlist.policy import SharedHostingList
from hotlist.server.access_log.service import record_plaintext_access
from hotlist.server.assessments import service as assessments
from hotlist.server.assessments.schemas import AssessmentIn
from hotlist.server.entries import service as entries
from hotlist.server.entries.models import Entry, EntryState
from hotlist.server.entries.schemas import SuspendIn
from hotlist.server.entries.service import entry_by_ref
from hotlist.server.kit.deps import DbSession
from hotlist.server.kit.params import PageEntryRef, RowId
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal
from hotlist.server.policies import service as policies
from hotlist.server.policies.api import shared_hosting
from hotlist.server.problems import status_for
from hotlist.server.reports import service as reports
from hotlist.server.reports.models import ReportStatus
from hotlist.server.web.deps import PageForm, page
from hotlist.server.web.forms import FieldErrors, validate, values_of
from hotlist.server.web.pages.hosting import hosting_context
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

QueueReader = Annotated[Principal, Depends(page(Permission.REPORTS_READ))]
UrlReader = Annotated[Principal, Depends(page(Permission.REPORTS_READ_URL))]
Assessor = Annotated[Principal, Depends(page(Permission.REPORTS_ASSESS))]
EntryReader = Annotated[Principal, Depends(page(Permission.ENTRIES_READ))]
ExpressionReader = Annotated[Principal, Depends(page(Permission.ENTRIES_READ_EXPRESSION))]
Suspender = Annotated[Principal, Depends(page(Permission.ENTRIES_SUSPEND))]
ReportId = RowId
ASSESS_FIELDS = ("actionable", "reason", "category", "scope", "scope_reason")


def _day(text: str) -> datetime | None:
    """Midnight UTC of an ISO date (``2026-11-24``), or None when empty or not a date."""
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    except ValueError:
        return None


@router.get("/queue", response_class=HTMLResponse)
def queue(
    request: Request,
    session: DbSession,
    _p: QueueReader,
    status: Annotated[str, Query(max_length=16)] = ReportStatus.RECEIVED.value,
    category: Annotated[str, Query(max_length=32)] = "",
    duplicates: Annotated[str, Query(max_length=1)] = "",
    since: Annotated[str, Query(alias="from", max_length=10)] = "",
    until: Annotated[str, Query(alias="to", max_length=10)] = "",
    after: After = 0,
) -> HTMLResponse:
    """Reports in the order received, filtered by status, category hint and the days they came
    in (``from`` and ``to`` both included); no address."""
    policy = policies.policy_in_force(session)
    codes = [c.code for c in policy.categories] if policy else []
    statuses = [s.value for s in ReportStatus]
    chosen = choice(status, statuses)
    start, end = _day(since), _day(until)
    where = reports.QueueFilter(
        status=ReportStatus(chosen) if chosen else None,
        category_hint=choice(category, codes),
        received_after=start,
        received_before=end + timedelta(days=1) if end is not None else None,
        include_duplicates=duplicates == "1",
    )
    items = list(reports.queue(session, where, after, PAGE_SIZE))
    return staff_page(
        request,
        session,
        "staff/queue.html",
        items=items,
        statuses=statuses,
        status=chosen or "",
        categories=policy.categories if policy else (),
        category=category,
        duplicates=duplicates == "1",
        since=since if start else "",
        until=until if end else "",
        bad_dates=bool((since and start is None) or (until and end is None)),
        after=next_after([item.report for item in items]),
    )


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_view(
    request: Request, session: DbSession, _p: QueueReader, report_id: ReportId
) -> HTMLResponse:
    """A report's facts and decisions; its address stays hidden until asked for."""
    return _report_page(request, session, report_id, url=None)


def _report_page(
    request: Request,
    session: Session,
    report_id: int,
    url: str | None,
    status_code: int = 200,
) -> HTMLResponse:
    report = reports.get(session, report_id)
    decided = list(assessments.for_report(session, report.id))
    entry = session.get(Entry, report.entry_id) if report.entry_id is not None else None
    return staff_page(
        request,
        session,
        "staff/report.html",
        status_code=status_code,
        report=report,
        assessments=decided,
        entry=entry,
        url=url,
        names=names_of(session, {a.decided_by for a in decided}),
        duplicates=list(reports.duplicates_of(session, report.id)),
    )


@router.post("/reports/{report_id}/url", response_class=HTMLResponse)
def reveal_url(
    request: Request,
    session: DbSession,
    principal: UrlReader,
    report_id: ReportId,
    _form: PageForm,
) -> HTMLResponse:
    """The report's address, written to the access log first. htmx gets the fragment; a
    browser without script gets the whole page with the address shown."""
    report = reports.open_report(session, report_id, principal)
    if request.headers.get("hx-request") == "true":
        return staff_page(request, session, "staff/_url.html", report=report, url=report.url)
    return _report_page(request, session, report_id, url=report.url)


@router.get("/reports/{report_id}/assess", response_class=HTMLResponse)
def assess_form(
    request: Request, session: DbSession, _p: Assessor, report_id: ReportId
) -> HTMLResponse:
    """The assessment form, the policy's category definitions beside it."""
    return _assess_page(request, session, report_id, {}, {}, None)


def _assess_page(
    request: Request,
    session: Session,
    report_id: int,
    values: dict[str, str],
    errors: dict[str, str],
    refused: str | None,
    status_code: int = 200,
) -> HTMLResponse:
    report = reports.get(session, report_id)
    return staff_page(
        request,
        session,
        "staff/assess.html",
        status_code=status_code,
        report=report,
        policy=policies.policy_in_force(session),
        scopes=[s.value for s in Scope],
        values=values,
        errors=errors,
        refused=refused,
    )


@router.post("/reports/{report_id}/assess", response_class=HTMLResponse)
def assess(
    request: Request,
    session: DbSession,
    principal: Assessor,
    report_id: ReportId,
    form: PageForm,
    listed: Annotated[SharedHostingList, Depends(shared_hosting)],
) -> Response:
    """Record the assessment (the API's rules); on success go to the entry or the report."""
    t = translator(request)
    values = values_of(form, ASSESS_FIELDS)
    data = dict(values)
    data["actionable"] = {"yes": "true", "no": "false"}.get(values["actionable"], "")
    if data["actionable"] == "false":
        data["category"] = data["scope"] = ""
    body, errors = validate(
        AssessmentIn,
        data,
        t,
        {
            "actionable": "Say whether the content is illegal under the policy.",
            "reason": "Write the facts the decision relies on.",
            "category": "Choose a category of the policy.",
            "scope": "Choose page, folder or host.",
        },
    )
    if body is None:
        return _assess_page(request, session, report_id, values, errors, None, 422)
    decision = assessments.AssessmentInput(
        actionable=body.actionable,
        reason=body.reason,
        category=body.category,
        scope=body.scope,
        scope_reason=body.scope_reason,
    )
    try:
        outcome = assessments.assess(session, report_id, decision, principal, listed)
    except NotFound:
        raise
    except HotlistError as exc:
        session.rollback()
        return _assess_page(request, session, report_id, values, {}, exc.message, 409)
    if outcome.entry is not None:
        return RedirectResponse(f"/staff/entries/{outcome.entry.public_ref}?new=1", 303)
    return RedirectResponse(f"/staff/reports/{report_id}?closed=1", 303)


@router.get("/entries", response_class=HTMLResponse)
def entry_list(
    request: Request,
    session: DbSession,
    _p: EntryReader,
    state: Annotated[str, Query(max_length=16)] = "",
    category: Annotated[str, Query(max_length=32)] = "",
    after: After = 0,
) -> HTMLResponse:
    """Entries in the order made, by state and category; hashes and reasons, no address."""
    policy = policies.policy_in_force(session)
    states = [s.value for s in EntryState]
    chosen = choice(state, states)
    where = entries.EntryFilter(
        state=EntryState(chosen) if chosen else None,
        category_code=category or None,
    )
    rows = list(entries.list_entries(session, where, after, PAGE_SIZE))
    return staff_page(
        request,
        session,
        "staff/entries.html",
        entries=rows,
        states=states,
        state=chosen or "",
        categories=policy.categories if policy else (),
        category=category,
        after=next_after(rows),
    )


@router.get("/entries/{ref}", response_class=HTMLResponse)
def entry_view(
    request: Request, session: DbSession, _p: EntryReader, ref: PageEntryRef
) -> HTMLResponse:
    """An entry's statement of reasons and its timeline of events."""
    return entry_page(request, session, ref)


@router.post("/entries/{ref}/suspension", response_class=HTMLResponse)
def suspend(
    request: Request,
    session: DbSession,
    principal: Suspender,
    ref: PageEntryRef,
    form: PageForm,
) -> Response:
    """Take an active entry off the list at once while in doubt (a supervisor decides next);
    the reason is checked as ``POST /v1/entries/{id}/suspension`` checks it."""
    entry = entry_by_ref(session, ref)
    values = values_of(form, ("reason",))
    body, errors = validate(
        SuspendIn, values, translator(request), {"reason": "Say why you suspend it."}
    )
    if body is None:
        return entry_page(
            request, session, entry.public_ref, None, 422, values=values, errors=errors
        )
    try:
        entries.transition(session, entry, EntryState.SUSPENDED, body.reason, principal.user_id)
    except HotlistError as exc:
        session.rollback()
        return entry_page(request, session, entry.public_ref, exc.message, status_for(exc))
    return RedirectResponse(f"/staff/entries/{entry.public_ref}?moved=1", status_code=303)


@router.post("/entries/{ref}/expression", response_class=HTMLResponse)
def reveal_expression(
    request: Request,
    session: DbSession,
    principal: ExpressionReader,
    ref: PageEntryRef,
    _form: PageForm,
) -> HTMLResponse:
    """The expression the entry lists (host and path, in clear), written to the access log
    first; an htmx fragment, or the whole entry page without script."""
    entry = entry_by_ref(session, ref)
    record_plaintext_access(session, principal, "entry.expression", "entry", entry.public_ref)
    if request.headers.get("hx-request") == "true":
        return staff_page(request, session, "staff/_expression.html", expression=entry.expression)
    return entry_page(request, session, entry.public_ref, expression=entry.expression)


def entry_page(
    request: Request,
    session: Session,
    ref: str,
    refused: str | None = None,
    status_code: int = 200,
    expression: str | None = None,
    *,
    values: Mapping[str, str] | None = None,
    errors: FieldErrors | None = None,
) -> HTMLResponse:
    """The entry page (also shown again by a refused transition, or with a state form's
    ``values`` and the ``errors`` beside its fields)."""
    entry = entry_by_ref(session, ref)
    timeline = list(entries.events(session, entry, 0, 500))
    version = policies.version_numbers(session, {entry.policy_version_id})
    return staff_page(
        request,
        session,
        "staff/entry.html",
        status_code=status_code,
        entry=entry,
        events=timeline,
        policy_version=version.get(entry.policy_version_id),
        names=names_of(session, {entry.decided_by, *(e.actor_id for e in timeline)}),
        states=[s.value for s in EntryState if s is not EntryState(entry.state)],
        refused=refused,
        expression=expression,
        values=values or {},
        errors=errors or {},
        **hosting_context(session, entry),
    )
