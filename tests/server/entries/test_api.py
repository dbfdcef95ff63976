"""``/v1/entries`` over HTTP: what each role sees, the logged expression, events, transitions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.server.access_log.models import AccessLog

Auth = Callable[[str], dict[str, str]]
ListedEntry = Callable[..., str]
URL = "http://www.example.com/secret/page.html"


@pytest.mark.parametrize("role", ["member", "observer", "analyst", "supervisor"])
def test_entries_never_show_the_expression(
    listed_entry: ListedEntry, client: TestClient, auth: Auth, role: str
) -> None:
    public_id = listed_entry(URL)
    listing = client.get("/v1/entries", headers=auth(role))
    one = client.get(f"/v1/entries/{public_id}", headers=auth(role))
    for response in (listing, one):
        assert response.status_code == 200
        assert "www.example.com" not in response.text
        assert "secret" not in response.text
    entry = one.json()
    assert listing.json()["items"] == [entry]
    assert entry["public_id"] == public_id
    assert len(bytes.fromhex(entry["expression_hash"])) == 32
    assert entry["state"] == "active"
    assert entry["disputed"] is False


def test_statement_of_reasons(listed_entry: ListedEntry, client: TestClient, auth: Auth) -> None:
    public_id = listed_entry(URL, category="terror", reason="Instructions for an attack.")
    entry = client.get(f"/v1/entries/{public_id}", headers=auth("member")).json()
    reasons = entry["statement_of_reasons"]
    assert reasons["category"] == "terror"
    assert reasons["category_wire_id"] == 2
    assert reasons["policy_version"] == 1
    assert reasons["legal_order"] is True
    assert "EU: Regulation (EU) 2021/784" in reasons["legal_basis"]
    assert reasons["territorial_scope"] == ["DE", "EU"]
    assert reasons["facts"] == "Instructions for an attack."
    assert reasons["scope"] == "page"
    assert reasons["scope_reason"].startswith("page scope")
    assert isinstance(reasons["decided_by"], int)
    assert reasons["decided_at"] == entry["created_at"]


def test_expression_is_for_staff_and_logged(
    listed_entry: ListedEntry, client: TestClient, auth: Auth, sessions: sessionmaker[Session]
) -> None:
    public_id = listed_entry(URL)
    response = client.get(f"/v1/entries/{public_id}/expression", headers=auth("supervisor"))
    assert response.status_code == 200
    assert response.json() == {
        "public_id": public_id,
        "expression": "www.example.com/secret/page.html",
        "host": "www.example.com",
        "scope": "page",
    }
    for role in ("member", "observer", "partner"):
        denied = client.get(f"/v1/entries/{public_id}/expression", headers=auth(role))
        assert denied.status_code == 403
    with sessions() as session:
        logged = session.scalars(select(AccessLog).where(AccessLog.action == "entry.expression"))
        assert [(row.subject_id, row.role) for row in logged] == [(public_id, "supervisor")]


def test_filters_and_paging(listed_entry: ListedEntry, client: TestClient, auth: Auth) -> None:
    made = [listed_entry(f"http://www.example.com/{n}.html") for n in range(3)]
    terror = listed_entry("http://www.example.org/t.html", category="terror")

    def ids(**params: Any) -> list[str]:
        response = client.get("/v1/entries", params=params, headers=auth("member"))
        assert response.status_code == 200, response.text
        return [item["public_id"] for item in response.json()["items"]]

    assert ids(category="terror") == [terror]
    assert ids(scope="page", state="active") == [*made, terror]
    assert ids(state="removed") == []
    first = client.get("/v1/entries", params={"limit": 3}, headers=auth("member")).json()
    rest = ids(cursor=first["next_cursor"])
    assert [item["public_id"] for item in first["items"]] + rest == [*made, terror]


def test_unknown_and_malformed_ids(client: TestClient, auth: Auth) -> None:
    assert client.get("/v1/entries/00000000000000ff", headers=auth("member")).status_code == 404
    assert client.get("/v1/entries/ffffffffffffffff", headers=auth("member")).status_code == 404
    assert client.get("/v1/entries/XYZ", headers=auth("member")).status_code == 422


def test_anonymous_sees_no_entries(client: TestClient) -> None:
    assert client.get("/v1/entries").status_code == 401


def _move(client: TestClient, auth: Auth, public_id: str, to: str, role: str = "supervisor") -> Any:
    return client.post(
        f"/v1/entries/{public_id}/transitions",
        json={"to": to, "reason": f"to {to}"},
        headers=auth(role),
    )


def test_transitions_follow_the_state_machine(
    listed_entry: ListedEntry, client: TestClient, auth: Auth
) -> None:
    public_id = listed_entry(URL)
    assert _move(client, auth, public_id, "suspended").json()["entry"]["state"] == "suspended"
    assert _move(client, auth, public_id, "suspended").status_code == 409
    restored = _move(client, auth, public_id, "active")
    assert restored.status_code == 201
    assert restored.json()["event"]["from_state"] == "suspended"
    assert _move(client, auth, public_id, "removed").status_code == 201
    final = _move(client, auth, public_id, "active")
    assert final.status_code == 409
    assert "final" in final.json()["detail"]
    events = client.get(f"/v1/entries/{public_id}/events", headers=auth("observer")).json()
    assert [(e["kind"], e["to_state"], e["reason"]) for e in events["items"]][1:] == [
        ("suspended", "suspended", "to suspended"),
        ("activated", "active", "to active"),
        ("removed", "removed", "to removed"),
    ]


def test_analysts_suspend_but_do_not_transition(
    listed_entry: ListedEntry, client: TestClient, auth: Auth
) -> None:
    public_id = listed_entry(URL)
    assert _move(client, auth, public_id, "removed", role="analyst").status_code == 403
    suspended = client.post(
        f"/v1/entries/{public_id}/suspension", json={"reason": "in doubt"}, headers=auth("analyst")
    )
    assert suspended.status_code == 201
    assert suspended.json()["event"]["kind"] == "suspended"
    again = client.post(
        f"/v1/entries/{public_id}/suspension", json={"reason": "again"}, headers=auth("analyst")
    )
    assert again.status_code == 409
    for role in ("member", "observer"):
        denied = client.post(
            f"/v1/entries/{public_id}/suspension", json={"reason": "x"}, headers=auth(role)
        )
        assert denied.status_code == 403


def test_only_one_active_entry_per_expression(
    listed_entry: ListedEntry, client: TestClient, auth: Auth
) -> None:
    first = listed_entry(URL)
    _move(client, auth, first, "suspended")
    second = listed_entry(URL)
    assert second != first
    refused = _move(client, auth, first, "active")
    assert refused.status_code == 409
    assert second in refused.json()["detail"]


def test_transition_body_is_validated(
    listed_entry: ListedEntry, client: TestClient, auth: Auth
) -> None:
    public_id = listed_entry(URL)
    url = f"/v1/entries/{public_id}/transitions"
    for body in ({"to": "gone", "reason": "x"}, {"to": "removed"}, {"to": "removed", "reason": ""}):
        assert client.post(url, json=body, headers=auth("supervisor")).status_code == 422
