"""Errors as a browser sees them: an HTML page in the visitor's language (problem+json stays the
answer for the API and for any client that does not ask for HTML).

A page that needs a signed-in person sends a browser without a session to ``/login`` with the
page to come back to. A signed-in person sees their errors inside the staff layout (the
navigation, who is signed in); a page their role lacks answers 403 with the page, the roles that
have it (from :data:`hotlist.server.kit.permissions.ROLE_PERMISSIONS`) and who grants it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from hotlist.errors import HotlistError, LoginRequired
from hotlist.server.accounts.models import User
from hotlist.server.kit.deps import services_of
from hotlist.server.kit.permissions import PLAINTEXT_PERMISSIONS, Permission, Role, roles_with
from hotlist.server.kit.principal import Principal
from hotlist.server.problems import status_for
from hotlist.server.web.deps import PageDenied
from hotlist.server.web.pages.staff import staff_page
from hotlist.server.web.rendering import render

LOGIN_PATH = "/login"
Handler = Callable[[Request, Exception], Awaitable[Response] | Response]


def wants_html(request: Request) -> bool:
    """Whether the caller is a browser asking for a page (never for the API under ``/v1``)."""
    if request.url.path.startswith("/v1/") or request.url.path == "/v1":
        return False
    return "text/html" in request.headers.get("accept", "")


def safe_next(path: str | None, default: str = "/") -> str:
    """``path`` when it is a path on this site (``/x``, not ``//host`` or a full URL)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return default
    return path


def login_redirect(request: Request) -> RedirectResponse:
    """303 to the login page, coming back to this page after."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{LOGIN_PATH}?{urlencode({'next': here})}", status_code=303)


def error_page(request: Request, status: int, message: str | None) -> Response:
    """The HTML error page for ``status`` with our message (never the input echoed back), in
    the staff layout for a signed-in person."""
    context: dict[str, Any] = {
        "status": status,
        "title": HTTPStatus(status).phrase,
        "message": message,
    }
    if request.url.path.startswith("/staff") and _signed_in(request) is not None:
        return _staff_error(request, "staff/error.html", status, context)
    return render(request, "error.html", status_code=status, **context)


def forbidden_page(request: Request, permission: Permission) -> Response:
    """403 for a signed-in person whose role lacks ``permission``: which page, which roles have
    it, and who can grant it (an admin, named)."""
    principal = _signed_in(request)
    context: dict[str, Any] = {
        "status": 403,
        "title": HTTPStatus(403).phrase,
        "page_path": request.url.path,
        "my_role": principal.role.value if principal and principal.role else None,
        "roles": [role.value for role in roles_with(permission)],
        "observer_grant": permission in PLAINTEXT_PERMISSIONS,
    }
    if principal is None:  # a key, not a person: the public layout
        return render(request, "error.html", status_code=403, message=None, **context)
    return _staff_error(request, "staff/forbidden.html", 403, context)


def _signed_in(request: Request) -> Principal | None:
    principal = getattr(request.state, "principal", None)
    if not isinstance(principal, Principal) or not principal.is_person:
        return None
    return principal if principal.user_id and principal.key_id is None else None


def _staff_error(request: Request, template: str, status: int, context: dict[str, Any]) -> Response:
    with services_of(request).sessions() as session:
        admins = session.scalars(
            select(User)
            .where(User.role == Role.ADMIN.value, User.disabled_at.is_(None))
            .order_by(User.id)
        ).all()
        return staff_page(
            request,
            session,
            template,
            status_code=status,
            admins=[f"{user.name} (#{user.id})" for user in admins],
            **context,
        )


def install_page_error_handlers(app: FastAPI) -> None:
    """Answer browsers with HTML error pages; everyone else keeps the API's problem+json.

    Call after :func:`hotlist.server.problems.install_problem_handlers`.
    """
    api_error: Handler = app.exception_handlers[HotlistError]
    api_http: Handler = app.exception_handlers[StarletteHTTPException]
    api_validation: Handler = app.exception_handlers[RequestValidationError]

    async def hotlist_error(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, HotlistError) or not wants_html(request):
            return await _call(api_error, request, exc)
        if isinstance(exc, LoginRequired):
            return login_redirect(request)
        if isinstance(exc, PageDenied):
            return await run_in_threadpool(forbidden_page, request, exc.permission)
        return await run_in_threadpool(error_page, request, status_for(exc), exc.message)

    async def http_error(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, StarletteHTTPException) or not wants_html(request):
            return await _call(api_http, request, exc)
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else None
        return await run_in_threadpool(error_page, request, exc.status_code, detail)

    async def validation_error(request: Request, exc: Exception) -> Response:
        if not wants_html(request):
            return await _call(api_validation, request, exc)
        return await run_in_threadpool(error_page, request, 422, None)

    app.add_exception_handler(HotlistError, hotlist_error)
    app.add_exception_handler(LoginRequired, hotlist_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)


async def _call(handler: Handler, request: Request, exc: Exception) -> Response:
    result = handler(request, exc)
    if isinstance(result, Response):
        return result
    return await result
