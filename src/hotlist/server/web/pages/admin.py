"""The admins' pages: organisations, people (and their sign-in set-up), API keys: create, issue
(the key shown once, on the answer to the form, never again), revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from hotlist.errors import HotlistError, NotFound
from hotlist.server.accounts import service as accounts
from hotlist.server.accounts.models import OrgKind
from hotlist.server.kit.deps import DbSession, ServicesDep
from hotlist.server.kit.params import RowId
from hotlist.server.kit.permissions import Permission, Role
from hotlist.server.kit.principal import Principal
from hotlist.server.problems import status_for
from hotlist.server.web.auth import service as auth
from hotlist.server.web.deps import PageForm, form_text, page
from hotlist.server.web.pages.staff import staff_page

router = APIRouter(prefix="/staff/admin", tags=["pages"], include_in_schema=False)

OrgsManager = Annotated[Principal, Depends(page(Permission.ORGS_MANAGE))]
KeysManager = Annotated[Principal, Depends(page(Permission.KEYS_MANAGE))]
Id = RowId
LISTED = 1_000


def _orgs_page(
    request: Request, session: Session, refused: str | None = None, status_code: int = 200
) -> HTMLResponse:
    return staff_page(
        request,
        session,
        "staff/admin_orgs.html",
        status_code=status_code,
        orgs=list(accounts.list_orgs(session, limit=LISTED)),
        kinds=[k.value for k in OrgKind],
        refused=refused,
    )


@router.get("/orgs", response_class=HTMLResponse)
def orgs(request: Request, session: DbSession, _p: OrgsManager) -> HTMLResponse:
    """Every organisation, and the form to add one."""
    return _orgs_page(request, session)


@router.post("/orgs", response_class=HTMLResponse)
def create_org(request: Request, session: DbSession, _p: OrgsManager, form: PageForm) -> Response:
    """Add an organisation (names are unique)."""
    try:
        accounts.create_org(session, form_text(form, "name"), form_text(form, "kind"))
    except HotlistError as exc:
        session.rollback()
        return _orgs_page(request, session, exc.message, status_for(exc))
    return RedirectResponse("/staff/admin/orgs?created=1", status_code=303)


def _people_filters(request: Request) -> dict[str, str]:
    """The list's filters as given (unknown values are ignored, not refused)."""
    query = request.query_params
    role = query.get("role", "")
    org = query.get("org", "")
    state = query.get("state", "")
    return {
        "role": role if role in {r.value for r in Role} else "",
        "org": org if org.isdigit() and len(org) < 11 else "",
        "state": state if state in {"disabled", "enabled"} else "",
    }


def _people_page(
    request: Request, session: Session, refused: str | None = None, status_code: int = 200
) -> HTMLResponse:
    filters = _people_filters(request)
    people = list(
        accounts.list_users(
            session,
            int(filters["org"]) if filters["org"] else None,
            limit=LISTED,
            role=filters["role"] or None,
            disabled={"disabled": True, "enabled": False}.get(filters["state"]),
        )
    )
    return staff_page(
        request,
        session,
        "staff/admin_people.html",
        status_code=status_code,
        people=people,
        orgs={o.id: o for o in accounts.list_orgs(session, limit=LISTED)},
        ready={u.id for u in people if auth.can_sign_in(session, u.id)},
        roles=[r.value for r in Role],
        refused=refused,
        filters=filters,
    )


@router.get("/people", response_class=HTMLResponse)
def people(request: Request, session: DbSession, _p: OrgsManager) -> HTMLResponse:
    """Every person, whether they can sign in yet, and the form to add one."""
    return _people_page(request, session)


@router.post("/people", response_class=HTMLResponse)
def create_person(
    request: Request, session: DbSession, _p: OrgsManager, form: PageForm
) -> Response:
    """Add a person with a role that fits their organisation."""
    try:
        org = accounts.get_org(session, form_text(form, "org") or "0")
        accounts.create_user(session, org, form_text(form, "name"), form_text(form, "role"))
    except HotlistError as exc:
        session.rollback()
        return _people_page(request, session, exc.message, status_for(exc))
    return RedirectResponse("/staff/admin/people?created=1", status_code=303)


STATUS_ACTIONS = {"disable", "enable"}


def _status_page(
    request: Request,
    session: Session,
    user_id: int,
    action: str,
    *,
    reason: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    person = accounts.get_user(session, user_id)
    live_keys = [
        k
        for k in accounts.list_keys(session, person.org_id, limit=LISTED)
        if k.user_id == person.id and k.revoked_at is None
    ]
    return staff_page(
        request,
        session,
        "staff/admin_person_status.html",
        status_code=status_code,
        person=person,
        org=accounts.get_org(session, person.org_id),
        action=action,
        live_keys=len(live_keys),
        history=list(accounts.status_changes(session, person.id)),
        reason=reason,
        errors=errors or {},
    )


@router.get("/people/{user_id}/{action}", response_class=HTMLResponse)
def confirm_status(
    request: Request, session: DbSession, _p: OrgsManager, user_id: Id, action: str
) -> HTMLResponse:
    """The second step of disabling or enabling a person: who, what will happen, and why."""
    if action not in STATUS_ACTIONS:
        raise NotFound(f"no page /staff/admin/people/{user_id}/{action}")
    return _status_page(request, session, user_id, action)


@router.post("/people/{user_id}/{action}", response_class=HTMLResponse)
def change_status(
    request: Request,
    session: DbSession,
    services: ServicesDep,
    principal: OrgsManager,
    user_id: Id,
    action: str,
    form: PageForm,
) -> Response:
    """Disable (sessions end, keys revoked) or enable a person, with the reason kept."""
    if action not in STATUS_ACTIONS:
        raise NotFound(f"no page /staff/admin/people/{user_id}/{action}")
    reason = form_text(form, "reason")
    if not reason.strip():
        return _status_page(
            request,
            session,
            user_id,
            action,
            reason=reason,
            errors={"reason": "Give a reason: it is kept with the change."},
            status_code=400,
        )
    try:
        if action == "disable":
            _user, revoked = accounts.disable_user(session, user_id, reason, principal.user_id)
        else:
            accounts.enable_user(session, user_id, reason, principal.user_id)
            revoked = []
    except HotlistError as exc:
        session.rollback()
        return _status_page(
            request,
            session,
            user_id,
            action,
            reason=reason,
            errors={"reason": exc.message},
            status_code=status_for(exc),
        )
    session.commit()
    for key_id in revoked:
        services.key_cache.drop_key_id(key_id)
    return RedirectResponse(f"/staff/admin/people?{action}d={user_id}", status_code=303)


def _keys_page(
    request: Request,
    session: Session,
    refused: str | None = None,
    issued: tuple[int, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return staff_page(
        request,
        session,
        "staff/admin_keys.html",
        status_code=status_code,
        keys=list(accounts.list_keys(session, limit=LISTED)),
        orgs={o.id: o for o in accounts.list_orgs(session, limit=LISTED)},
        roles=[r.value for r in Role],
        refused=refused,
        issued=issued,
    )


@router.get("/keys", response_class=HTMLResponse)
def keys(request: Request, session: DbSession, _p: KeysManager) -> HTMLResponse:
    """Every key's record (never a key), and the form to issue one."""
    return _keys_page(request, session)


@router.post("/keys", response_class=HTMLResponse)
def issue_key(request: Request, session: DbSession, _p: KeysManager, form: PageForm) -> Response:
    """Issue a key for a person or a machine; the answer shows it this once (not cached)."""
    user_text, org_text = form_text(form, "user_id"), form_text(form, "org")
    try:
        user = accounts.get_user(session, int(user_text)) if user_text.isdigit() else None
        org = accounts.get_org(session, org_text) if org_text and user is None else None
        row, secret = accounts.issue_key(
            session,
            user=user,
            org=org,
            role=form_text(form, "role") or None if user is None else None,
            label=form_text(form, "label"),
        )
    except HotlistError as exc:
        session.rollback()
        return _keys_page(request, session, exc.message, status_code=status_for(exc))
    session.commit()
    return _keys_page(request, session, issued=(row.id, secret), status_code=201)


@router.post("/keys/{key_id}/revoke", response_class=HTMLResponse)
def revoke_key(
    request: Request,
    session: DbSession,
    services: ServicesDep,
    _p: KeysManager,
    key_id: Id,
    _form: PageForm,
) -> Response:
    """Revoke a key at once here (other workers within their key cache period)."""
    try:
        row = accounts.revoke_key(session, key_id)
    except HotlistError as exc:
        session.rollback()
        return _keys_page(request, session, exc.message, status_code=status_for(exc))
    services.key_cache.drop_key_id(row.id)
    return RedirectResponse("/staff/admin/keys?revoked=1", status_code=303)
