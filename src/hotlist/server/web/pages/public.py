"""The public's pages: report a URL, follow a report, appeal against an entry and follow the
appeal, the transparency report. No account, and nothing that identifies the visitor is stored.

Forms answer with the same page and each error beside its field; a form that succeeds redirects
(303) to the status page of its receipt, so reloading never sends it twice.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from hotlist.errors import Conflict, InvalidRequest, InvalidURL, NotFound, PolicyError
from hotlist.server.appeals import service as appeals
from hotlist.server.appeals.api import file_appeal
from hotlist.server.appeals.models import Relation
from hotlist.server.appeals.schemas import AppealIn
from hotlist.server.figures.api import DEFAULT_DAYS, MAX_DAYS, cached_figures, period
from hotlist.server.figures.report import charts
from hotlist.server.kit.deps import (
    ClockDep,
    ContactCiphers,
    DbSession,
    ServicesDep,
    limit_by_client_address,
)
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal
from hotlist.server.kit.types import RECEIPT as RECEIPT_PATTERN
from hotlist.server.policies import service as policies
from hotlist.server.reports import service as reports
from hotlist.server.reports.api import file_report
from hotlist.server.reports.schemas import ReportIn
from hotlist.server.web.deps import PageForm, page
from hotlist.server.web.forms import FieldErrors, validate, values_of
from hotlist.server.web.rendering import render, translator

router = APIRouter(tags=["pages"], include_in_schema=False)

Reporter = Annotated[Principal, Depends(page(Permission.REPORTS_CREATE))]
ReportFollower = Annotated[Principal, Depends(page(Permission.REPORTS_STATUS))]
Appellant = Annotated[Principal, Depends(page(Permission.APPEALS_CREATE))]
AppealFollower = Annotated[Principal, Depends(page(Permission.APPEALS_STATUS))]
Reader = Annotated[Principal, Depends(page(Permission.TRANSPARENCY_READ))]

RECEIPT = re.compile(RECEIPT_PATTERN)
REPORT_FIELDS = ("url", "category_hint", "comment", "contact")
APPEAL_FIELDS = ("entry_id", "relation", "reason", "contact")


@router.get("/", response_class=HTMLResponse)
def home(request: Request, _p: Reporter) -> HTMLResponse:
    """The start page: it leads to the report form."""
    return render(request, "public/home.html")


@router.get("/report", response_class=HTMLResponse)
def report_form(request: Request, session: DbSession, _p: Reporter) -> HTMLResponse:
    """The report form: says what is kept (no address) and what happens next."""
    return _report_page(request, session, {}, {})


def _report_page(
    request: Request,
    session: Session,
    values: dict[str, str],
    errors: FieldErrors,
) -> HTMLResponse:
    return render(
        request,
        "public/report.html",
        status_code=422 if errors else 200,
        policy=policies.policy_in_force(session),
        values=values,
        errors=errors,
    )


@router.post(
    "/report",
    response_class=HTMLResponse,
    dependencies=[Depends(limit_by_client_address)],
)
def report_submit(
    request: Request,
    session: DbSession,
    contacts: ContactCiphers,
    _p: Reporter,
    form: PageForm,
) -> Response:
    """File the report (the API's rules) and show its receipt, or the form with its errors."""
    t = translator(request)
    values = values_of(form, REPORT_FIELDS)
    body, errors = validate(
        ReportIn,
        values,
        t,
        {
            "url": t.gettext(
                "Enter the full address of the page, starting with http:// or https://."
            ),
            "category_hint": t.gettext("Choose one of the listed kinds, or leave it empty."),
        },
    )
    if body is None:
        return _report_page(request, session, values, errors)
    try:
        report = file_report(session, body, contacts)
    except InvalidURL:
        errors = {
            "url": t.gettext(
                "This is not an address we can check: enter the full address of the page, "
                "starting with http:// or https://."
            )
        }
    except PolicyError:
        errors = {"category_hint": t.gettext("Choose one of the listed kinds, or leave it empty.")}
    if errors:
        return _report_page(request, session, values, errors)
    target = "/report/status?" + urlencode({"receipt": report.receipt, "new": "1"})
    return RedirectResponse(target, status_code=303)


@router.get("/report/status", response_class=HTMLResponse)
def report_status(
    request: Request,
    session: DbSession,
    _p: ReportFollower,
    receipt: Annotated[str, Query(max_length=200)] = "",
    new: Annotated[str, Query(max_length=1)] = "",
) -> HTMLResponse:
    """A report's status by its receipt: received, assessed or closed; nothing more."""
    t = translator(request)
    receipt = receipt.strip()
    report, errors, code = _by_receipt(
        t,
        receipt,
        lambda found: reports.status_of(session, found),
        t.gettext("No report has this receipt; check it was copied in full."),
    )
    status = None if report is None else report.value
    return render(
        request,
        "public/report_status.html",
        status_code=code,
        receipt=receipt,
        status=status,
        new=new == "1" and status is not None,
        errors=errors,
    )


T = TypeVar("T")


def _by_receipt(
    t: gettext.NullTranslations, receipt: str, find: Callable[[str], T], missing: str
) -> tuple[T | None, FieldErrors, int]:
    """What a receipt names, the field errors, and the page's status (200, 404 or 422)."""
    if not receipt:
        return None, {}, 200
    if not RECEIPT.fullmatch(receipt):
        message = t.gettext(
            "A receipt is letters, digits, - and _ only; check it was copied in full."
        )
        return None, {"receipt": message}, 422
    try:
        return find(receipt), {}, 200
    except NotFound:
        return None, {"receipt": missing}, 404


@router.get("/appeal", response_class=HTMLResponse)
def appeal_form(
    request: Request,
    _p: Appellant,
    entry: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    """The appeal form, the entry id filled in from the block page's link."""
    return _appeal_page(request, {"entry_id": entry.strip().lower()}, {})


def _appeal_page(request: Request, values: dict[str, str], errors: FieldErrors) -> HTMLResponse:
    return render(
        request,
        "public/appeal.html",
        status_code=422 if errors else 200,
        values=values,
        errors=errors,
        relations=[relation.value for relation in Relation],
    )


@router.post(
    "/appeal",
    response_class=HTMLResponse,
    dependencies=[Depends(limit_by_client_address)],
)
def appeal_submit(
    request: Request,
    session: DbSession,
    contacts: ContactCiphers,
    clock: ClockDep,
    _p: Appellant,
    form: PageForm,
) -> Response:
    """File the appeal (the API's rules) and show its receipt, or the form with its errors."""
    t = translator(request)
    values = values_of(form, APPEAL_FIELDS)
    values["entry_id"] = values["entry_id"].lower()
    body, errors = validate(
        AppealIn,
        values,
        t,
        {
            "entry_id": t.gettext(
                "Enter the entry id shown on the block page: 16 characters, 0-9 and a-f."
            ),
            "relation": t.gettext("Choose who you are in relation to the blocked address."),
            "reason": t.gettext("Say why the entry is wrong."),
        },
    )
    if body is None:
        return _appeal_page(request, values, errors)
    try:
        appeal = file_appeal(session, body, contacts, clock.now())
    except NotFound:
        errors = {"entry_id": t.gettext("No entry has this id; check it against the block page.")}
    except Conflict:
        errors = {
            "entry_id": t.gettext(
                "This entry has been removed already: nothing blocks the address any more."
            )
        }
    if errors:
        return _appeal_page(request, values, errors)
    target = "/appeal/status?" + urlencode({"receipt": appeal.receipt, "new": "1"})
    return RedirectResponse(target, status_code=303)


@router.get("/appeal/status", response_class=HTMLResponse)
def appeal_status(
    request: Request,
    session: DbSession,
    _p: AppealFollower,
    receipt: Annotated[str, Query(max_length=200)] = "",
    new: Annotated[str, Query(max_length=1)] = "",
) -> HTMLResponse:
    """An appeal's state by its receipt: open, or decided with the outcome and its reason."""
    t = translator(request)
    receipt = receipt.strip()
    appeal, errors, code = _by_receipt(
        t,
        receipt,
        lambda found: appeals.by_receipt(session, found),
        t.gettext("No appeal has this receipt; check it was copied in full."),
    )
    return render(
        request,
        "public/appeal_status.html",
        status_code=code,
        receipt=receipt,
        appeal=appeal,
        new=new == "1" and appeal is not None,
        errors=errors,
    )


@router.get("/transparency", response_class=HTMLResponse)
def transparency(
    request: Request,
    session: DbSession,
    services: ServicesDep,
    clock: ClockDep,
    _p: Reader,
    start: Annotated[str, Query(alias="from", max_length=40)] = "",
    end: Annotated[str, Query(alias="to", max_length=40)] = "",
) -> HTMLResponse:
    """The transparency report of a period (the last 30 days by default): the same figures and
    charts as ``hotlist report transparency``, in the shared layout (cached like the JSON).

    A period that cannot be shown (not a date, the last day before the first, too long) answers
    with the form, the values as typed and the error beside the date field it is about."""
    t = translator(request)
    values = {"from": start.strip(), "to": end.strip()}
    days, errors = _period_days(values, clock.now().date(), t)
    if errors:
        return render(
            request,
            "public/transparency.html",
            status_code=422,
            f=None,
            values=values,
            errors=errors,
        )
    figures = cached_figures(session, services, clock.now().date(), *days)
    last_day = (figures.end - timedelta(days=1)).date()
    shown = {"from": figures.start.date().isoformat(), "to": last_day.isoformat()}
    return render(
        request,
        "public/transparency.html",
        f=figures,
        charts=charts(figures),
        last_day=last_day,
        values=shown,
        errors={},
    )


def _period_days(
    values: dict[str, str], today: date, t: gettext.NullTranslations
) -> tuple[tuple[date | None, date | None], FieldErrors]:
    """The period's first and last day from the form (None: the default), or the errors,
    each on its date field; the period's rules are :func:`hotlist.server.figures.api.period`'s."""
    errors: FieldErrors = {}
    days: dict[str, date | None] = {}
    for name, text in values.items():
        try:
            days[name] = date.fromisoformat(text) if text else None
        except ValueError:
            errors[name] = t.gettext("Enter a date as year-month-day, such as 2026-01-31.")
    if errors:
        return (None, None), errors
    first, last = days["from"], days["to"]
    try:
        period(first, last, today)
    except InvalidRequest:
        end_day = last or today
        begin = first or end_day - timedelta(days=DEFAULT_DAYS - 1)
        if end_day < begin:
            field = "to" if last else "from"
            errors[field] = t.gettext("The last day comes before the first day.")
        else:
            errors["to"] = t.gettext(
                "This period is too long: a report covers at most %(days)s days."
            ) % {"days": MAX_DAYS}
    return (first, last), errors
