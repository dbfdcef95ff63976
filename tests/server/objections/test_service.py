"""The rules of deciding an objection that the API tests do not reach: scope changes that the
policy or the shared-hosting list refuse (who may decide: tests/server/kit/test_four_eyes.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

Auth = Callable[[str], dict[str, str]]


def _objection(client: TestClient, auth: Auth, entry: str) -> int:
    response = client.post(
        "/v1/objections", json={"entry_id": entry, "reason": "why"}, headers=auth("member")
    )
    assert response.status_code == 201
    objection_id: int = response.json()["id"]
    return objection_id


def _rescope(client: TestClient, auth: Auth, objection: int, scope: str) -> Any:
    return client.post(
        f"/v1/objections/{objection}/decision",
        json={"outcome": "scope_changed", "new_scope": scope, "reason": "the whole site"},
        headers=auth("supervisor"),
    )


@pytest.mark.parametrize(
    ("url", "category", "scope", "message"),
    [
        ("http://www.example.com/a.html", "csam", "page", "has scope page already"),
        ("http://www.example.com/a.html", "terror", "host", "does not allow host scope"),
        ("http://site.pages.example/a.html", "csam", "host", "shared-hosting warning list"),
    ],
)
def test_refused_scope_changes_change_nothing(
    client: TestClient,
    auth: Auth,
    listed_entry: Callable[..., str],
    url: str,
    category: str,
    scope: str,
    message: str,
) -> None:
    entry = listed_entry(url, category=category)
    objection = _objection(client, auth, entry)
    refused = _rescope(client, auth, objection, scope)
    assert refused.status_code == 422
    assert message in refused.json()["detail"]
    still = client.get(f"/v1/objections/{objection}", headers=auth("member")).json()
    assert still["state"] == "open"
    listed = client.get(f"/v1/entries/{entry}", headers=auth("member")).json()
    assert (listed["state"], listed["disputed"]) == ("active", True)


def test_a_host_scope_where_the_policy_allows_it(
    client: TestClient, auth: Auth, listed_entry: Callable[..., str]
) -> None:
    entry = listed_entry("http://bad.example.com/x/y.html")
    decided = _rescope(client, auth, _objection(client, auth, entry), "host")
    assert decided.status_code == 201, decided.text
    new = decided.json()["new_entry_id"]
    shown = client.get(f"/v1/entries/{new}/expression", headers=auth("supervisor")).json()
    assert shown["expression"] == "bad.example.com/"


def test_new_scope_only_with_scope_changed(
    client: TestClient, auth: Auth, listed_entry: Callable[..., str]
) -> None:
    objection = _objection(client, auth, listed_entry())
    response = client.post(
        f"/v1/objections/{objection}/decision",
        json={"outcome": "upheld", "new_scope": "host", "reason": "x"},
        headers=auth("supervisor"),
    )
    assert response.status_code == 422
