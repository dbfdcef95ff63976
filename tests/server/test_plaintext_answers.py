"""API answers that carry a plaintext URL are never stored by a browser or a proxy: every route
that needs a plaintext permission says ``Cache-Control: no-store``, and so does every answer of
any ``/v1`` route that holds the reported address."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from hotlist.server.app import create_app
from hotlist.server.config import Settings
from hotlist.server.kit.deps import RouteInfo, api_routes
from hotlist.server.kit.permissions import PLAINTEXT_PERMISSIONS
from server.reports.factories import FiledReport, assess, file_report, listed_entry

__all__ = ["assess", "file_report", "listed_entry"]

URL = "http://www.plain.example/a/b/page.html"
HOST = "www.plain.example"
ROUTES = [
    info
    for info in api_routes(create_app(Settings(database_url="sqlite://")))
    if info.path.startswith("/v1/") and "GET" in info.methods
]
PLAINTEXT = [info for info in ROUTES if set(info.permissions) & PLAINTEXT_PERMISSIONS]


def _fill(info: RouteInfo, values: dict[str, str]) -> str | None:
    """The route's path with its parameters filled in, or None if one is unknown."""
    names = re.findall(r"\{(\w+)(?::\w+)?\}", info.path)
    if any(name not in values for name in names):
        return None
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], info.path)


@pytest.fixture
def case(file_report: Callable[..., FiledReport], assess: Callable[..., Any]) -> dict[str, str]:
    """A report of URL and the entry it made: the values of the routes' path parameters."""
    report = file_report(URL)
    made = assess(report.id)
    assert made.status_code == 201, made.text
    return {"report_id": str(report.id), "public_id": made.json()["entry_public_id"]}


def test_the_plaintext_routes_are_found() -> None:
    paths = {info.path for info in PLAINTEXT}
    assert {"/v1/reports/{report_id}", "/v1/entries/{public_id}/expression"} <= paths


@pytest.mark.parametrize("info", PLAINTEXT, ids=[info.path for info in PLAINTEXT])
def test_a_plaintext_answer_is_not_stored(
    info: RouteInfo, client: TestClient, auth: Callable[[str], dict[str, str]], case: dict[str, str]
) -> None:
    path = _fill(info, case)
    assert path is not None, info.path
    response = client.get(path, headers=auth("supervisor"))
    assert response.status_code == 200, response.text
    assert HOST in response.text
    assert response.headers["cache-control"] == "no-store"


def test_every_answer_holding_the_address_is_not_stored(
    client: TestClient, auth: Callable[[str], dict[str, str]], case: dict[str, str]
) -> None:
    holding = []
    for info in ROUTES:
        path = _fill(info, case)
        if path is None:
            continue
        for role in ("supervisor", "observer", "member"):
            response = client.get(path, headers=auth(role))
            if HOST in response.text:
                holding.append(info.path)
                assert response.headers.get("cache-control") == "no-store", (info.path, role)
    assert set(holding) >= {info.path for info in PLAINTEXT}
