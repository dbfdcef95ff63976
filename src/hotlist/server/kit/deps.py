"""The FastAPI dependencies features share: the app's services, the request's database session,
``require(permission)``, and the seams (the clock, the contact cipher, the rate limits), each its
own dependency so a test swaps one with ``app.dependency_overrides[get_clock] = ...``.

``require`` authenticates the caller (``Authorization: Bearer <key>``) and checks the permission,
returning the :class:`Principal`. Public permissions never look at a key, so reporting costs no
hash; a plaintext permission's answers say ``Cache-Control: no-store``. Each dependency remembers
its permission, so the routes can be enumerated with what they require
(:func:`route_permissions`, :func:`api_routes`).

Dependencies that only hand out a service are ``async``: no I/O, so no thread hop.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.routing import BaseRoute

from hotlist.errors import PermissionDenied, StorageError, Unauthenticated
from hotlist.server.kit.clock import Clock
from hotlist.server.kit.contacts import ContactCipher
from hotlist.server.kit.permissions import (
    ANONYMOUS_PERMISSIONS,
    PLAINTEXT_PERMISSIONS,
    Permission,
    Role,
)
from hotlist.server.kit.principal import Principal
from hotlist.server.kit.ratelimit import Limiter
from hotlist.server.kit.services import Lazy, Services


def services_of(request: Request) -> Services:
    """The app's services (made once by ``create_app``), read where no dependency can be."""
    services: Services = request.app.state.services
    return services


async def get_services(request: Request) -> Services:
    """The app's services (made once by ``create_app``)."""
    return services_of(request)


ServicesDep = Annotated[Services, Depends(get_services)]


def get_session(services: ServicesDep) -> Iterator[Session]:
    """A session for this request, committed on success, rolled back on error.

    Depend on it through :data:`DbSession` (``scope="function"``), so the commit happens before
    the response leaves: a client never sees success for a change that was not stored.
    """
    with services.sessions() as session:
        try:
            yield session
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            raise StorageError(f"the database refused the change: {type(exc).__name__}") from exc
        except BaseException:
            session.rollback()
            raise


DbSession = Annotated[Session, Depends(get_session, scope="function")]
"""The request's session, committed before the response is sent."""


async def get_clock(services: ServicesDep) -> Clock:
    """The app's clock."""
    return services.clock


ClockDep = Annotated[Clock, Depends(get_clock)]


async def contact_ciphers(services: ServicesDep) -> Lazy[ContactCipher]:
    """The contact cipher, made at the first contact (a server may run without a contact key)."""
    return services.contacts


ContactCiphers = Annotated[Lazy[ContactCipher], Depends(contact_ciphers)]


async def intake_limiter(services: ServicesDep) -> Limiter:
    """The limit on the public's reports and appeals per client address."""
    return services.intake_limiter


async def limit_by_client_address(
    request: Request, limiter: Annotated[Limiter, Depends(intake_limiter)]
) -> None:
    """Apply the public's rate limit to the client's address (in memory only, never stored)."""
    _limit(limiter, request)


def _limit(limiter: Limiter, request: Request) -> None:
    client = request.client
    limiter.check(client.host if client is not None else "unknown")


bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key issued by `hotlist admin issue-key` or POST /v1/keys.",
)


class PermissionDependency:
    """Base of the dependencies :func:`require` makes; ``permission`` is what it checks."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __repr__(self) -> str:
        return f"require({self.permission.value!r})"


class _Public(PermissionDependency):
    """A permission anyone holds: no key is read (async: no I/O, so no thread hop)."""

    async def __call__(self) -> Principal:
        return Principal.anonymous()


@dataclass(frozen=True, slots=True)
class PublicIntake:
    """What the public's ``POST /v1/reports`` needs, as one dependency: FastAPI solves every
    dependency of a request anew, and on the hot path a tree of small ones cost more than the
    database (profiled). Tests swap it whole with ``dependency_overrides[public_intake]``."""

    services: Services
    clock: Clock
    contacts: Lazy[ContactCipher]


class _PublicIntake(PermissionDependency):
    """A public permission's dependency that also hands out :class:`PublicIntake`."""

    def __init__(self, permission: Permission) -> None:
        assert permission in ANONYMOUS_PERMISSIONS, "the public's intake reads no key"
        super().__init__(permission)

    async def __call__(self, request: Request) -> PublicIntake:
        services = services_of(request)
        _limit(services.intake_limiter, request)
        return PublicIntake(services, services.clock, services.contacts)


public_intake = _PublicIntake(Permission.REPORTS_CREATE)
"""The services for a public report (no key is read), once the client's address is within the
rate limit; it declares ``reports:create`` as :func:`require` would."""


class _Authenticated(PermissionDependency):
    """A permission that needs a key whose role holds it."""

    def __call__(
        self,
        services: ServicesDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Principal:
        if credentials is None:
            raise Unauthenticated(
                f"this needs an API key with permission {self.permission.value!r}; "
                "send it as `Authorization: Bearer <key>`"
            )
        principal = principal_for_key(services, credentials.credentials)
        if not holds(services, principal, self.permission):
            role = principal.role.value if principal.role else "anonymous"
            raise PermissionDenied(
                f"role {role!r} lacks permission {self.permission.value!r} for this request"
            )
        return principal


class _Plaintext(_Authenticated):
    """A plaintext permission: its answers carry URLs, which no browser or proxy may keep."""

    def __call__(  # type: ignore[override]  # one parameter more: the answer's headers
        self,
        services: ServicesDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        response: Response,
    ) -> Principal:
        principal = super().__call__(services, credentials)
        response.headers["Cache-Control"] = "no-store"
        return principal


def principal_for_key(services: Services, secret: str) -> Principal:
    """The caller behind API key ``secret`` (cached); Unauthenticated when unknown or revoked."""
    cache = services.key_cache
    principal = cache.get(secret)
    if principal is not None:
        return principal
    with services.sessions() as session:
        principal = services.authenticate(session, secret)
    if principal is None or principal.key_id is None:
        raise Unauthenticated("the API key is unknown or revoked; ask an admin for a new one")
    cache.put(secret, principal.key_id, principal)
    return principal


def holds(services: Services, principal: Principal, permission: Permission) -> bool:
    """Whether ``principal`` may use ``permission``: its role holds it, or it is a plaintext
    permission and the principal an observer whose organisation holds a plaintext grant (the
    endpoint logs each view, as for staff). The one rule :func:`require` applies."""
    return principal.can(permission) or plaintext_grant(services, principal, permission)


def plaintext_grant(services: Services, principal: Principal, permission: Permission) -> bool:
    """Whether an observer's organisation holds a plaintext grant for a plaintext permission
    (the endpoint logs each view, as for staff)."""
    if permission not in PLAINTEXT_PERMISSIONS or principal.role is not Role.OBSERVER:
        return False
    with services.sessions() as session:
        return services.plaintext_granted(session, principal.org_id)


def require(permission: Permission) -> PermissionDependency:
    """The dependency an endpoint declares: ``Depends(require(Permission.X))``."""
    if permission in ANONYMOUS_PERMISSIONS:
        return _Public(permission)
    if permission in PLAINTEXT_PERMISSIONS:
        return _Plaintext(permission)
    return _Authenticated(permission)


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _dependencies(sub)


def route_permissions(route: APIRoute) -> list[Permission]:
    """Every permission ``route`` declares (a well-formed route declares exactly one)."""
    found: list[Permission] = []
    for dep in _dependencies(route.dependant):
        call: object = dep.call
        if isinstance(call, PermissionDependency):
            found.append(call.permission)
    return found


def route_permission(route: APIRoute) -> Permission | None:
    """The one permission ``route`` declares, or ``None`` if it declares none or several."""
    found = set(route_permissions(route))
    return found.pop() if len(found) == 1 else None


@dataclass(frozen=True)
class RouteInfo:
    """An HTTP API route as served: its path, methods and the permissions it declares."""

    path: str
    methods: frozenset[str]
    permissions: tuple[Permission, ...]
    route: APIRoute


def api_routes(routes: FastAPI | Sequence[BaseRoute]) -> list[RouteInfo]:
    """Every API route of an app (or a route list), included routers flattened."""
    found: list[RouteInfo] = []
    for context in iter_route_contexts(routes.routes if isinstance(routes, FastAPI) else routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            found.append(
                RouteInfo(
                    path=context.path or route.path,
                    methods=frozenset(context.methods or route.methods or ()),
                    permissions=tuple(route_permissions(route)),
                    route=route,
                )
            )
    return found
