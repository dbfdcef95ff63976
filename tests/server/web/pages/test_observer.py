"""The observers' pages over HTTP: the log, audit samples and reviews; never a write action."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.server.access_log.models import AccessLog
from hotlist.server.accounts.models import User
from hotlist.server.kit.permissions import Role
from hotlist.server.kit.principal import Principal
from hotlist.server.observers import service as observers
from hotlist.server.observers.models import AuditReview
from server.reports.factories import FiledReport
from server.web.conftest import csrf_of, field_errors

SignIn = Callable[[TestClient, int], None]


@pytest.fixture
def observer(browser_client: TestClient, make_user: Callable[..., User]) -> User:
    """An observer (not yet signed in)."""
    return make_user(Role.OBSERVER)


def test_the_log_lists_events_without_addresses(
    browser_client: TestClient, observer: User, sign_in: SignIn, listed_entry: Callable[..., str]
) -> None:
    ref = listed_entry("http://www.example.com/logged.html")
    sign_in(browser_client, observer.id)
    page = browser_client.get("/staff/log").text
    assert "entry_added" in page
    assert ref in page
    assert "logged.html" not in page


def test_a_supervisor_draws_a_sample_an_observer_reviews_it(
    browser_client: TestClient,
    observer: User,
    make_user: Callable[..., User],
    sign_in: SignIn,
    listed_entry: Callable[..., str],
    sessions: sessionmaker[Session],
) -> None:
    listed_entry()
    sign_in(browser_client, make_user(Role.SUPERVISOR).id)
    audit = browser_client.get("/staff/audit").text
    today = date.today()
    drawn = browser_client.post(
        "/staff/audit",
        data={
            "csrf_token": csrf_of(audit),
            "from": (today - timedelta(days=1)).isoformat(),
            "to": (today + timedelta(days=1)).isoformat(),
            "size": "5",
        },
    )
    assert drawn.status_code == 303
    sample_path = drawn.headers["location"]
    sign_in(browser_client, observer.id)
    sample = browser_client.get(sample_path).text
    assert "Assessment #" in sample
    item_id = sample.split('name="item_id" value="')[1].split('"')[0]
    reviewed = browser_client.post(
        f"{sample_path}/review",
        data={
            "csrf_token": csrf_of(sample),
            "item_id": item_id,
            "verdict": "agree",
            "comment": "Well reasoned.",
        },
    )
    assert reviewed.status_code == 303
    again = browser_client.get(reviewed.headers["location"]).text
    assert "Well reasoned." in again
    assert 'name="item_id"' not in again  # reviews are final
    with sessions() as session:
        assert session.scalars(select(AuditReview)).one().user_id == observer.id


def _sample_for(browser_client: TestClient, make_user: Callable[..., User], sign_in: SignIn) -> str:
    sign_in(browser_client, make_user(Role.SUPERVISOR).id)
    audit = browser_client.get("/staff/audit").text
    today = date.today()
    drawn = browser_client.post(
        "/staff/audit",
        data={
            "csrf_token": csrf_of(audit),
            "from": (today - timedelta(days=1)).isoformat(),
            "to": (today + timedelta(days=1)).isoformat(),
            "size": "5",
        },
    )
    assert drawn.status_code == 303
    location: str = drawn.headers["location"]
    return location


def test_a_review_the_api_refuses_is_said_beside_its_field(
    browser_client: TestClient,
    observer: User,
    make_user: Callable[..., User],
    sign_in: SignIn,
    listed_entry: Callable[..., str],
    sessions: sessionmaker[Session],
) -> None:
    listed_entry()
    sample_path = _sample_for(browser_client, make_user, sign_in)
    sign_in(browser_client, observer.id)
    sample = browser_client.get(sample_path).text
    item_id = sample.split('name="item_id" value="')[1].split('"')[0]
    token = csrf_of(sample)
    comment = browser_client.post(
        f"{sample_path}/review",
        data={
            "csrf_token": token,
            "item_id": item_id,
            "verdict": "disagree",
            "comment": "Too broad\x00 a scope.",
        },
    )
    assert comment.status_code == 422
    assert "cannot be stored" in field_errors(comment.text)[f"comment-{item_id}"]
    assert f'href="#comment-{item_id}"' in comment.text
    assert "Too broad" in comment.text  # what was typed is kept
    assert re.search(r'value="disagree"[^>]* checked', comment.text)
    no_verdict = browser_client.post(
        f"{sample_path}/review", data={"csrf_token": token, "item_id": item_id}
    )
    assert no_verdict.status_code == 422
    assert "Choose agree or disagree" in field_errors(no_verdict.text)[f"verdict-{item_id}"]
    with sessions() as session:
        assert session.scalars(select(AuditReview)).all() == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/staff/reports/1/assess"),
        ("post", "/staff/reports/1/url"),
        ("post", "/staff/audit"),
        ("post", "/staff/appeals/1/decide"),
        ("get", "/staff/admin/keys"),
    ],
)
def test_an_observer_reaches_no_write_action(
    browser_client: TestClient, observer: User, sign_in: SignIn, method: str, path: str
) -> None:
    sign_in(browser_client, observer.id)
    token = csrf_of(browser_client.get("/staff/audit").text)
    response = (
        browser_client.get(path)
        if method == "get"
        else browser_client.post(path, data={"csrf_token": token})
    )
    assert response.status_code == 403
    assert "is not open to your role, <strong>observer</strong>" in response.text
    assert "<form" not in response.text.split("<main", 1)[1]


def test_an_observer_with_a_grant_may_reveal_an_address_logged(
    browser_client: TestClient,
    observer: User,
    sign_in: SignIn,
    make_user: Callable[..., User],
    file_report: Callable[..., FiledReport],
    sessions: sessionmaker[Session],
) -> None:
    report = file_report("http://www.example.com/granted.html")
    sign_in(browser_client, observer.id)
    assert "Reveal the address" not in browser_client.get(f"/staff/reports/{report.id}").text
    admin = make_user(Role.ADMIN)
    with sessions() as session:
        by = Principal(admin.id, admin.org_id, Role.ADMIN, is_person=True)
        observers.set_grant(session, observer.org_id, True, "Audit of 2026.", by)
        session.commit()
    page = browser_client.get(f"/staff/reports/{report.id}").text
    assert "Reveal the address" in page
    shown = browser_client.post(
        f"/staff/reports/{report.id}/url",
        data={"csrf_token": csrf_of(page)},
        headers={"hx-request": "true"},
    )
    assert "www.example.com/granted.html" in shown.text
    with sessions() as session:
        actions = session.scalars(
            select(AccessLog.action).where(AccessLog.user_id == observer.id)
        ).all()
    assert "report.open" in actions


def test_counts_on_the_log_and_sample_pages_read_plainly(
    browser_client: TestClient,
    observer: User,
    make_user: Callable[..., User],
    sign_in: SignIn,
    listed_entry: Callable[..., str],
) -> None:
    sign_in(browser_client, observer.id)
    assert "<p>1 event. Every entry" in browser_client.get("/staff/log").text  # the policy
    listed_entry()
    assert "<p>2 events. Every entry" in browser_client.get("/staff/log").text
    sample_path = _sample_for(browser_client, make_user, sign_in)
    assert "<p>1 decision of 1 made " in browser_client.get(sample_path).text
