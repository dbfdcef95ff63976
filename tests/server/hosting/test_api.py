"""The hosting API over HTTP: an entry's lookups, looking up now, and the intermediaries list,
with problem+json errors and the permissions of kit/permissions.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from hotlist.server.hosting.api import hosting_sources
from hotlist.server.kit.lookups import HostingSources
from server.hosting.conftest import Failing

Auth = Callable[[str], dict[str, str]]
URL = "http://www.example.com/a/b/page.html"


@pytest.fixture
def offline(app: FastAPI, sources: HostingSources) -> HostingSources:
    """The app's lookups ask the documentation-range data of conftest."""
    app.dependency_overrides[hosting_sources] = lambda: sources
    return sources


def test_an_entry_s_hosting_is_empty_until_looked_up(
    client: TestClient, auth: Auth, listed_entry: Callable[..., str], offline: HostingSources
) -> None:
    entry = listed_entry(URL)
    answer = client.get(f"/v1/entries/{entry}/hosting", headers=auth("analyst"))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "entry_id": entry,
        "latest": None,
        "history": [],
        "intermediary": None,
    }


def test_looking_up_keeps_a_snapshot_shown_as_the_latest(
    client: TestClient, auth: Auth, listed_entry: Callable[..., str], offline: HostingSources
) -> None:
    entry = listed_entry(URL)
    made = client.post(f"/v1/entries/{entry}/hosting", headers=auth("analyst"))
    assert made.status_code == 201, made.text
    lookup = made.json()
    assert lookup["ip"] == "192.0.2.10"
    assert (lookup["asn"], lookup["network_name"], lookup["country"]) == (
        64500,
        "Example Hosting Ltd",
        "GB",
    )
    assert lookup["abuse_contacts"] == ["abuse@hosting.example"]
    assert lookup["registrar"] == "Example Registrar"
    assert lookup["looked_up_by"] is not None
    again = client.post(f"/v1/entries/{entry}/hosting", headers=auth("supervisor"))
    assert again.status_code == 201
    shown = client.get(f"/v1/entries/{entry}/hosting", headers=auth("supervisor")).json()
    assert shown["latest"]["id"] == again.json()["id"]
    assert [row["id"] for row in shown["history"]] == [again.json()["id"], lookup["id"]]


def test_a_failing_source_is_in_the_snapshot_not_an_error(
    app: FastAPI,
    client: TestClient,
    auth: Auth,
    listed_entry: Callable[..., str],
    sources: HostingSources,
) -> None:
    app.dependency_overrides[hosting_sources] = lambda: replace(
        sources, abuse=Failing("RDAP did not answer for 192.0.2.10: timed out")
    )
    entry = listed_entry(URL)
    made = client.post(f"/v1/entries/{entry}/hosting", headers=auth("analyst"))
    assert made.status_code == 201
    assert made.json()["asn"] == 64500
    assert made.json()["error"] == (
        "abuse contacts: RDAP did not answer for 192.0.2.10: timed out; "
        "upstream contacts: RDAP did not answer for 192.0.2.10: timed out; "
        "registrar: RDAP did not answer for 192.0.2.10: timed out"
    )


def test_an_unknown_entry_is_a_problem(client: TestClient, auth: Auth, offline: Any) -> None:
    answer = client.post("/v1/entries/00000000000000ff/hosting", headers=auth("analyst"))
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("role", "status"), [("member", 403), ("observer", 403), ("admin", 403), ("analyst", 404)]
)
def test_only_analysts_and_supervisors_see_hosting(
    client: TestClient, auth: Auth, role: str, status: int
) -> None:
    answer = client.get("/v1/entries/00000000000000ff/hosting", headers=auth(role))
    assert answer.status_code == status


def test_admins_keep_the_intermediaries_list(
    client: TestClient, auth: Auth, listed_entry: Callable[..., str], offline: Any
) -> None:
    admin = auth("admin")
    body = {"host": "Example.COM", "kind": "link_echo", "note": "echoes links"}
    made = client.post("/v1/intermediaries", json=body, headers=admin)
    assert made.status_code == 201, made.text
    assert (made.json()["host"], made.json()["kind"]) == ("example.com", "link_echo")
    twice = client.post("/v1/intermediaries", json=body, headers=admin)
    assert twice.status_code == 409
    assert twice.json()["detail"] == "example.com is on the intermediaries list already"

    entry = listed_entry(URL)
    shown = client.get(f"/v1/entries/{entry}/hosting", headers=auth("analyst")).json()
    assert shown["intermediary"]["host"] == "example.com"

    assert [row["host"] for row in client.get("/v1/intermediaries", headers=admin).json()] == [
        "example.com"
    ]
    removed = client.delete("/v1/intermediaries/example.com", headers=admin)
    assert removed.status_code == 200
    assert removed.json()["removed_at"] is not None
    assert client.get("/v1/intermediaries", headers=admin).json() == []
    kept = client.get("/v1/intermediaries?include_removed=true", headers=admin).json()
    assert [row["id"] for row in kept] == [made.json()["id"]]
    gone = client.delete("/v1/intermediaries/example.com", headers=admin)
    assert gone.status_code == 404
    assert gone.headers["content-type"] == "application/problem+json"


def test_a_wrong_intermediary_is_refused(client: TestClient, auth: Auth) -> None:
    admin = auth("admin")
    wrong_kind = client.post(
        "/v1/intermediaries", json={"host": "a.example", "kind": "cdn"}, headers=admin
    )
    assert wrong_kind.status_code == 422
    no_host = client.post(
        "/v1/intermediaries", json={"host": "...", "kind": "other"}, headers=admin
    )
    assert no_host.status_code == 400
    assert "is not a host name" in no_host.json()["detail"]


@pytest.mark.parametrize("role", ["analyst", "supervisor", "member"])
def test_only_admins_edit_intermediaries(client: TestClient, auth: Auth, role: str) -> None:
    body = {"host": "short.example", "kind": "shortener"}
    assert client.post("/v1/intermediaries", json=body, headers=auth(role)).status_code == 403
    assert client.get("/v1/intermediaries", headers=auth(role)).status_code == 403
