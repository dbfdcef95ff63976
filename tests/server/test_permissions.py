"""Every route of the app, against every role and the anonymous public.

The routes are enumerated from the app itself, so a route added without a declared permission
fails here, and each is called over HTTP by each kind of caller: a caller without the
permission gets 401 (no key) or 403 (a key whose role lacks it), one with it gets past the
check (whatever the request's own fate: 404, 422, 200...).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from hotlist.server.app import create_app
from hotlist.server.config import Settings
from hotlist.server.kit.deps import RouteInfo, api_routes
from hotlist.server.kit.permissions import (
    ANONYMOUS_PERMISSIONS,
    Permission,
    Role,
    allows,
)

WITHOUT_PERMISSION = {("GET", "/healthz")}
"""Routes that are public by nature and declare no permission."""

ROUTES = api_routes(create_app(Settings(database_url="sqlite://")))
CALLERS: list[Role | None] = [None, *Role]

SAMPLE_PATH_VALUES = {int: "1", str: "0000000000000001"}


def _operations() -> list[tuple[str, RouteInfo]]:
    return sorted(
        ((method, info) for info in ROUTES for method in info.methods if method != "HEAD"),
        key=lambda op: (op[1].path, op[0]),
    )


OPERATIONS = [op for op in _operations() if (op[0], op[1].path) not in WITHOUT_PERMISSION]


def _permission(info: RouteInfo) -> Permission:
    (permission,) = set(info.permissions)
    return permission


def _url(info: RouteInfo) -> str:
    kinds = {param.name: param.field_info.annotation for param in info.route.dependant.path_params}

    def fill(match: re.Match[str]) -> str:
        return SAMPLE_PATH_VALUES.get(kinds.get(match.group(1)), "x")  # type: ignore[arg-type]

    return re.sub(r"\{(\w+)(?::\w+)?\}", fill, info.path)


def test_every_route_declares_exactly_one_permission() -> None:
    undeclared = [
        f"{method} {info.path}: {[p.value for p in info.permissions] or 'none'}"
        for method, info in _operations()
        if (method, info.path) not in WITHOUT_PERMISSION and len(set(info.permissions)) != 1
    ]
    assert undeclared == []
    assert len(OPERATIONS) >= 9


@pytest.mark.parametrize(
    ("method", "info"), OPERATIONS, ids=[f"{m} {i.path}" for m, i in OPERATIONS]
)
def test_each_caller_against_the_route(
    method: str,
    info: RouteInfo,
    client: Any,
    auth: Callable[[Role], dict[str, str]],
) -> None:
    permission = _permission(info)
    url = _url(info)
    seen: dict[str, int] = {}
    for caller in CALLERS:
        headers = auth(caller) if caller is not None else {}
        response = client.request(method, url, headers=headers)
        seen[caller.value if caller else "anonymous"] = response.status_code
        assert response.status_code < 500, (caller, response.text)
        if allows(caller, permission):
            assert response.status_code not in (401, 403), (caller, response.text)
        else:
            assert response.status_code == (401 if caller is None else 403), (caller, seen)
            assert response.headers["content-type"] == "application/problem+json"


def test_what_the_issue_promises() -> None:
    for method, info in OPERATIONS:
        permission = _permission(info)
        public = permission in ANONYMOUS_PERMISSIONS
        # Anonymous callers can only report (and follow their receipt).
        assert allows(None, permission) == public, info.path
        # A member cannot read reports.
        if info.path.startswith("/v1/reports") and not public:
            assert not allows(Role.MEMBER, permission), info.path
        # An observer cannot write; its one exception is its own review of a sampled decision,
        # which changes nothing on the list.
        if method != "GET" and not public and permission is not Permission.AUDIT_REVIEW:
            assert not allows(Role.OBSERVER, permission), f"{method} {info.path}"
