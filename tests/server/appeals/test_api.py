"""``/v1/appeals`` on both databases: anyone appeals, follows the receipt; a supervisor who did
not make the entry suspends in the interim and decides; the outcome is logged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.publish.log.merkle import verify_inclusion
from hotlist.server.appeals.models import Appeal
from hotlist.server.db.base import utcnow
from hotlist.server.kit.clock import ManualClock
from hotlist.server.kit.deps import get_clock
from hotlist.server.log import service as log_service

Auth = Callable[[str], dict[str, str]]
Headers = Callable[[], dict[str, str]]
URL = "http://www.example.com/a/b/page.html"
REASON = "This is my own site's page and it holds nothing unlawful."


@pytest.fixture
def entry(listed_entry: Callable[..., str]) -> str:
    """An entry made by the analyst ``auth("analyst")`` stands for."""
    return listed_entry(URL)


def _appeal(client: TestClient, entry: str, **fields: Any) -> str:
    body = {"entry_id": entry, "relation": "site_owner", "reason": REASON, **fields}
    response = client.post("/v1/appeals", json=body)
    assert response.status_code == 201, response.text
    assert list(response.json()) == ["receipt"]
    receipt: str = response.json()["receipt"]
    return receipt


def _appeal_id(sessions: sessionmaker[Session], receipt: str) -> int:
    with sessions() as session:
        appeal_id = session.scalar(select(Appeal.id).where(Appeal.receipt == receipt))
    assert appeal_id is not None
    return appeal_id


def _state(client: TestClient, auth: Auth, entry: str) -> str:
    state: str = client.get(f"/v1/entries/{entry}", headers=auth("member")).json()["state"]
    return state


def test_anyone_appeals_and_follows_the_receipt(client: TestClient, entry: str) -> None:
    receipt = _appeal(client, entry)
    status = client.get(f"/v1/appeals/{receipt}")
    assert status.status_code == 200
    assert status.json() == {"state": "open", "outcome": None, "reason": None}
    assert client.get("/v1/appeals/unknownreceipt").status_code == 404


def test_contact_is_stored_encrypted(
    client: TestClient, entry: str, sessions: sessionmaker[Session]
) -> None:
    receipt = _appeal(client, entry, contact="owner@example.org")
    with sessions() as session:
        stored = session.scalar(select(Appeal.contact).where(Appeal.receipt == receipt))
    assert stored is not None
    assert b"owner@example.org" not in stored


def test_interim_suspension_then_rejected_reinstates(
    client: TestClient, auth: Auth, entry: str, sessions: sessionmaker[Session]
) -> None:
    receipt = _appeal(client, entry)
    appeal_id = _appeal_id(sessions, receipt)
    interim = client.post(
        f"/v1/appeals/{appeal_id}/interim",
        json={"reason": "The site looks like a legitimate news outlet."},
        headers=auth("supervisor"),
    )
    assert interim.status_code == 201, interim.text
    assert interim.json()["interim_suspended"] is True
    assert _state(client, auth, entry) == "suspended"
    again = client.post(
        f"/v1/appeals/{appeal_id}/interim", json={"reason": "again"}, headers=auth("supervisor")
    )
    assert again.status_code == 409
    decided = client.post(
        f"/v1/appeals/{appeal_id}/decision",
        json={"outcome": "rejected", "reason": "The material is as assessed."},
        headers=auth("supervisor"),
    )
    assert decided.status_code == 201, decided.text
    assert _state(client, auth, entry) == "active"
    status = client.get(f"/v1/appeals/{receipt}").json()
    assert status == {
        "state": "decided",
        "outcome": "rejected",
        "reason": "The material is as assessed.",
    }
    index = decided.json()["log_index"]
    with sessions() as session:
        head = log_service.tree_head(session)
        proof = log_service.inclusion_proof(session, index, head.size)
        (leaf,) = log_service.entries(session, index, index + 1)
    verify_inclusion(index, head.size, leaf.leaf_hash, proof, head.root_hash)
    assert leaf.event.kind.value == "appeal_decided"
    assert leaf.event.fields["appeal_id"] == appeal_id
    assert leaf.event.fields["outcome"] == "rejected"
    assert leaf.event.fields["interim_suspension"] is True
    assert leaf.event.fields["relation"] == "site_owner"


def test_upheld_removes_the_entry(
    client: TestClient, auth: Auth, entry: str, sessions: sessionmaker[Session]
) -> None:
    appeal_id = _appeal_id(sessions, _appeal(client, entry, relation="user"))
    decided = client.post(
        f"/v1/appeals/{appeal_id}/decision",
        json={"outcome": "upheld", "reason": "The page holds no unlawful material."},
        headers=auth("supervisor"),
    )
    assert decided.status_code == 201
    assert decided.json()["outcome"] == "upheld"
    assert _state(client, auth, entry) == "removed"
    assert (
        client.post(
            f"/v1/appeals/{appeal_id}/decision",
            json={"outcome": "rejected", "reason": "x"},
            headers=auth("supervisor"),
        ).status_code
        == 409
    )
    body = {"entry_id": entry, "relation": "user", "reason": REASON}
    assert client.post("/v1/appeals", json=body).status_code == 409


def test_the_entrys_analyst_can_neither_suspend_nor_decide(
    client: TestClient,
    auth: Auth,
    file_report: Callable[..., Any],
    assess: Callable[..., Any],
    other_supervisor: Headers,
    sessions: sessionmaker[Session],
) -> None:
    entry = assess(file_report(URL).id, role="supervisor").json()["entry_public_id"]
    appeal_id = _appeal_id(sessions, _appeal(client, entry))
    for path, body in (
        ("interim", {"reason": "risk"}),
        ("decision", {"outcome": "upheld", "reason": "wrong"}),
    ):
        refused = client.post(
            f"/v1/appeals/{appeal_id}/{path}", json=body, headers=auth("supervisor")
        )
        assert refused.status_code == 403
        assert "another supervisor must decide" in refused.json()["detail"]
    assert _state(client, auth, entry) == "active"
    decided = client.post(
        f"/v1/appeals/{appeal_id}/decision",
        json={"outcome": "upheld", "reason": "wrong"},
        headers=other_supervisor(),
    )
    assert decided.status_code == 201


def test_the_queue_flags_overdue_appeals(
    make_app: Callable[..., FastAPI],
    client_for: Callable[..., TestClient],
    auth: Auth,
    entry: str,
    sessions: sessionmaker[Session],
) -> None:
    app = make_app(appeal_decide_days=3)
    clock = ManualClock(utcnow())
    app.dependency_overrides[get_clock] = lambda: clock
    with client_for(app) as client:
        late = _appeal_id(sessions, _appeal(client, entry))
        clock.advance(timedelta(days=4))
        fresh = _appeal_id(sessions, _appeal(client, entry))
        queue = client.get("/v1/appeals", headers=auth("supervisor")).json()["items"]
        assert {item["id"]: item["overdue"] for item in queue} == {late: True, fresh: False}
        assert "contact" not in queue[0]
        only = client.get("/v1/appeals?overdue=true", headers=auth("observer")).json()["items"]
        assert [item["id"] for item in only] == [late]


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"entry_id": "not-hex"}, 422),
        ({"relation": "lawyer"}, 422),
        ({"reason": ""}, 422),
        ({"reason": "x" * 4_001}, 422),
        ({"contact": "x" * 321}, 422),
        ({"reason": "nul \x00 here"}, 422),
        ({"ip": "192.0.2.1"}, 422),
        ({"entry_id": "00000000000000ff"}, 404),
    ],
)
def test_bad_appeals_get_clear_problems(
    client: TestClient, entry: str, fields: dict[str, Any], status: int
) -> None:
    body = {"entry_id": entry, "relation": "other", "reason": REASON, **fields}
    response = client.post("/v1/appeals", json=body)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"]


def test_appeals_are_rate_limited(
    make_app: Callable[..., FastAPI], client_for: Callable[..., TestClient], entry: str
) -> None:
    with client_for(make_app(rate_limit_per_second=0.01, rate_limit_burst=1)) as client:
        body = {"entry_id": entry, "relation": "other", "reason": REASON}
        assert client.post("/v1/appeals", json=body).status_code == 201
        limited = client.post("/v1/appeals", json=body)
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) >= 1


@pytest.mark.parametrize("role", ["observer", "analyst", "member"])
def test_only_supervisors_act_on_appeals(
    client: TestClient, auth: Auth, entry: str, sessions: sessionmaker[Session], role: str
) -> None:
    appeal_id = _appeal_id(sessions, _appeal(client, entry))
    for path, body in (
        ("interim", {"reason": "risk"}),
        ("decision", {"outcome": "upheld", "reason": "x"}),
    ):
        response = client.post(f"/v1/appeals/{appeal_id}/{path}", json=body, headers=auth(role))
        assert response.status_code == 403
    assert _state(client, auth, entry) == "active"
