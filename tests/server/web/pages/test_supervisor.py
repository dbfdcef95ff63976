"""The supervisors' pages over HTTP: queues with overdue flags, decisions with reasons, and the
rule that the entry's own analyst never decides against it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.server.accounts.models import User
from hotlist.server.appeals import service as appeals
from hotlist.server.appeals.models import Appeal, Relation
from hotlist.server.db.base import utcnow
from hotlist.server.entries.models import Entry, EntryState
from hotlist.server.entries.service import entry_by_ref
from hotlist.server.kit.permissions import Role
from hotlist.server.objections.models import Objection
from hotlist.server.web.security import PLAIN_COOKIE, WebSession
from server.reports.factories import FiledReport
from server.web.conftest import HTML, csrf_of, field_errors

SignIn = Callable[[TestClient, int], None]


def _appeal(sessions: sessionmaker[Session], ref: str, days_old: int = 0) -> int:
    with sessions() as session:
        appeal = appeals.submit(
            session,
            entry_by_ref(session, ref),
            Relation.SITE_OWNER,
            "My own holiday photos.",
            now=utcnow() - timedelta(days=days_old),
        )
        session.commit()
        return appeal.id


@pytest.fixture
def supervisor(browser_client: TestClient, make_user: Callable[..., User], sign_in: SignIn) -> User:
    """A signed-in supervisor on ``browser_client``."""
    user = make_user(Role.SUPERVISOR)
    sign_in(browser_client, user.id)
    return user


def test_the_appeal_queue_flags_overdue_appeals(
    browser_client: TestClient,
    supervisor: User,
    listed_entry: Callable[..., str],
    sessions: sessionmaker[Session],
) -> None:
    fresh = _appeal(sessions, listed_entry("http://www.example.com/a.html"))
    late = _appeal(sessions, listed_entry("http://www.example.com/b.html"), days_old=30)
    page = browser_client.get("/staff/appeals").text
    assert f'href="/staff/appeals/{fresh}">#{fresh}</a></td>' in page
    assert f'href="/staff/appeals/{late}">#{late}</a> <span class="flag">overdue' in page
    only = browser_client.get("/staff/appeals?overdue=1").text
    assert f'href="/staff/appeals/{fresh}"' not in only
    assert f'href="/staff/appeals/{late}"' in only


def test_a_decision_with_its_reason_reaches_the_public_status_page(
    browser_client: TestClient,
    supervisor: User,
    listed_entry: Callable[..., str],
    sessions: sessionmaker[Session],
) -> None:
    ref = listed_entry()
    appeal_id = _appeal(sessions, ref)
    page = browser_client.get(f"/staff/appeals/{appeal_id}").text
    response = browser_client.post(
        f"/staff/appeals/{appeal_id}/decide",
        data={"csrf_token": csrf_of(page), "outcome": "upheld", "reason": "Not what it seemed."},
    )
    assert response.status_code == 303
    with sessions() as session:
        appeal = session.get_one(Appeal, appeal_id)
        assert appeal.outcome == "upheld"
        assert entry_by_ref(session, ref).state == EntryState.REMOVED
        receipt = appeal.receipt
    public = browser_client.get(f"/appeal/status?receipt={receipt}").text
    assert "Not what it seemed." in public


def test_the_entrys_own_analyst_is_refused_clearly(
    browser_client: TestClient,
    supervisor: User,
    file_report: Callable[..., FiledReport],
    sessions: sessionmaker[Session],
) -> None:
    report = file_report("http://www.example.com/mine.html")
    form = browser_client.get(f"/staff/reports/{report.id}/assess").text
    made = browser_client.post(
        f"/staff/reports/{report.id}/assess",
        data={
            "csrf_token": csrf_of(form),
            "actionable": "yes",
            "category": "csam",
            "scope": "page",
            "reason": "Images of the sexual abuse of a child.",
        },
    )
    ref = made.headers["location"].split("/")[-1].split("?")[0]
    appeal_id = _appeal(sessions, ref)
    page = browser_client.get(f"/staff/appeals/{appeal_id}").text
    assert "another supervisor must decide" in page
    refused = browser_client.post(
        f"/staff/appeals/{appeal_id}/decide",
        data={"csrf_token": csrf_of(page), "outcome": "rejected", "reason": "It is right."},
    )
    assert refused.status_code == 403
    assert "you made entry" in refused.text
    with sessions() as session:
        assert session.get_one(Appeal, appeal_id).state == "open"


def test_a_decision_needs_a_reason(
    browser_client: TestClient,
    supervisor: User,
    listed_entry: Callable[..., str],
    sessions: sessionmaker[Session],
) -> None:
    appeal_id = _appeal(sessions, listed_entry())
    page = browser_client.get(f"/staff/appeals/{appeal_id}").text
    response = browser_client.post(
        f"/staff/appeals/{appeal_id}/decide",
        data={"csrf_token": csrf_of(page), "outcome": "upheld", "reason": ""},
    )
    assert response.status_code == 422
    assert "Give a reason" in field_errors(response.text)["reason"]


def test_changing_an_entrys_state_goes_on_its_timeline(
    browser_client: TestClient,
    supervisor: User,
    listed_entry: Callable[..., str],
    sessions: sessionmaker[Session],
) -> None:
    ref = listed_entry()
    page = browser_client.get(f"/staff/entries/{ref}").text
    response = browser_client.post(
        f"/staff/entries/{ref}/state",
        data={"csrf_token": csrf_of(page), "to_state": "suspended", "reason": "Second look."},
    )
    assert response.status_code == 303
    timeline = browser_client.get(response.headers["location"]).text
    assert "active → suspended" in timeline
    assert "Second look." in timeline
    with sessions() as session:
        assert entry_by_ref(session, ref).state == EntryState.SUSPENDED
    review = browser_client.get("/staff/review").text
    assert ref in review


def test_objections_are_listed_and_decided(
    browser_client: TestClient,
    supervisor: User,
    listed_entry: Callable[..., str],
    client: TestClient,
    auth: Callable[[str], dict[str, str]],
    sessions: sessionmaker[Session],
) -> None:
    ref = listed_entry()
    filed = client.post(
        "/v1/objections",
        json={"entry_id": ref, "reason": "The page is a news report."},
        headers=auth("member"),
    )
    assert filed.status_code == 201, filed.text
    objection_id = filed.json()["id"]
    assert (
        f'href="/staff/objections/{objection_id}"' in browser_client.get("/staff/objections").text
    )
    page = browser_client.get(f"/staff/objections/{objection_id}").text
    assert "The page is a news report." in page
    response = browser_client.post(
        f"/staff/objections/{objection_id}/decide",
        data={"csrf_token": csrf_of(page), "outcome": "rejected", "reason": "It is not news."},
    )
    assert response.status_code == 303
    with sessions() as session:
        entry = session.get_one(Entry, entry_by_ref(session, ref).id)
        assert entry.state == EntryState.ACTIVE
    assert "It is not news." in browser_client.get(response.headers["location"]).text


UNSTORABLE = "Checked again\x00 today."
"""A reason the API refuses (422): a NUL character, which PostgreSQL cannot store."""


def _refused_beside_the_reason(response: Any) -> None:
    assert response.status_code == 422
    assert "cannot be stored" in field_errors(response.text)["reason"]
    assert 'aria-describedby="reason-error" aria-invalid="true"' in response.text
    assert "Checked again" in response.text  # what was typed is kept


@pytest.mark.parametrize("outcome", ["upheld", "interim"])
def test_an_appeal_decision_the_api_refuses_is_said_beside_the_field(
    browser_client: TestClient,
    supervisor: User,
    listed_entry: Callable[..., str],
    sessions: sessionmaker[Session],
    outcome: str,
) -> None:
    ref = listed_entry()
    appeal_id = _appeal(sessions, ref)
    page = browser_client.get(f"/staff/appeals/{appeal_id}").text
    response = browser_client.post(
        f"/staff/appeals/{appeal_id}/decide",
        data={"csrf_token": csrf_of(page), "outcome": outcome, "reason": UNSTORABLE},
    )
    _refused_beside_the_reason(response)
    assert re.search(f'value="{outcome}"[^>]* checked', response.text)  # the choice is kept
    with sessions() as session:
        appeal = session.get_one(Appeal, appeal_id)
        assert (appeal.state, appeal.interim_at) == ("open", None)
        assert entry_by_ref(session, ref).state == EntryState.ACTIVE


def test_a_state_change_the_api_refuses_is_said_beside_the_field(
    browser_client: TestClient,
    supervisor: User,
    listed_entry: Callable[..., str],
    sessions: sessionmaker[Session],
) -> None:
    ref = listed_entry()
    page = browser_client.get(f"/staff/entries/{ref}").text
    response = browser_client.post(
        f"/staff/entries/{ref}/state",
        data={"csrf_token": csrf_of(page), "to_state": "suspended", "reason": UNSTORABLE},
    )
    _refused_beside_the_reason(response)
    unknown = browser_client.post(
        f"/staff/entries/{ref}/state",
        data={"csrf_token": csrf_of(page), "to_state": "vanished", "reason": "Gone."},
    )
    assert unknown.status_code == 422
    assert "Choose a state" in field_errors(unknown.text)["to_state"]
    with sessions() as session:
        assert entry_by_ref(session, ref).state == EntryState.ACTIVE


def test_an_objection_decision_the_api_refuses_is_said_beside_the_field(
    browser_client: TestClient,
    supervisor: User,
    listed_entry: Callable[..., str],
    client: TestClient,
    auth: Callable[[str], dict[str, str]],
    sessions: sessionmaker[Session],
) -> None:
    ref = listed_entry()
    filed = client.post(
        "/v1/objections",
        json={"entry_id": ref, "reason": "The page is a news report."},
        headers=auth("member"),
    )
    objection_id = filed.json()["id"]
    page = browser_client.get(f"/staff/objections/{objection_id}").text
    response = browser_client.post(
        f"/staff/objections/{objection_id}/decide",
        data={"csrf_token": csrf_of(page), "outcome": "rejected", "reason": UNSTORABLE},
    )
    _refused_beside_the_reason(response)
    bad_scope = browser_client.post(
        f"/staff/objections/{objection_id}/decide",
        data={
            "csrf_token": csrf_of(page),
            "outcome": "scope_changed",
            "new_scope": "planet",
            "reason": "Narrower.",
        },
    )
    assert bad_scope.status_code == 422
    assert "Choose page, folder or host" in field_errors(bad_scope.text)["new_scope"]
    with sessions() as session:
        assert session.get_one(Objection, objection_id).state == "open"


def test_the_appeal_says_who_filed_it_plainly(
    browser_client: TestClient,
    supervisor: User,
    listed_entry: Callable[..., str],
    sessions: sessionmaker[Session],
) -> None:
    appeal_id = _appeal(sessions, listed_entry())
    page = browser_client.get(f"/staff/appeals/{appeal_id}").text
    assert "by the site&#39;s owner (or the content&#39;s)</dd>" in page


@pytest.mark.parametrize(("days", "said"), [(1, "more than 1 day is"), (7, "more than 7 days is")])
def test_the_queues_say_when_a_case_is_overdue(
    make_app: Callable[..., Any],
    make_user: Callable[..., User],
    listed_entry: Callable[..., str],
    client: TestClient,
    auth: Callable[[str], dict[str, str]],
    sessions: sessionmaker[Session],
    days: int,
    said: str,
) -> None:
    ref = listed_entry()
    _appeal(sessions, ref)
    objection = {"entry_id": ref, "reason": "The page is a news report."}
    assert client.post("/v1/objections", json=objection, headers=auth("member")).is_success
    app = make_app(appeal_decide_days=days, unsafe_http_sessions=True)
    user = make_user(Role.SUPERVISOR)
    codec = app.state.web.security.codec
    cookie = codec.encode(WebSession.new(codec.clock()).signed_in(user.id, codec.clock()))
    with TestClient(app, base_url="http://127.0.0.1", headers=HTML) as client:
        client.cookies.set(PLAIN_COOKIE, cookie)
        for queue in ("/staff/appeals", "/staff/objections"):
            assert said in client.get(queue).text, queue
