"""Observers on both databases: read-only access, every request logged, plaintext only under an
admin's grant (each view logged), audit samples of decisions and the observers' reviews."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.server.access_log.models import AccessLog
from hotlist.server.accounts.models import Organisation
from hotlist.server.db.base import utcnow
from hotlist.server.kit.principal import Principal
from hotlist.server.observers.access import request_subject

Auth = Callable[[str], dict[str, str]]
URL = "http://www.example.com/secret/page.html"


def _observer_org(sessions: sessionmaker[Session], auth: Auth) -> int:
    """The organisation of the observer ``auth("observer")`` stands for."""
    auth("observer")
    with sessions() as session:
        org_id = session.scalar(select(Organisation.id).where(Organisation.kind == "observer"))
    assert org_id is not None
    return org_id


def _grant(client: TestClient, auth: Auth, org_id: int, granted: bool) -> Any:
    return client.put(
        f"/v1/orgs/{org_id}/plaintext-grant",
        json={"granted": granted, "reason": "Regulator's audit of 2026, agreement of 1 March."},
        headers=auth("admin"),
    )


def _log_rows(sessions: sessionmaker[Session], action: str) -> list[AccessLog]:
    with sessions() as session:
        query = select(AccessLog).where(AccessLog.action == action).order_by(AccessLog.id)
        return list(session.scalars(query))


def test_every_observer_request_is_in_the_access_log(
    client: TestClient, auth: Auth, sessions: sessionmaker[Session]
) -> None:
    observer = auth("observer")
    assert client.get("/v1/entries?limit=5", headers=observer).status_code == 200
    assert client.post("/v1/objections", json={}, headers=observer).status_code == 403
    assert client.get("/v1/entries", headers=auth("member")).status_code == 200
    rows = _log_rows(sessions, "observer.request")
    assert [row.subject_id for row in rows] == ["GET /v1/entries", "POST /v1/objections"]
    assert {row.role for row in rows} == {"observer"}
    assert all(row.user_id is not None for row in rows)


def test_the_request_subject_fits_the_log() -> None:
    assert request_subject("GET", "/v1/x") == "GET /v1/x"
    long = request_subject("GET", "/v1/" + "a" * 100)
    assert len(long) == 64
    assert long.endswith("…")


def test_plaintext_only_under_a_grant_and_each_view_logged(
    client: TestClient,
    auth: Auth,
    listed_entry: Callable[..., str],
    file_report: Callable[..., Any],
    sessions: sessionmaker[Session],
) -> None:
    entry = listed_entry(URL)
    report = file_report("http://www.example.org/other.html")
    observer = auth("observer")
    expression = f"/v1/entries/{entry}/expression"
    assert client.get(expression, headers=observer).status_code == 403
    assert client.get(f"/v1/reports/{report.id}", headers=observer).status_code == 403
    org_id = _observer_org(sessions, auth)
    granted = _grant(client, auth, org_id, True)
    assert granted.status_code == 200, granted.text
    assert granted.json()["granted"] is True
    seen = client.get(expression, headers=observer)
    assert seen.status_code == 200
    assert seen.json()["expression"] == "www.example.com/secret/page.html"
    opened = client.get(f"/v1/reports/{report.id}", headers=observer)
    assert opened.status_code == 200
    assert opened.json()["contact"] is None
    views = _log_rows(sessions, "entry.expression") + _log_rows(sessions, "report.open")
    assert [(row.role, row.org_id) for row in views] == [("observer", org_id)] * 2
    assert _grant(client, auth, org_id, False).status_code == 200
    assert client.get(expression, headers=observer).status_code == 403
    assert client.get(f"/v1/entries/{entry}/expression", headers=auth("member")).status_code == 403


def test_only_an_admin_grants_and_only_to_observers(
    client: TestClient, auth: Auth, sessions: sessionmaker[Session]
) -> None:
    org_id = _observer_org(sessions, auth)
    body = {"granted": True, "reason": "x"}
    for role in ("observer", "supervisor"):
        put = client.put(f"/v1/orgs/{org_id}/plaintext-grant", json=body, headers=auth(role))
        assert put.status_code == 403
    auth("member")
    with sessions() as session:
        isp = session.scalar(select(Organisation.id).where(Organisation.kind == "isp"))
    refused = client.put(f"/v1/orgs/{isp}/plaintext-grant", json=body, headers=auth("admin"))
    assert refused.status_code == 422
    assert "only observers" in refused.json()["detail"]
    missing = client.put("/v1/orgs/99999/plaintext-grant", json=body, headers=auth("admin"))
    assert missing.status_code == 404
    shown = client.get(f"/v1/orgs/{org_id}/plaintext-grant", headers=auth("admin")).json()
    assert shown == {
        "org_id": org_id,
        "granted": False,
        "reason": None,
        "decided_by": None,
        "at": None,
    }


@pytest.fixture
def decisions(
    client: TestClient,
    auth: Auth,
    listed_entry: Callable[..., str],
    file_report: Callable[..., Any],
    assess: Callable[..., Any],
) -> int:
    """Two assessments, an objection decision and an appeal decision: four decisions."""
    entry = listed_entry(URL)
    report = file_report("http://www.example.org/fine.html")
    assert assess(report.id, actionable=False, category=None, scope=None).status_code == 201
    objection = client.post(
        "/v1/objections", json={"entry_id": entry, "reason": "why"}, headers=auth("member")
    ).json()
    client.post(
        f"/v1/objections/{objection['id']}/decision",
        json={"outcome": "rejected", "reason": "stands"},
        headers=auth("supervisor"),
    )
    client.post("/v1/appeals", json={"entry_id": entry, "relation": "user", "reason": "why"})
    queue = client.get("/v1/appeals", headers=auth("supervisor")).json()["items"]
    decided = client.post(
        f"/v1/appeals/{queue[0]['id']}/decision",
        json={"outcome": "rejected", "reason": "stands"},
        headers=auth("supervisor"),
    )
    assert decided.status_code == 201
    return 4


def _period() -> dict[str, str]:
    now = utcnow()
    return {
        "from": (now - timedelta(hours=1)).isoformat(),
        "to": (now + timedelta(hours=1)).isoformat(),
    }


def test_a_sample_draws_decisions_of_every_kind(
    client: TestClient, auth: Auth, decisions: int
) -> None:
    drawn = client.post(
        "/v1/audit/samples", json={**_period(), "size": 10}, headers=auth("supervisor")
    )
    assert drawn.status_code == 201, drawn.text
    sample = drawn.json()
    assert sample["population"] == decisions
    assert sample["requested"] == 10
    assert {item["kind"] for item in sample["items"]} == {"assessment", "objection", "appeal"}
    assert len(sample["items"]) == decisions
    assert "www.example" not in drawn.text
    two = client.post("/v1/audit/samples", json={**_period(), "size": 2}, headers=auth("admin"))
    assert len(two.json()["items"]) == 2


def test_observers_review_and_agreement_is_counted(
    client: TestClient,
    auth: Auth,
    decisions: int,
    make_key: Callable[..., tuple[str, Principal]],
) -> None:
    sample = client.post(
        "/v1/audit/samples", json={**_period(), "size": 3}, headers=auth("supervisor")
    ).json()
    first, second = sample["items"][0]["id"], sample["items"][1]["id"]
    path = f"/v1/audit/samples/{sample['id']}/reviews"
    other = {"Authorization": f"Bearer {make_key('observer')[0]}"}
    for headers, item, verdict in (
        (auth("observer"), first, "agree"),
        (auth("observer"), second, "disagree"),
        (other, first, "agree"),
    ):
        body = {"item_id": item, "verdict": verdict, "comment": "read the reasons"}
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 201, response.text
    again = client.post(path, json={"item_id": first, "verdict": "disagree"}, headers=other)
    assert again.status_code == 409
    wrong = client.post(path, json={"item_id": 999_999, "verdict": "agree"}, headers=other)
    assert wrong.status_code == 404
    for role in ("supervisor", "analyst", "member"):
        body = {"item_id": first, "verdict": "agree"}
        assert client.post(path, json=body, headers=auth(role)).status_code == 403
    shown = client.get(f"/v1/audit/samples/{sample['id']}", headers=auth("observer")).json()
    assert len(shown["reviews"]) == 3
    assert shown["agreement_rate"] == pytest.approx(2 / 3)
    listed = client.get("/v1/audit/samples", headers=auth("admin")).json()["items"]
    assert [s["id"] for s in listed] == [sample["id"]]


@pytest.mark.parametrize(
    "body",
    [
        {"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
        {"from": "2026-01-01T00:00:00", "to": "2026-01-02T00:00:00"},
        {"from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z", "size": 0},
        {"from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z", "size": 100_000},
    ],
)
def test_bad_samples_are_422(client: TestClient, auth: Auth, body: dict[str, Any]) -> None:
    response = client.post("/v1/audit/samples", json=body, headers=auth("supervisor"))
    assert response.status_code == 422


def test_an_observer_cannot_write(
    client: TestClient, auth: Auth, listed_entry: Callable[..., str], decisions: int
) -> None:
    entry = listed_entry("http://www.example.com/another.html")
    observer = auth("observer")
    writes = [
        ("POST", f"/v1/entries/{entry}/transitions", {"to": "removed", "reason": "x"}),
        ("POST", f"/v1/entries/{entry}/suspension", {"reason": "x"}),
        ("POST", "/v1/objections", {"entry_id": entry, "reason": "x"}),
        ("POST", "/v1/objections/1/decision", {"outcome": "upheld", "reason": "x"}),
        ("POST", "/v1/appeals/1/interim", {"reason": "x"}),
        ("POST", "/v1/appeals/1/decision", {"outcome": "upheld", "reason": "x"}),
        ("POST", "/v1/audit/samples", {**_period(), "size": 1}),
        ("PUT", "/v1/orgs/1/plaintext-grant", {"granted": True, "reason": "x"}),
    ]
    for method, path, body in writes:
        response = client.request(method, path, json=body, headers=observer)
        assert response.status_code == 403, (method, path)
    assert client.get(f"/v1/entries/{entry}", headers=auth("member")).json()["state"] == "active"


def test_a_grant_to_an_organisation_that_is_no_observer_says_what_it_is(
    client: TestClient, auth: Auth, make_org: Callable[..., Organisation]
) -> None:
    isp = make_org("isp")
    response = _grant(client, auth, isp.id, True)
    assert response.status_code == 422
    assert f"organisation {isp.id} is an ISP, not an observer" in response.json()["detail"]
