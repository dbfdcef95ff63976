"""``page(permission)``: the dependency every page declares, like ``require`` for the API.

A page's caller is the signed-in person of the browser session (or the public, for the public
pages); a script may instead send an API key (``Authorization: Bearer``), checked exactly as the
API checks it. Each dependency is a :class:`PermissionDependency`, so the route enumeration in
:mod:`hotlist.server.kit.deps` sees what every page requires.

- A page needing a permission the public lacks: no session gives :class:`LoginRequired` (a
  browser is sent to the login page), a session whose role lacks it :class:`PageDenied`.
- An observer's page views (signed in; public pages too) go into the access log, like their
  API requests. A public page looks at no API key, as in the API.
- Every POST from a browser session must carry the session's CSRF token (checked here, after
  the permission, so a stranger learns nothing but "sign in").
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from hotlist.errors import LoginRequired, PermissionDenied
from hotlist.server.access_log.service import record_plaintext_access
from hotlist.server.accounts.models import User
from hotlist.server.kit.deps import (
    PermissionDependency,
    ServicesDep,
    plaintext_grant,
    principal_for_key,
)
from hotlist.server.kit.permissions import ANONYMOUS_PERMISSIONS, Permission, Role
from hotlist.server.kit.principal import Principal
from hotlist.server.kit.services import Services
from hotlist.server.observers.access import ACTION as OBSERVER_REQUEST
from hotlist.server.observers.access import request_subject
from hotlist.server.web.security import CSRF_FIELD, SAFE_METHODS, check_csrf, session_state

MAX_FORM_FIELDS = 64


def _bearer_secret(request: Request) -> str | None:
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return secret.strip() or None


def session_principal(request: Request, services: Services) -> Principal:
    """The signed-in person of the browser session, or the public. A user removed or disabled
    since signing in ends the session."""
    state = session_state(request)
    if state.user_id is None:
        return Principal.anonymous()
    with services.sessions() as session:
        user = session.get(User, state.user_id)
        if user is None or user.disabled_at is not None:
            state.sign_out()
            return Principal.anonymous()
        return Principal(user_id=user.id, org_id=user.org_id, role=Role(user.role), is_person=True)


def _record_observer(request: Request, services: Services, principal: Principal) -> None:
    with services.sessions() as session:
        subject = request_subject(request.method, request.url.path)
        record_plaintext_access(session, principal, OBSERVER_REQUEST, "request", subject)
        session.commit()


async def page_form(request: Request) -> FormData:
    """The request's form (read once; file uploads and more than 64 fields refused)."""
    return await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)


class PagePermission(PermissionDependency):
    """The dependency :func:`page` makes; it returns the caller and sets
    ``request.state.principal`` for the templates."""

    async def __call__(self, request: Request, services: ServicesDep) -> Principal:
        public = self.permission in ANONYMOUS_PERMISSIONS
        # As in the API, a public page looks at no key; a browser never sends one anyway.
        secret = None if public else _bearer_secret(request)
        if secret is not None:
            principal = await run_in_threadpool(principal_for_key, services, secret)
        else:
            principal = await run_in_threadpool(session_principal, request, services)
        request.state.principal = principal
        if not public:
            await self._authorize(services, principal)
        if secret is None and principal.role is Role.OBSERVER:
            await run_in_threadpool(_record_observer, request, services, principal)
        if secret is None and request.method not in SAFE_METHODS:
            token = (await page_form(request)).get(CSRF_FIELD)
            check_csrf(request, token if isinstance(token, str) else None)
        return principal

    async def _authorize(self, services: Services, principal: Principal) -> None:
        if principal.is_anonymous:
            raise LoginRequired("sign in to see this page")
        if not principal.can(self.permission) and not await run_in_threadpool(
            plaintext_grant, services, principal, self.permission
        ):
            raise PageDenied(principal, self.permission)


class PageDenied(PermissionDenied):
    """A signed-in caller whose role lacks a page's ``permission``: a browser gets the 403 page
    in the staff layout that names the page, the roles that have it and who grants it."""

    def __init__(self, principal: Principal, permission: Permission) -> None:
        role = principal.role.value if principal.role else "anonymous"
        super().__init__(f"role {role!r} lacks permission {permission.value!r} for this page")
        self.permission = permission


def page(permission: Permission) -> PagePermission:
    """The dependency a page declares: ``Depends(page(Permission.X))``."""
    return PagePermission(permission)


PageForm = Annotated[FormData, Depends(page_form)]
"""A POST page's form fields (declare it after the page's permission)."""


def form_text(form: FormData, name: str) -> str:
    """Field ``name`` of a form as text, stripped ("" when absent or a file)."""
    value = form.get(name)
    if value is None or isinstance(value, UploadFile):
        return ""
    return value.strip()
