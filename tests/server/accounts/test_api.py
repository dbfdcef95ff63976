"""Managing organisations, people and keys over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hotlist.server.kit.permissions import Role

Auth = Callable[[Role | str], dict[str, str]]


def test_create_and_list_orgs_with_paging(client: Any, auth: Auth) -> None:
    admin = auth(Role.ADMIN)  # creates the hotline organisation first
    for n in range(3):
        response = client.post("/v1/orgs", json={"name": f"ISP {n}", "kind": "isp"}, headers=admin)
        assert response.status_code == 201, response.text
        assert response.json()["kind"] == "isp"
    names: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/orgs", params=params, headers=admin).json()
        names += [org["name"] for org in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert names[1:] == ["ISP 0", "ISP 1", "ISP 2"]


def test_duplicate_and_invalid_orgs(client: Any, auth: Auth) -> None:
    admin = auth(Role.ADMIN)
    assert (
        client.post("/v1/orgs", json={"name": "A", "kind": "isp"}, headers=admin).status_code == 201
    )
    duplicate = client.post("/v1/orgs", json={"name": "A", "kind": "isp"}, headers=admin)
    assert duplicate.status_code == 409
    bad_kind = client.post("/v1/orgs", json={"name": "B", "kind": "bank"}, headers=admin)
    assert bad_kind.status_code == 422
    extra = client.post("/v1/orgs", json={"name": "C", "kind": "isp", "x": 1}, headers=admin)
    assert extra.status_code == 422
    bad_cursor = client.get("/v1/orgs", params={"cursor": "abc"}, headers=admin)
    assert bad_cursor.status_code == 400
    assert bad_cursor.headers["content-type"] == "application/problem+json"


def test_people_and_their_keys(client: Any, auth: Auth) -> None:
    admin = auth(Role.ADMIN)
    hotline_id = client.get("/v1/orgs", headers=admin).json()["items"][0]["id"]
    response = client.post(
        "/v1/users", json={"org_id": hotline_id, "name": "Ana", "role": "analyst"}, headers=admin
    )
    assert response.status_code == 201, response.text
    user = response.json()
    misfit = client.post(
        "/v1/users", json={"org_id": hotline_id, "name": "Mo", "role": "member"}, headers=admin
    )
    assert misfit.status_code == 400
    missing = client.post(
        "/v1/users", json={"org_id": 9999, "name": "Mo", "role": "member"}, headers=admin
    )
    assert missing.status_code == 404
    users = client.get("/v1/users", params={"org_id": hotline_id}, headers=admin).json()
    assert user["id"] in [u["id"] for u in users["items"]]

    issued = client.post("/v1/keys", json={"user_id": user["id"], "label": "desk"}, headers=admin)
    assert issued.status_code == 201, issued.text
    key = issued.json()["key"]
    analyst = {"Authorization": f"Bearer {key}"}
    # The analyst's key works (and an analyst cannot manage keys).
    assert client.get("/v1/keys", headers=analyst).status_code == 403
    listed = client.get("/v1/keys", headers=admin).json()["items"]
    assert key not in str(listed)
    assert issued.json()["id"] in [k["id"] for k in listed]

    revoked = client.delete(f"/v1/keys/{issued.json()['id']}", headers=admin)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert client.get("/v1/keys", headers=analyst).status_code == 401
    assert client.delete(f"/v1/keys/{issued.json()['id']}", headers=admin).status_code == 409
    assert client.delete("/v1/keys/99999", headers=admin).status_code == 404


def test_machine_key(client: Any, auth: Auth) -> None:
    admin = auth(Role.ADMIN)
    isp = client.post("/v1/orgs", json={"name": "ISP", "kind": "isp"}, headers=admin).json()
    issued = client.post("/v1/keys", json={"org_id": isp["id"], "role": "member"}, headers=admin)
    assert issued.status_code == 201, issued.text
    assert issued.json()["user_id"] is None
    member = {"Authorization": f"Bearer {issued.json()['key']}"}
    assert client.get("/v1/orgs", headers=member).status_code == 403
    no_role = client.post("/v1/keys", json={"org_id": isp["id"]}, headers=admin)
    assert no_role.status_code == 400


def test_bad_credentials(client: Any) -> None:
    assert client.get("/v1/orgs").status_code == 401
    for header in ["Bearer hk_unknownunknownunknown", "Bearer nonsense", "Basic abc"]:
        response = client.get("/v1/orgs", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.headers["www-authenticate"] == "Bearer"
