"""``/v1/reports`` over HTTP on both databases: intake, limits, dedup, status, queue, opening."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI, Request
from sqlalchemy import Engine, MetaData, func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.server.access_log.models import AccessLog
from hotlist.server.kit.contacts import InMemoryContactCipher
from hotlist.server.kit.deps import PublicIntake, contact_ciphers, public_intake
from hotlist.server.kit.services import Lazy
from hotlist.server.reports.models import Report
from server.reports.factories import FiledReport

URL = "http://www.example.com/a/b/page.html"
Auth = Callable[[str], dict[str, str]]
FileReport = Callable[..., FiledReport]


def test_report_returns_a_receipt_and_status_received(client: TestClient) -> None:
    response = client.post("/v1/reports", json={"url": URL, "comment": "seen on a forum"})
    assert response.status_code == 201
    body = response.json()
    assert list(body) == ["receipt"]
    status = client.get(f"/v1/reports/{body['receipt']}/status")
    assert status.status_code == 200
    assert status.json() == {"status": "received"}


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"url": "http://example.com/" + "a" * 8_200}, "body.url"),
        ({"url": "http://example.com/" + "é" * 4_090}, "body.url"),
        ({"url": ""}, "body.url"),
        ({"url": URL, "comment": "x" * 4_001}, "body.comment"),
        ({"url": URL, "contact": "x" * 321}, "body.contact"),
        ({"url": URL, "comment": "nul \x00 here"}, "body.comment"),
        ({"url": URL, "category_hint": "Not A Code"}, "body.category_hint"),
        ({"url": URL, "reporter_ip": "192.0.2.1"}, "body.reporter_ip"),
        ({"comment": "no url"}, "body.url"),
    ],
)
def test_bad_fields_are_422_problems(
    client: TestClient, fields: dict[str, Any], where: str
) -> None:
    response = client.post("/v1/reports", json=fields)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert where in [error["loc"] for error in response.json()["errors"]]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "http://", "mailto:someone@example.com"])
def test_urls_that_cannot_be_canonicalized_are_422(client: TestClient, url: str) -> None:
    response = client.post("/v1/reports", json={"url": url})
    assert response.status_code == 422
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "url", ["not a url", "http://not a url/", "http://exa$mple.com/", "http://*.example/", "a b"]
)
def test_a_host_that_is_no_name_or_address_is_422_and_nothing_is_filed(
    client: TestClient, sessions: sessionmaker[Session], url: str
) -> None:
    response = client.post("/v1/reports", json={"url": url})
    assert response.status_code == 422
    assert "neither a domain name nor an IP address" in response.json()["detail"]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 0


@pytest.mark.parametrize(
    "url",
    [
        "www.example.com/page.html",
        "http://bücher.example/",
        "http://192.0.2.1/a",
        "http://[2001:db8::1]/a",
        "http://under_score.example/",
        "x.test",
    ],
)
def test_host_names_and_addresses_are_reportable(client: TestClient, url: str) -> None:
    assert client.post("/v1/reports", json={"url": url}).status_code == 201


def test_category_hint_must_be_in_the_policy(client: TestClient) -> None:
    response = client.post("/v1/reports", json={"url": URL, "category_hint": "spam"})
    assert response.status_code == 422
    assert "csam" in response.json()["detail"]
    assert client.post("/v1/reports", json={"url": URL, "category_hint": "csam"}).status_code == 201


def test_oversized_body_is_413(client: TestClient) -> None:
    response = client.post("/v1/reports", content=b"{" + b" " * 70_000 + b"}")
    assert response.status_code == 413


def test_rate_limit_per_client_address(
    make_app: Callable[..., FastAPI], client_for: Callable[..., TestClient]
) -> None:
    app = make_app(rate_limit_per_second=0.01, rate_limit_burst=2)
    with client_for(app) as limited:
        codes = [limited.post("/v1/reports", json={"url": URL}).status_code for _ in range(3)]
        refused = limited.post("/v1/reports", json={"url": URL})
    assert codes == [201, 201, 429]
    assert int(refused.headers["retry-after"]) >= 1


def test_no_client_address_is_stored_anywhere(
    file_report: FileReport, engine: Engine, client: TestClient, auth: Auth
) -> None:
    report = file_report(URL, comment="a comment", contact="reporter@example.org")
    client.get(f"/v1/reports/{report.id}", headers=auth("supervisor"))
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        dump = repr([connection.execute(t.select()).all() for t in metadata.sorted_tables])
    assert "testclient" not in dump
    assert "reporter@example.org" not in dump


def test_same_canonical_url_links_to_the_open_report(
    file_report: FileReport, client: TestClient, auth: Auth
) -> None:
    first = file_report("http://WWW.Example.com/a/./b/page.html")
    second = file_report(URL)
    other = file_report("http://www.example.com/other.html")
    queue = client.get("/v1/reports", headers=auth("analyst")).json()["items"]
    assert [(item["id"], item["duplicates"]) for item in queue] == [(first.id, 1), (other.id, 0)]
    everything = client.get(
        "/v1/reports", params={"include_duplicates": True}, headers=auth("analyst")
    ).json()["items"]
    assert {item["id"]: item["duplicate_of"] for item in everything}[second.id] == first.id


def test_url_already_listed_links_to_the_entry(
    listed_entry: Callable[..., str], file_report: FileReport, client: TestClient, auth: Auth
) -> None:
    public_id = listed_entry("http://www.example.com/a/", scope="folder")
    later = file_report("http://www.example.com/a/deeper/page.html?x=1")
    assert client.get(f"/v1/reports/{later.receipt}/status").json() == {"status": "assessed"}
    opened = client.get(f"/v1/reports/{later.id}", headers=auth("analyst")).json()
    assert opened["entry_public_id"] == public_id
    assert opened["duplicate_of"] is None


def test_unknown_receipt_is_404(client: TestClient) -> None:
    response = client.get("/v1/reports/no-such-receipt/status")
    assert response.status_code == 404
    assert client.get("/v1/reports/bad%20receipt/status").status_code == 422


def test_queue_shows_no_url_and_pages_with_a_cursor(
    file_report: FileReport, client: TestClient, auth: Auth
) -> None:
    filed = [file_report(f"http://www.example.com/{n}.html") for n in range(5)]
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        response = client.get("/v1/reports", params=params, headers=auth("observer"))
        assert response.status_code == 200
        assert "example.com" not in response.text
        page = response.json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [report.id for report in filed]


def test_queue_filters(
    file_report: FileReport,
    client: TestClient,
    auth: Auth,
    assess: Callable[..., Any],
) -> None:
    hinted = file_report("http://www.example.com/1.html", category_hint="terror")
    plain = file_report("http://www.example.com/2.html")
    assert assess(plain.id, actionable=False, category=None, scope=None).status_code == 201

    def ids(**params: Any) -> list[int]:
        response = client.get("/v1/reports", params=params, headers=auth("analyst"))
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids(status="received") == [hinted.id]
    assert ids(status="closed") == [plain.id]
    assert ids(category_hint="terror") == [hinted.id]
    hour = timedelta(hours=1)
    now = datetime.now(UTC)
    assert ids(received_after=(now - hour).isoformat()) == [hinted.id, plain.id]
    assert ids(received_before=(now - hour).isoformat()) == []
    assert ids(received_after=(now + hour).replace(tzinfo=None).isoformat()) == []
    assert client.get("/v1/reports?status=lost", headers=auth("analyst")).status_code == 422


def test_opening_a_report_shows_the_url_and_is_logged(
    file_report: FileReport, client: TestClient, auth: Auth, sessions: sessionmaker[Session]
) -> None:
    report = file_report(URL, contact="reporter@example.org")
    response = client.get(f"/v1/reports/{report.id}", headers=auth("analyst"))
    assert response.status_code == 200
    body = response.json()
    assert body["url"] == URL
    assert body["canonical_url"] == URL
    assert body["has_contact"] is True
    assert body["contact"] is None
    with sessions() as session:
        rows = session.scalars(select(AccessLog)).all()
    assert [(r.action, r.subject_type, r.subject_id, r.role) for r in rows] == [
        ("report.open", "report", str(report.id), "analyst")
    ]


def test_supervisors_see_the_contact_and_that_read_is_logged(
    file_report: FileReport, client: TestClient, auth: Auth, sessions: sessionmaker[Session]
) -> None:
    report = file_report(URL, contact="reporter@example.org")
    body = client.get(f"/v1/reports/{report.id}", headers=auth("supervisor")).json()
    assert body["contact"] == "reporter@example.org"
    with sessions() as session:
        actions = session.scalars(select(AccessLog.action).order_by(AccessLog.id)).all()
        stored = session.scalar(select(Report.contact).where(Report.id == report.id))
    assert actions == ["report.open", "report.contact"]
    assert stored is not None
    assert b"reporter@example.org" not in stored


@pytest.mark.parametrize("role", ["member", "partner", "observer", "admin"])
def test_only_staff_open_reports(
    file_report: FileReport, client: TestClient, auth: Auth, role: str
) -> None:
    report = file_report(URL)
    assert client.get(f"/v1/reports/{report.id}", headers=auth(role)).status_code == 403


def test_anonymous_cannot_read_the_queue(client: TestClient) -> None:
    assert client.get("/v1/reports").status_code == 401
    assert client.get("/v1/reports/1").status_code == 401


def test_unknown_report_is_404(client: TestClient, auth: Auth) -> None:
    assert client.get("/v1/reports/999999", headers=auth("analyst")).status_code == 404


def test_contacts_go_through_the_apps_contact_cipher(
    app: FastAPI,
    file_report: FileReport,
    client: TestClient,
    auth: Auth,
    sessions: sessionmaker[Session],
) -> None:
    cipher = InMemoryContactCipher()

    async def with_cipher(request: Request) -> PublicIntake:
        return replace(await public_intake(request), contacts=Lazy.of(cipher))

    app.dependency_overrides[public_intake] = with_cipher  # files the report
    app.dependency_overrides[contact_ciphers] = lambda: Lazy.of(cipher)  # opens it
    report = file_report(URL, contact="reporter@example.org")
    body = client.get(f"/v1/reports/{report.id}", headers=auth("supervisor")).json()
    assert body["contact"] == "reporter@example.org"
    with sessions() as session:
        stored = session.scalar(select(Report.contact).where(Report.id == report.id))
    assert stored is not None
    assert cipher.decrypt(stored) == "reporter@example.org"


def test_without_a_contact_key_only_a_report_with_a_contact_is_refused(
    make_app: Callable[..., FastAPI], client_for: Callable[..., TestClient]
) -> None:
    with client_for(make_app(data_dir=None, contact_key=None), False) as client:
        assert client.post("/v1/reports", json={"url": URL}).status_code == 201
        refused = client.post("/v1/reports", json={"url": URL, "contact": "reporter@example.org"})
    assert refused.status_code == 500
    assert "HOTLIST_CONTACT_KEY" in refused.json()["detail"]
