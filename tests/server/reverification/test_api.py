"""The re-verification API over HTTP: an entry's check log (logged, never cached), a check made
now with the app's checker, the analysts' attention list, and who may use each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.server.access_log.models import AccessLog
from hotlist.server.kit.checker import OfflineChecker
from hotlist.server.kit.clock import ManualClock
from hotlist.server.kit.deps import get_clock
from hotlist.server.reverification import service
from hotlist.server.reverification.api import url_checker

Auth = Callable[[str], dict[str, str]]
URL = "http://www.example.com/a/b/page.html"


@pytest.fixture
def checker(app: FastAPI) -> OfflineChecker:
    """The app's checks are answered offline."""
    offline = OfflineChecker()
    app.dependency_overrides[url_checker] = lambda: offline
    return offline


@pytest.fixture
def app_clock(app: FastAPI, clock: ManualClock) -> ManualClock:
    """The app's clock is the test's."""
    app.dependency_overrides[get_clock] = lambda: clock
    return clock


def test_an_entry_s_checks_start_empty_and_name_the_url(
    client: TestClient, auth: Auth, listed_entry: Callable[..., str], checker: OfflineChecker
) -> None:
    entry = listed_entry(URL)
    answer = client.get(f"/v1/entries/{entry}/checks", headers=auth("analyst"))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"entry_id": entry, "url": URL, "schedule": None, "checks": []}
    assert answer.headers["cache-control"] == "no-store"


def test_a_check_now_is_recorded_and_shown_and_each_view_logged(
    client: TestClient,
    auth: Auth,
    listed_entry: Callable[..., str],
    checker: OfflineChecker,
    app_clock: ManualClock,
    sessions: sessionmaker[Session],
) -> None:
    entry = listed_entry(URL)
    checker.set(URL, "gone", status=404)
    made = client.post(f"/v1/entries/{entry}/checks", headers=auth("analyst"))
    assert made.status_code == 201, made.text
    assert made.json()["kind"] == "manual"
    assert (made.json()["outcome"], made.json()["status"]) == ("gone", 404)
    shown = client.get(f"/v1/entries/{entry}/checks", headers=auth("analyst")).json()
    assert [check["id"] for check in shown["checks"]] == [made.json()["id"]]
    assert shown["schedule"]["gone_count"] == 1
    assert shown["schedule"]["first_gone_at"] is not None
    with sessions() as session:
        actions = session.scalars(select(AccessLog.action).order_by(AccessLog.id)).all()
    assert actions[-2:] == ["entry.check", "entry.checks"]
    # A second gone check 12 hours on removes the entry.
    app_clock.advance(timedelta(hours=12))
    client.post(f"/v1/entries/{entry}/checks", headers=auth("analyst"))
    state = client.get(f"/v1/entries/{entry}", headers=auth("analyst")).json()["state"]
    assert state == "removed"


def test_the_attention_list_names_entries_without_their_address(
    client: TestClient,
    auth: Auth,
    listed_entry: Callable[..., str],
    checker: OfflineChecker,
    clock: ManualClock,
    sessions: sessionmaker[Session],
) -> None:
    entry = listed_entry(URL)
    listed_entry("http://www.example.com/other.html")
    checker.set(URL, "failed", status=503)
    checker.set("http://www.example.com/other.html", "present", status=200)
    clock.advance(timedelta(days=3))
    with sessions() as session, session.begin():
        service.check_due(session, checker, now=clock.now())
    answer = client.get("/v1/checks/attention", headers=auth("analyst"))
    assert answer.status_code == 200, answer.text
    assert [item["entry_id"] for item in answer.json()] == [entry]
    assert "example.com" not in answer.text


@pytest.mark.parametrize(
    ("method", "path", "role", "status"),
    [
        ("get", "/v1/entries/{e}/checks", "member", 403),
        ("get", "/v1/entries/{e}/checks", "observer", 403),
        ("post", "/v1/entries/{e}/checks", "member", 403),
        ("post", "/v1/entries/{e}/checks", "admin", 403),
        ("get", "/v1/checks/attention", "member", 403),
        ("get", "/v1/checks/attention", "supervisor", 200),
    ],
)
def test_who_may_use_each(
    client: TestClient,
    auth: Auth,
    listed_entry: Callable[..., str],
    checker: OfflineChecker,
    method: str,
    path: str,
    role: str,
    status: int,
) -> None:
    entry = listed_entry(URL)
    answer = getattr(client, method)(path.format(e=entry), headers=auth(role))
    assert answer.status_code == status, answer.text


def test_an_unknown_entry_is_a_404(client: TestClient, auth: Auth, checker: OfflineChecker) -> None:
    answer = client.get("/v1/entries/00000000000000ff/checks", headers=auth("analyst"))
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
