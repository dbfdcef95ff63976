"""Every error the API returns is RFC 9457 problem+json (``type``, ``title``, ``status``, ...).

Our :class:`~hotlist.errors.HotlistError` subclasses map to statuses here, in one table;
validation errors carry an ``errors`` list (location and message, never the input echoed back),
and so does :class:`~hotlist.errors.InvalidField`, a field a domain rule refuses.
An unexpected exception is a 500 with no detail: its text may hold data we must not show.
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hotlist.errors import (
    ConfigError,
    Conflict,
    HotlistError,
    InvalidField,
    InvalidRequest,
    InvalidURL,
    NotFound,
    PermissionDenied,
    PolicyError,
    RateLimited,
    StorageError,
    Unauthenticated,
)

PROBLEM_JSON = "application/problem+json"

STATUS_FOR_ERROR: Sequence[tuple[type[HotlistError], int]] = (
    (Unauthenticated, 401),
    (PermissionDenied, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidRequest, 400),
    (InvalidURL, 422),
    (InvalidField, 422),
    (PolicyError, 422),
    (RateLimited, 429),
    (StorageError, 503),
    (ConfigError, 500),
)
"""Most specific first; a HotlistError not listed is a 500."""


class ProblemResponse(JSONResponse):
    """A JSON response with the problem+json media type."""

    media_type = PROBLEM_JSON


def problem(
    status: int,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> ProblemResponse:
    """A problem+json response for ``status``, with an optional ``detail`` and extra members."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body.update(extra)
    return ProblemResponse(body, status_code=status, headers=headers)


def status_for(exc: HotlistError) -> int:
    """The HTTP status an error of ours is answered with."""
    for kind, status in STATUS_FOR_ERROR:
        if isinstance(exc, kind):
            return status
    return 500


async def _hotlist_error(_request: Request, exc: Exception) -> ProblemResponse:
    if not isinstance(exc, HotlistError):  # pragma: no cover - registered for HotlistError only
        raise exc
    return error_problem(exc)


def error_problem(exc: HotlistError) -> ProblemResponse:
    """The problem+json answer to an error of ours (also for middleware, which the app's
    exception handlers do not reach)."""
    status = status_for(exc)
    headers: dict[str, str] = {}
    if isinstance(exc, Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, InvalidField):
        # The same shape as a validation error's, so a client finds the field the same way.
        errors = [{"loc": f"body.{exc.field}", "msg": exc.message}]
        return problem(status, exc.message, headers or None, errors=errors)
    return problem(status, exc.message, headers or None)


async def _http_error(_request: Request, exc: Exception) -> ProblemResponse:
    if not isinstance(exc, StarletteHTTPException):  # pragma: no cover - registered for it only
        raise exc
    detail = exc.detail if isinstance(exc.detail, str) else None
    if exc.status_code == 404 and detail == HTTPStatus.NOT_FOUND.phrase:
        detail = "no such endpoint; see /openapi.json for the API"
    return problem(exc.status_code, detail, dict(exc.headers) if exc.headers else None)


def _location(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _validation_error(_request: Request, exc: Exception) -> ProblemResponse:
    if not isinstance(exc, RequestValidationError):  # pragma: no cover - registered for it only
        raise exc
    errors = [
        {"loc": _location(error.get("loc", ())), "msg": str(error.get("msg", ""))}
        for error in exc.errors()
    ]
    summary = "; ".join(f"{e['loc']}: {e['msg']}" for e in errors[:5])
    return problem(422, f"the request does not validate: {summary}", errors=errors)


async def _unexpected(_request: Request, _exc: Exception) -> ProblemResponse:
    return unexpected_problem()


def unexpected_problem() -> ProblemResponse:
    """The answer to an error we did not foresee: no internal detail leaves the server."""
    return problem(500, "an unexpected error; the request was not completed")


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` with problem+json."""
    app.add_exception_handler(HotlistError, _hotlist_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
