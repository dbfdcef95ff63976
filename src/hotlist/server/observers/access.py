"""Every request an observer makes goes into the access log: who, which path, when; no address.

:class:`ObserverRequestLog` runs :func:`record_observer_request` for every request to the app,
so public routes are covered too (and paths no route serves): a middleware rather than an
app-wide dependency, which FastAPI would solve for every request, the public's reports included
(profiled: solving it cost more than the check that skips it). It looks at the caller's key only
when one is sent, through the same verification cache as the route's own check (a key is
verified once, then found in the cache), and writes the row in a session of its own, committed
at once, so a request refused or failing afterwards is logged too.
"""

from __future__ import annotations

import logging

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from hotlist.errors import HotlistError, PermissionDenied
from hotlist.server.access_log.service import record_plaintext_access
from hotlist.server.kit.deps import principal_for_key
from hotlist.server.kit.permissions import Role
from hotlist.server.kit.services import Services
from hotlist.server.problems import error_problem, unexpected_problem

log = logging.getLogger(__name__)

ACTION = "observer.request"
MAX_SUBJECT = 64


def request_subject(method: str, path: str) -> str:
    """``METHOD /path`` cut to the access log's subject size (the end marked with ``…``)."""
    subject = f"{method} {path}"
    if len(subject) <= MAX_SUBJECT:
        return subject
    return subject[: MAX_SUBJECT - 1] + "…"


def record_observer_request(request: Request, services: Services) -> None:
    """Log the request when its caller is an observer (a no-op for everyone else)."""
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return
    try:
        principal = principal_for_key(services, secret.strip())
    except PermissionDenied:
        return
    if principal.role is not Role.OBSERVER:
        return
    with services.sessions() as session:
        record_plaintext_access(
            session,
            principal,
            ACTION,
            "request",
            request_subject(request.method, request.url.path),
        )
        session.commit()


class ObserverRequestLog:
    """ASGI middleware: every request that sends a key goes past :func:`record_observer_request`
    before the app answers it; a request without one costs a look at its headers.

    When the log cannot be written the request is refused (an observer's request is never
    answered unlogged), with the error's own problem+json answer."""

    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and any(
            name == b"authorization" for name, _ in scope["headers"]
        ):
            try:
                await run_in_threadpool(record_observer_request, Request(scope), self.services)
            except HotlistError as exc:
                await error_problem(exc)(scope, receive, send)
                return
            except Exception:
                log.exception("cannot write an observer's request to the access log")
                await unexpected_problem()(scope, receive, send)
                return
        await self.app(scope, receive, send)
