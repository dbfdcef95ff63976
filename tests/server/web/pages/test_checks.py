"""Re-verification on the staff pages over HTTP: the entry page links its check log, the log
(logged: it shows the URL) with "check now", and the analysts' attention list (no address)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.server.access_log.models import AccessLog
from hotlist.server.accounts.models import User
from hotlist.server.db.base import utcnow
from hotlist.server.kit.checker import OfflineChecker
from hotlist.server.kit.permissions import Role
from hotlist.server.reverification import service
from server.web.conftest import csrf_of

SignIn = Callable[[TestClient, int], None]
URL = "http://www.example.com/a/b/page.html"


@pytest.fixture
def checker(web_app: FastAPI) -> OfflineChecker:
    """The pages' app checks offline."""
    offline = OfflineChecker()
    services = web_app.state.services
    web_app.state.services = dataclasses.replace(services, checker=offline)
    return offline


def test_the_check_log_is_linked_logged_and_checks_now(
    browser_client: TestClient,
    make_user: Callable[..., User],
    sign_in: SignIn,
    listed_entry: Callable[..., str],
    checker: OfflineChecker,
    sessions: sessionmaker[Session],
) -> None:
    entry = listed_entry(URL)
    sign_in(browser_client, make_user(Role.ANALYST).id)
    page = browser_client.get(f"/staff/entries/{entry}").text
    assert f'href="/staff/entries/{entry}/checks"' in page
    assert "www.example.com" not in page
    log = browser_client.get(f"/staff/entries/{entry}/checks")
    assert log.status_code == 200
    assert URL in log.text
    assert "No check yet." in log.text
    checker.set(URL, "gone", status=404, ip="192.0.2.7")
    checked = browser_client.post(
        f"/staff/entries/{entry}/checks", data={"csrf_token": csrf_of(log.text)}
    )
    assert checked.status_code == 303
    after = browser_client.get(checked.headers["location"]).text
    assert "Checked: the newest check is first." in after
    assert "<strong>gone</strong>" in after
    assert "192.0.2.7" in after
    assert "1 time since" in after
    with sessions() as session:
        actions = session.scalars(select(AccessLog.action)).all()
    assert actions.count("entry.checks") == 2


def test_the_attention_list_shows_unconfirmed_entries_without_their_address(
    browser_client: TestClient,
    make_user: Callable[..., User],
    sign_in: SignIn,
    listed_entry: Callable[..., str],
    checker: OfflineChecker,
    sessions: sessionmaker[Session],
) -> None:
    entry = listed_entry(URL)
    checker.set(URL, "failed", status=503)
    with sessions() as session, session.begin():
        service.check_due(session, checker, now=utcnow() + timedelta(days=4))
    sign_in(browser_client, make_user(Role.ANALYST).id)
    home = browser_client.get("/staff").text
    assert 'href="/staff/checks/attention"' in home
    listed = browser_client.get("/staff/checks/attention").text
    assert f'href="/staff/entries/{entry}"' in listed
    assert "www.example.com" not in listed


def test_an_admin_reaches_neither(
    browser_client: TestClient,
    make_user: Callable[..., User],
    sign_in: SignIn,
    listed_entry: Callable[..., str],
    checker: OfflineChecker,
) -> None:
    entry = listed_entry(URL)
    sign_in(browser_client, make_user(Role.ADMIN).id)
    assert browser_client.get(f"/staff/entries/{entry}/checks").status_code == 403
    assert browser_client.get("/staff/checks/attention").status_code == 403
