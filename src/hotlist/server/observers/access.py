"""Every request an observer makes goes into the access log: who, which path, when; no address.

:func:`record_observer_request` is an app-wide dependency, so public routes are covered too. It
looks at the caller's key only when one is sent, through the same verification cache as the
route's own check (a key is verified once, then found in the cache), and writes the row in a
session of its own, committed at once, so a request refused or failing afterwards is logged too.
"""

from __future__ import annotations

from fastapi import Request

from hotlist.errors import PermissionDenied
from hotlist.server.access_log.service import record_plaintext_access
from hotlist.server.kit.deps import principal_for_key
from hotlist.server.kit.permissions import Role
from hotlist.server.kit.services import Services

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
