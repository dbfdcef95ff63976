"""The appeal form the block page links to (``/appeal?entry=ID``), as plain HTML: no script, no
account, no cookie. It posts a form to ``/appeal`` and shows the receipt; ``/appeal/status``
shows what the appellant may see. The JSON API (``/v1/appeals``) does the same for machines."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import ValidationError

from hotlist.errors import HotlistError
from hotlist.server.accounts.deps import require
from hotlist.server.accounts.permissions import Permission
from hotlist.server.accounts.principal import Principal
from hotlist.server.appeals import service
from hotlist.server.appeals.models import AppealState, Relation
from hotlist.server.appeals.schemas import AppealIn
from hotlist.server.db.session import DbSession
from hotlist.server.objections.api import entry_by_ref
from hotlist.server.problems import status_for
from hotlist.server.ratelimit import limit_by_client_address
from hotlist.server.reports.api import contact_cipher

router = APIRouter(tags=["appeals"])

Appellant = Annotated[Principal, Depends(require(Permission.APPEALS_CREATE))]
StatusReader = Annotated[Principal, Depends(require(Permission.APPEALS_STATUS))]

RELATIONS = (
    (Relation.SITE_OWNER.value, "the owner of the site"),
    (Relation.USER.value, "someone who wanted to visit it"),
    (Relation.OTHER.value, "someone else"),
)
FIELDS = ("entry_id", "relation", "reason", "contact")

_env = Environment(
    loader=PackageLoader("hotlist.server.appeals", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)


def _page(status: int = 200, **values: Any) -> HTMLResponse:
    context: dict[str, Any] = {
        "title": "Appeal against a block",
        "mode": "form",
        "error": None,
        "relations": RELATIONS,
        "max_reason": service.MAX_REASON_CHARS,
        "max_contact": service.MAX_CONTACT_CHARS,
        **dict.fromkeys(FIELDS, ""),
        "relation": Relation.SITE_OWNER.value,
    }
    context.update(values)
    html = _env.get_template("appeal.html.j2").render(context)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


@router.get("/appeal", response_class=HTMLResponse, summary="The appeal form (public)")
def appeal_form(
    request: Request,
    _p: Appellant,
    entry: Annotated[str, Query(max_length=16, pattern=r"^[0-9a-f]{0,16}$")] = "",
) -> HTMLResponse:
    """The form, with the entry id from the block page's link filled in."""
    return _page(entry_id=entry, decide_days=request.app.state.settings.appeal_decide_days)


async def form_fields(request: Request) -> dict[str, str]:
    """The form's known fields (``application/x-www-form-urlencoded``), first value each."""
    return _form(await request.body())


@router.post(
    "/appeal",
    response_class=HTMLResponse,
    summary="Send the appeal form (public)",
    dependencies=[Depends(limit_by_client_address)],
)
def appeal_submit(
    fields: Annotated[dict[str, str], Depends(form_fields)],
    session: DbSession,
    request: Request,
    _p: Appellant,
) -> HTMLResponse:
    """Take the form; show the receipt, or the form again with what to correct."""
    try:
        body = AppealIn.model_validate(
            {k: v for k, v in fields.items() if v or k in ("entry_id", "reason")}
        )
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "the form"
        return _page(422, error=f"{where}: {problem['msg']}", **fields)
    try:
        appeal = service.submit(
            session,
            entry_by_ref(session, body.entry_id),
            body.relation,
            body.reason,
            contact=body.contact,
            cipher=contact_cipher(request) if body.contact is not None else None,
        )
    except HotlistError as exc:
        session.rollback()
        return _page(status_for(exc), error=exc.message, **fields)
    return _page(201, mode="receipt", title="Appeal received", receipt=appeal.receipt)


def _form(raw: bytes) -> dict[str, str]:
    """The form's known fields (first value each); undecodable text becomes replacement marks."""
    parsed = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=20)
    return {name: parsed.get(name, [""])[0].strip() for name in FIELDS}


@router.get("/appeal/status", response_class=HTMLResponse, summary="An appeal's state (public)")
def appeal_status_page(
    session: DbSession,
    _p: StatusReader,
    receipt: Annotated[str, Query(pattern=r"^[A-Za-z0-9_-]{1,32}$")],
) -> HTMLResponse:
    """The state and, once decided, the outcome and its reason; nothing else."""
    appeal = service.by_receipt(session, receipt)
    decided = appeal.state == AppealState.DECIDED
    return _page(
        mode="status",
        title="Your appeal",
        state=appeal.state,
        outcome=appeal.outcome if decided else None,
        reason=appeal.decision_reason if decided else None,
    )
