"""Errors as a browser sees them: an HTML page in the visitor's language (problem+json stays the
answer for the API and for any client that does not ask for HTML).

A page that needs a signed-in person sends a browser without a session to ``/login`` with the
page to come back to.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http import HTTPStatus
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from hotlist.errors import HotlistError, LoginRequired
from hotlist.server.problems import status_for
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
    """The HTML error page for ``status`` with our message (never the input echoed back)."""
    return render(
        request,
        "error.html",
        status_code=status,
        status=status,
        title=HTTPStatus(status).phrase,
        message=message,
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
        return error_page(request, status_for(exc), exc.message)

    async def http_error(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, StarletteHTTPException) or not wants_html(request):
            return await _call(api_http, request, exc)
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else None
        return error_page(request, exc.status_code, detail)

    async def validation_error(request: Request, exc: Exception) -> Response:
        if not wants_html(request):
            return await _call(api_validation, request, exc)
        return error_page(request, 422, None)

    app.add_exception_handler(HotlistError, hotlist_error)
    app.add_exception_handler(LoginRequired, hotlist_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)


async def _call(handler: Handler, request: Request, exc: Exception) -> Response:
    result = handler(request, exc)
    if isinstance(result, Response):
        return result
    return await result
