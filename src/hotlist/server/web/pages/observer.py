"""The observers' pages (supervisors and admins read them too): the transparency log, audit
samples of decisions and an observer's review of each. Reading only, except a review, which
changes nothing on the list; drawing a sample is for supervisors and admins."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from hotlist.errors import HotlistError
from hotlist.server.kit.deps import DbSession
from hotlist.server.kit.params import RowId
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal
from hotlist.server.log import service as log_service
from hotlist.server.observers import service as observers
from hotlist.server.observers.models import Verdict
from hotlist.server.observers.schemas import ReviewIn
from hotlist.server.problems import status_for
from hotlist.server.web.deps import PageForm, form_text, page
from hotlist.server.web.forms import FieldErrors, validate, values_of
from hotlist.server.web.pages.staff import PAGE_SIZE, After, names_of, next_after, staff_page
from hotlist.server.web.rendering import translator

router = APIRouter(prefix="/staff", tags=["pages"], include_in_schema=False)

LogReader = Annotated[Principal, Depends(page(Permission.LOG_READ))]
AuditReader = Annotated[Principal, Depends(page(Permission.AUDIT_READ))]
Sampler = Annotated[Principal, Depends(page(Permission.AUDIT_SAMPLE))]
AuditReviewer = Annotated[Principal, Depends(page(Permission.AUDIT_REVIEW))]
Id = RowId
LOG_PAGE = 100


@router.get("/log", response_class=HTMLResponse)
def log(
    request: Request,
    session: DbSession,
    _p: LogReader,
    start: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> HTMLResponse:
    """The log's leaves from ``start`` (hashes, categories, reasons; never an address)."""
    size = log_service.size(session)
    leaves = log_service.entries(session, start, start + LOG_PAGE)
    return staff_page(
        request,
        session,
        "staff/log.html",
        leaves=leaves,
        size=size,
        start=start,
        next_start=start + LOG_PAGE if start + LOG_PAGE < size else None,
    )


def _audit_list(
    request: Request,
    session: Session,
    after: int,
    refused: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    samples = list(observers.list_samples(session, after, PAGE_SIZE))
    today = date.today()
    return staff_page(
        request,
        session,
        "staff/audit.html",
        status_code=status_code,
        samples=samples,
        after=next_after(samples),
        default_from=(today - timedelta(days=30)).isoformat(),
        default_to=(today + timedelta(days=1)).isoformat(),
        refused=refused,
    )


@router.get("/audit", response_class=HTMLResponse)
def audit(
    request: Request,
    session: DbSession,
    _p: AuditReader,
    after: After = 0,
) -> HTMLResponse:
    """Audit samples in the order drawn; the form to draw one for those who may."""
    return _audit_list(request, session, after)


def _day(text: str) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    except ValueError:
        return None


@router.post("/audit", response_class=HTMLResponse)
def draw(request: Request, session: DbSession, principal: Sampler, form: PageForm) -> Response:
    """Draw a random sample of the decisions made in a period."""
    start, end = _day(form_text(form, "from")), _day(form_text(form, "to"))
    size_text = form_text(form, "size")
    if start is None or end is None or not size_text.isdigit() or len(size_text) > 6:
        return _audit_list(request, session, 0, "Give the period as two dates and a size.", 422)
    try:
        sample = observers.draw_sample(session, start, end, int(size_text), principal)
    except HotlistError as exc:
        session.rollback()
        return _audit_list(request, session, 0, exc.message, status_for(exc))
    return RedirectResponse(f"/staff/audit/{sample.id}", status_code=303)


def _sample_page(
    request: Request,
    session: Session,
    sample_id: int,
    refused: str | None = None,
    status_code: int = 200,
    *,
    item_id: int | None = None,
    values: Mapping[str, str] | None = None,
    errors: FieldErrors | None = None,
) -> HTMLResponse:
    """The sample page; ``item_id``'s review form shown again with ``values`` and ``errors``
    (keyed by the field's id: ``comment-<item>``, ``verdict-<item>``)."""
    sample = observers.get_sample(session, sample_id)
    reviews = list(observers.reviews_of(session, sample))
    principal: Principal = request.state.principal
    return staff_page(
        request,
        session,
        "staff/sample.html",
        status_code=status_code,
        sample=sample,
        items=list(observers.items_of(session, sample)),
        reviews=reviews,
        mine={r.item_id for r in reviews if r.user_id == principal.user_id},
        names=names_of(session, {sample.drawn_by, *(r.user_id for r in reviews)}),
        verdicts=[v.value for v in Verdict],
        refused=refused,
        error_item=item_id,
        values=values or {},
        errors=errors or {},
    )


@router.get("/audit/{sample_id}", response_class=HTMLResponse)
def sample_view(
    request: Request, session: DbSession, _p: AuditReader, sample_id: Id
) -> HTMLResponse:
    """A sample's decisions, their reviews, and a review form per decision."""
    return _sample_page(request, session, sample_id)


@router.post("/audit/{sample_id}/review", response_class=HTMLResponse)
def review(
    request: Request, session: DbSession, principal: AuditReviewer, sample_id: Id, form: PageForm
) -> Response:
    """Record the observer's verdict on one decision of the sample (final), checked as
    ``POST /v1/audit/samples/{id}/reviews`` checks it."""
    sample = observers.get_sample(session, sample_id)
    values = values_of(form, ("item_id", "verdict", "comment"))
    body, errors = validate(
        ReviewIn, values, translator(request), {"verdict": "Choose agree or disagree."}
    )
    if body is None:
        if "item_id" in errors or not values["item_id"].isdigit():
            return _sample_page(request, session, sample_id, "Choose agree or disagree.", 422)
        item = int(values["item_id"])
        return _sample_page(
            request,
            session,
            sample_id,
            None,
            422,
            item_id=item,
            values=values,
            errors={f"{name}-{item}": text for name, text in errors.items()},  # the field's id
        )
    try:
        observers.review(session, sample, body.item_id, body.verdict, body.comment, principal)
    except HotlistError as exc:
        session.rollback()
        return _sample_page(request, session, sample_id, exc.message, status_for(exc))
    return RedirectResponse(f"/staff/audit/{sample_id}?reviewed=1", status_code=303)
