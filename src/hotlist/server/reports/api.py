"""``/v1/reports``: the public's intake and status, and the analysts' queue."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy.orm import Session

from hotlist.errors import InvalidRequest
from hotlist.publish.wire import format_entry_id
from hotlist.server.db.base import MAX_ID
from hotlist.server.entries.models import Entry
from hotlist.server.kit.contacts import ContactCipher
from hotlist.server.kit.deps import ContactCiphers, DbSession, PublicIntake, public_intake, require
from hotlist.server.kit.pagination import Cursor, Limit, Page, decode_id_cursor, split_page
from hotlist.server.kit.permissions import Permission, Role
from hotlist.server.kit.principal import Principal
from hotlist.server.kit.services import Lazy
from hotlist.server.kit.types import CATEGORY_CODE, RECEIPT
from hotlist.server.reports import intake, service
from hotlist.server.reports.models import Report, ReportStatus
from hotlist.server.reports.schemas import (
    QueueItemOut,
    Receipt,
    ReportIn,
    ReportOut,
    ReportStatusOut,
)

router = APIRouter(prefix="/v1", tags=["reports"])

PublicIntakeDep = Annotated[PublicIntake, Depends(public_intake)]
StatusReader = Annotated[Principal, Depends(require(Permission.REPORTS_STATUS))]
QueueReader = Annotated[Principal, Depends(require(Permission.REPORTS_READ))]
UrlReader = Annotated[Principal, Depends(require(Permission.REPORTS_READ_URL))]
ReportId = Annotated[int, Path(ge=1, le=MAX_ID, description="The report's id in the queue.")]
ReceiptPath = Annotated[str, Path(pattern=RECEIPT)]


def install_intake(app: FastAPI) -> None:
    """Serve the public's ``POST /v1/reports`` as a route of ``app`` itself, before any other:
    a wave of reports then walks no router's routes, and no included router's layer (profiled:
    FastAPI matches an included router's routes through a view of them on each request)."""
    app.add_api_route(
        "/v1/reports",
        create_report,
        methods=["POST"],
        response_model=Receipt,
        status_code=201,
        summary="Report a URL (public, no account)",
        tags=["reports"],
        openapi_extra={"requestBody": REPORT_BODY},
        responses={
            422: {
                "description": "The report does not validate (problem+json, each "
                "field's error in `errors`), or its URL names no web page"
            }
        },
    )


REPORT_BODY = {
    "required": True,
    "content": {"application/json": {"schema": ReportIn.model_json_schema()}},
}
"""The intake's request body in the OpenAPI document: the endpoint reads the body itself."""


async def create_report(request: Request, public: PublicIntakeDep) -> Response:
    """File a report. Keep the receipt: it is the only way to follow the report.

    No address or other identifier of the reporter is stored. ``contact`` is optional,
    stored encrypted and purged after 90 days.
    """
    # The body is parsed and validated in one pass by Pydantic, and the receipt written by it:
    # FastAPI's own body handling and response validation cost more than filing (profiled).
    body = report_in(await request.body())
    receipt = await intake.submit_async(
        public.services.intake, body.url, now=public.clock.now(), **_filing(body, public.contacts)
    )
    return Response(
        Receipt(receipt=receipt).model_dump_json(), status_code=201, media_type="application/json"
    )


def report_in(raw: bytes) -> ReportIn:
    """The report in a request's JSON body; a RequestValidationError (422, located in
    ``body`` as FastAPI's own are) when it is no JSON or does not validate."""
    try:
        return ReportIn.model_validate_json(raw)
    except ValidationError as exc:
        errors = [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        raise RequestValidationError(errors) from None


def file_report(session: Session, body: ReportIn, contacts: Lazy[ContactCipher]) -> Report:
    """File the report ``body`` from the report form, in the page's session."""
    return intake.submit(session, body.url, **_filing(body, contacts))


def _filing(body: ReportIn, contacts: Lazy[ContactCipher]) -> dict[str, Any]:
    """What a report adds to its URL; the cipher is made only for a contact."""
    return {
        "category_hint": body.category_hint,
        "comment": body.comment,
        "contact": body.contact,
        "cipher": contacts.get() if body.contact is not None else None,
    }


@router.get(
    "/reports/{receipt}/status", response_model=ReportStatusOut, summary="A report's status"
)
def report_status(receipt: ReceiptPath, session: DbSession, _p: StatusReader) -> ReportStatusOut:
    """``received``, ``assessed`` (acted on) or ``closed`` (no action), nothing more."""
    return ReportStatusOut(status=service.status_of(session, receipt))


@router.get("/reports", response_model=Page[QueueItemOut], summary="The analysts' queue")
def list_reports(
    session: DbSession,
    _p: QueueReader,
    status: ReportStatus | None = None,
    category_hint: Annotated[str | None, Query(pattern=CATEGORY_CODE)] = None,
    received_after: datetime | None = None,
    received_before: datetime | None = None,
    include_duplicates: bool = False,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[QueueItemOut]:
    """Reports in the order received, without their URLs; duplicates hidden unless asked for."""
    where = service.QueueFilter(
        status=status,
        category_hint=category_hint,
        received_after=_aware(received_after),
        received_before=_aware(received_before),
        include_duplicates=include_duplicates,
    )
    items = service.queue(session, where, decode_id_cursor(cursor), limit + 1)
    page, next_cursor = split_page(items, limit, lambda item: (item.report.id,))
    return Page[QueueItemOut](items=[_queue_item(item) for item in page], next_cursor=next_cursor)


@router.get("/reports/{report_id}", response_model=ReportOut, summary="Open a report (logged)")
def open_report(
    report_id: ReportId, session: DbSession, contacts: ContactCiphers, principal: UrlReader
) -> ReportOut:
    """The report with its URL; every opening is written to the access log.

    Supervisors also see the reporter's contact (that read is logged too).
    """
    report = service.open_report(session, report_id, principal)
    contact = None
    if principal.role is Role.SUPERVISOR and report.contact is not None:
        contact = service.read_contact(session, report, principal, contacts.get())
    return ReportOut(
        id=report.id,
        receipt=report.receipt,
        url=report.url,
        canonical_url=report.canonical_url,
        category_hint=report.category_hint,
        comment=report.comment,
        status=ReportStatus(report.status),
        received_at=report.received_at,
        status_changed_at=report.status_changed_at,
        duplicate_of=report.duplicate_of,
        duplicates=list(service.duplicates_of(session, report.id)),
        entry_public_id=_entry_ref(session, report),
        has_contact=report.contact is not None,
        contact=contact,
    )


def _entry_ref(session: DbSession, report: Report) -> str | None:
    if report.entry_id is None:
        return None
    entry = session.get(Entry, report.entry_id)
    return format_entry_id(entry.public_id) if entry is not None else None


def _queue_item(item: service.QueueItem) -> QueueItemOut:
    report = item.report
    return QueueItemOut(
        id=report.id,
        receipt=report.receipt,
        received_at=report.received_at,
        category_hint=report.category_hint,
        status=ReportStatus(report.status),
        duplicate_of=report.duplicate_of,
        duplicates=item.duplicates,
        listed=report.entry_id is not None,
    )


def _aware(moment: datetime | None) -> datetime | None:
    """A query's time in UTC; a naive one is taken as UTC already."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise InvalidRequest(f"the time {moment.isoformat()} is out of range") from None
