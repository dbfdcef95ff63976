"""Disabling and enabling people over HTTP: admin only, problem+json errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hotlist.server.accounts.models import User
from hotlist.server.kit.permissions import Role

Auth = Callable[[Role | str], dict[str, str]]


def test_an_admin_disables_and_enables_a_person(
    client: Any, auth: Auth, make_user: Callable[..., User]
) -> None:
    admin = auth(Role.ADMIN)
    analyst_headers = auth(Role.ANALYST)  # an analyst with a working key
    analyst = client.get("/v1/users", params={"role": "analyst"}, headers=admin).json()["items"]
    assert len(analyst) == 1
    user_id = analyst[0]["id"]

    refused = client.post(
        f"/v1/users/{user_id}/disable", json={"reason": "x"}, headers=analyst_headers
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")

    no_reason = client.post(f"/v1/users/{user_id}/disable", json={"reason": ""}, headers=admin)
    assert no_reason.status_code == 422
    assert no_reason.headers["content-type"].startswith("application/problem+json")

    done = client.post(f"/v1/users/{user_id}/disable", json={"reason": "left"}, headers=admin)
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["user"]["disabled_at"] is not None
    assert body["change"]["action"] == "disabled"
    assert len(body["revoked_key_ids"]) == 1
    assert client.get("/v1/reports", headers=analyst_headers).status_code == 401

    again = client.post(f"/v1/users/{user_id}/disable", json={"reason": "left"}, headers=admin)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")

    disabled = client.get("/v1/users", params={"disabled": "true"}, headers=admin).json()
    assert [u["id"] for u in disabled["items"]] == [user_id]
    enabled = client.post(f"/v1/users/{user_id}/enable", json={"reason": "back"}, headers=admin)
    assert enabled.status_code == 200, enabled.text
    assert enabled.json()["user"]["disabled_at"] is None
    history = client.get(f"/v1/users/{user_id}/status-changes", headers=admin).json()
    assert [(c["action"], c["reason"]) for c in history] == [
        ("disabled", "left"),
        ("enabled", "back"),
    ]
    missing = client.post("/v1/users/999999/enable", json={"reason": "x"}, headers=admin)
    assert missing.status_code == 404
    assert client.get("/v1/users", params={"role": "boss"}, headers=admin).status_code == 422
