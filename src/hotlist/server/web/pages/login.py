"""Signing in (login name, password and TOTP code) and out of the staff pages.

Signing in replaces the session (new id and CSRF token), so a session fixed before cannot be
used after. Failed attempts from an address make its next ones wait, longer after each (in
memory, the address stored nowhere); no number of them locks the account they name (see
:mod:`hotlist.server.web.auth.service`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from hotlist.errors import AccountLocked, LoginFailed, RateLimited
from hotlist.server.kit.deps import DbSession
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal
from hotlist.server.web.auth import service as auth
from hotlist.server.web.auth.throttle import BurstAlarm, FailureThrottle
from hotlist.server.web.deps import PageForm, form_text, page
from hotlist.server.web.error_pages import safe_next
from hotlist.server.web.pages.staff import staff_page
from hotlist.server.web.rendering import render
from hotlist.server.web.security import session_state
from hotlist.server.web.services import web_services

router = APIRouter(tags=["pages"], include_in_schema=False)

# Signing in is as public as the start page: it declares the start page's permission.
Visitor = Annotated[Principal, Depends(page(Permission.REPORTS_CREATE))]

STAFF_HOME = "/staff"


def login_throttle(request: Request) -> FailureThrottle:
    """The app's throttle of failed sign-ins per client address (:class:`WebServices`)."""
    return web_services(request).login_throttle


def login_alarm(request: Request) -> BurstAlarm:
    """The app's alarm for bursts of failed sign-ins on one account (:class:`WebServices`)."""
    return web_services(request).login_alarm


Throttle = Annotated[FailureThrottle, Depends(login_throttle)]
Alarm = Annotated[BurstAlarm, Depends(login_alarm)]


def _login_page(
    request: Request,
    next_path: str,
    error: str | None = None,
    status_code: int = 200,
    retry_after: int | None = None,
) -> HTMLResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return render(
        request,
        "staff/login.html",
        status_code=status_code,
        headers=headers,
        next_path=next_path,
        error=error,
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request,
    _p: Visitor,
    next_path: Annotated[str, Query(alias="next", max_length=2000)] = STAFF_HOME,
) -> HTMLResponse:
    """The sign-in form."""
    return _login_page(request, safe_next(next_path, STAFF_HOME))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: DbSession,
    throttle: Throttle,
    alarm: Alarm,
    _p: Visitor,
    form: PageForm,
) -> Response:
    """Check the login name, password and code; on success start a new session and go on."""
    next_path = safe_next(form_text(form, "next"), STAFF_HOME)
    client = request.client
    address = client.host if client is not None else "unknown"
    try:
        throttle.check(address)
    except RateLimited as exc:
        return _login_page(request, next_path, exc.message, 429, exc.retry_after)
    login_text = form_text(form, "login")
    if not login_text:
        return _login_page(request, next_path, "Enter your login name.", 422)
    try:
        user = auth.sign_in(
            session,
            login_text,
            form_text(form, "password"),
            form_text(form, "code"),
            alarm=alarm,
        )
    except AccountLocked as exc:
        return _failed(session, request, next_path, exc.message, 429, exc.retry_after)
    except LoginFailed as exc:
        throttle.failed(address)
        return _failed(session, request, next_path, exc.message, 401)
    session.commit()
    throttle.succeeded(address)
    session_state(request).sign_in(user.id)
    return RedirectResponse(next_path, status_code=303)


def _failed(
    session: Session,
    request: Request,
    next_path: str,
    message: str,
    status: int,
    retry_after: int | None = None,
) -> HTMLResponse:
    session.commit()  # the failure count must be kept
    return _login_page(request, next_path, message, status, retry_after)


@router.post("/logout")
def logout(request: Request, _p: Visitor) -> Response:
    """End the session (the cookie is cleared) and go back to the sign-in page."""
    session_state(request).sign_out()
    return RedirectResponse("/login?signed_out=1", status_code=303)


StaffMember = Annotated[Principal, Depends(page(Permission.POLICY_READ))]


@router.get("/staff", response_class=HTMLResponse)
def staff_home(request: Request, session: DbSession, _p: StaffMember) -> HTMLResponse:
    """Where a signed-in person lands: the pages their role may use."""
    return staff_page(request, session, "staff/home.html")
