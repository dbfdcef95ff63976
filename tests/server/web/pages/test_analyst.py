"""The analysts' pages over HTTP: queue, report (address only after a logged click), the
assessment form, entries and timelines."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.server.access_log.models import AccessLog
from hotlist.server.accounts.models import User
from hotlist.server.entries.models import EntryState
from hotlist.server.entries.service import entry_by_ref
from hotlist.server.kit.permissions import Role
from hotlist.server.reports import intake
from hotlist.server.reports.models import Report, ReportStatus
from hotlist.server.web.pages.staff import PAGE_SIZE
from server.reports.factories import FiledReport
from server.web.conftest import csrf_of, field_errors

URL = "http://www.example.com/queue/page.html"
SignIn = Callable[[TestClient, int], None]


@pytest.fixture
def analyst(browser_client: TestClient, make_user: Callable[..., User], sign_in: SignIn) -> User:
    """A signed-in analyst on ``browser_client``."""
    user = make_user(Role.ANALYST)
    sign_in(browser_client, user.id)
    return user


def _accesses(sessions: sessionmaker[Session], user_id: int) -> list[AccessLog]:
    with sessions() as session:
        query = select(AccessLog).where(AccessLog.user_id == user_id)
        return list(session.scalars(query))


def test_the_queue_lists_reports_without_their_address(
    browser_client: TestClient, analyst: User, file_report: Callable[..., FiledReport]
) -> None:
    report = file_report(URL, category_hint="csam")
    page = browser_client.get("/staff/queue").text
    assert f'href="/staff/reports/{report.id}"' in page
    assert "example.com" not in page
    filtered = browser_client.get("/staff/queue?status=closed").text
    assert f'href="/staff/reports/{report.id}"' not in filtered


def test_the_address_shows_only_after_a_logged_click(
    browser_client: TestClient,
    analyst: User,
    file_report: Callable[..., FiledReport],
    sessions: sessionmaker[Session],
) -> None:
    report = file_report(URL)
    page = browser_client.get(f"/staff/reports/{report.id}").text
    assert URL not in page
    assert not _accesses(sessions, analyst.id)
    fragment = browser_client.post(
        f"/staff/reports/{report.id}/url",
        data={"csrf_token": csrf_of(page)},
        headers={"hx-request": "true"},
    )
    assert fragment.status_code == 200
    assert URL in fragment.text
    assert "<html" not in fragment.text
    logged = _accesses(sessions, analyst.id)
    assert [(a.action, a.subject_id) for a in logged] == [("report.open", str(report.id))]
    whole = browser_client.post(
        f"/staff/reports/{report.id}/url", data={"csrf_token": csrf_of(page)}
    )
    assert URL in whole.text
    assert "<html" in whole.text
    assert len(_accesses(sessions, analyst.id)) == 2


def test_revealing_needs_the_form_token(
    browser_client: TestClient, analyst: User, file_report: Callable[..., FiledReport]
) -> None:
    report = file_report(URL)
    browser_client.get(f"/staff/reports/{report.id}")
    refused = browser_client.post(f"/staff/reports/{report.id}/url", data={})
    assert refused.status_code == 400
    assert URL not in refused.text


def test_assessing_through_the_form_makes_an_entry(
    browser_client: TestClient,
    analyst: User,
    file_report: Callable[..., FiledReport],
    sessions: sessionmaker[Session],
) -> None:
    report = file_report(URL)
    form = browser_client.get(f"/staff/reports/{report.id}/assess").text
    assert "The policy&#39;s categories" in form or "The policy's categories" in form
    assert "csam" in form
    response = browser_client.post(
        f"/staff/reports/{report.id}/assess",
        data={
            "csrf_token": csrf_of(form),
            "actionable": "yes",
            "category": "csam",
            "scope": "page",
            "reason": "Images of the sexual abuse of a child.",
        },
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/staff/entries/")
    entry_page = browser_client.get(location).text
    assert "Images of the sexual abuse of a child." in entry_page
    assert "created" in entry_page  # the timeline's first event
    with sessions() as session:
        assert session.get_one(Report, report.id).status == ReportStatus.ASSESSED
    listing = browser_client.get("/staff/entries?state=active").text
    assert location.removeprefix("/staff/entries/").split("?")[0] in listing


def test_a_bad_assessment_comes_back_with_its_errors(
    browser_client: TestClient, analyst: User, file_report: Callable[..., FiledReport]
) -> None:
    report = file_report(URL)
    form = browser_client.get(f"/staff/reports/{report.id}/assess").text
    missing = browser_client.post(
        f"/staff/reports/{report.id}/assess",
        data={"csrf_token": csrf_of(form), "actionable": "yes", "category": "csam"},
    )
    assert missing.status_code == 422
    assert "reason" in field_errors(missing.text)
    refused = browser_client.post(
        f"/staff/reports/{report.id}/assess",
        data={
            "csrf_token": csrf_of(form),
            "actionable": "yes",
            "category": "csam",
            "scope": "host",
            "reason": "The whole site.",
        },
    )
    assert refused.status_code == 409
    assert 'role="alert"' in refused.text


def test_not_actionable_closes_the_report(
    browser_client: TestClient, analyst: User, file_report: Callable[..., FiledReport]
) -> None:
    report = file_report(URL)
    form = browser_client.get(f"/staff/reports/{report.id}/assess").text
    response = browser_client.post(
        f"/staff/reports/{report.id}/assess",
        data={"csrf_token": csrf_of(form), "actionable": "no", "reason": "Legal adult content."},
    )
    assert response.headers["location"] == f"/staff/reports/{report.id}?closed=1"
    assert "not actionable" in browser_client.get(response.headers["location"]).text


def test_an_observer_sees_the_queue_but_no_address_or_assessment(
    browser_client: TestClient,
    make_user: Callable[..., User],
    sign_in: SignIn,
    file_report: Callable[..., FiledReport],
) -> None:
    report = file_report(URL)
    sign_in(browser_client, make_user(Role.OBSERVER).id)
    page = browser_client.get(f"/staff/reports/{report.id}").text
    assert "Reveal the address" not in page
    assert "Assess this report" not in page
    refused = browser_client.get(f"/staff/reports/{report.id}/assess")
    assert refused.status_code == 403
    assert "<form" not in refused.text.split("<main", 1)[1]


def test_an_entrys_expression_shows_only_after_a_logged_click(
    browser_client: TestClient,
    analyst: User,
    listed_entry: Callable[..., str],
    sessions: sessionmaker[Session],
) -> None:
    ref = listed_entry("http://www.example.com/listed/page.html")
    page = browser_client.get(f"/staff/entries/{ref}").text
    assert "www.example.com/listed/page.html" not in page
    fragment = browser_client.post(
        f"/staff/entries/{ref}/expression",
        data={"csrf_token": csrf_of(page)},
        headers={"hx-request": "true"},
    )
    assert "www.example.com/listed/page.html" in fragment.text
    logged = _accesses(sessions, analyst.id)
    assert [(a.action, a.subject_id) for a in logged] == [("entry.expression", ref)]


def test_the_queue_pages_by_id(
    browser_client: TestClient, analyst: User, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        ids = [
            intake.submit(session, f"http://www.example.com/paged/{n}.html").id
            for n in range(PAGE_SIZE + 1)
        ]
        session.commit()
    first = browser_client.get("/staff/queue").text
    assert f'href="/staff/reports/{ids[-2]}"' in first
    assert f'href="/staff/reports/{ids[-1]}"' not in first
    link = re.search(r'<a href="(/staff/queue\?[^"]*after=\d+[^"]*)">Next page</a>', first)
    assert link is not None
    second = browser_client.get(html.unescape(link.group(1))).text
    assert f'href="/staff/reports/{ids[-1]}"' in second
    assert "Next page" not in second


def test_the_queue_filters_by_the_day_received(
    browser_client: TestClient, analyst: User, file_report: Callable[..., FiledReport]
) -> None:
    report = file_report(URL)
    today = datetime.now(UTC).date()
    link = f'href="/staff/reports/{report.id}"'
    assert link in browser_client.get(f"/staff/queue?from={today}&to={today}").text
    tomorrow = today + timedelta(days=1)
    assert link not in browser_client.get(f"/staff/queue?from={tomorrow}").text
    assert link not in browser_client.get(f"/staff/queue?to={today - timedelta(days=1)}").text
    odd = browser_client.get("/staff/queue?from=yesterday")
    assert odd.status_code == 200
    assert "Dates are written YYYY-MM-DD" in odd.text
    assert link in odd.text


def test_an_analyst_suspends_an_entry_while_in_doubt(
    browser_client: TestClient,
    analyst: User,
    listed_entry: Callable[..., str],
    sessions: sessionmaker[Session],
) -> None:
    ref = listed_entry()
    page = browser_client.get(f"/staff/entries/{ref}").text
    assert "Change the state" not in page  # that is for supervisors
    empty = browser_client.post(
        f"/staff/entries/{ref}/suspension", data={"csrf_token": csrf_of(page), "reason": ""}
    )
    assert empty.status_code == 422
    response = browser_client.post(
        f"/staff/entries/{ref}/suspension",
        data={"csrf_token": csrf_of(page), "reason": "The host says it is gone."},
    )
    assert response.status_code == 303
    after = browser_client.get(response.headers["location"]).text
    assert "active → suspended" in after
    assert "Suspend the entry" not in after
    again = browser_client.post(
        f"/staff/entries/{ref}/suspension", data={"csrf_token": csrf_of(page), "reason": "Again."}
    )
    assert again.status_code == 409
    assert "cannot become suspended" in again.text


UNSTORABLE = "Seen on the page\x00 today."
"""A reason the API refuses (422): a NUL character, which PostgreSQL cannot store."""


def test_an_assessment_reason_the_api_refuses_is_said_beside_the_field(
    browser_client: TestClient,
    analyst: User,
    file_report: Callable[..., FiledReport],
    sessions: sessionmaker[Session],
) -> None:
    report = file_report(URL)
    form = browser_client.get(f"/staff/reports/{report.id}/assess").text
    response = browser_client.post(
        f"/staff/reports/{report.id}/assess",
        data={"csrf_token": csrf_of(form), "actionable": "no", "reason": UNSTORABLE},
    )
    assert response.status_code == 422
    assert "cannot be stored" in field_errors(response.text)["reason"]
    assert 'aria-describedby="reason-error reason-hint" aria-invalid="true"' in response.text
    with sessions() as session:
        assert session.get_one(Report, report.id).status == ReportStatus.RECEIVED


@pytest.mark.parametrize(
    ("reason", "said"), [(UNSTORABLE, "cannot be stored"), ("x" * 4_001, "at most 4000")]
)
def test_a_suspension_reason_the_api_refuses_is_said_beside_the_field(
    browser_client: TestClient,
    analyst: User,
    listed_entry: Callable[..., str],
    sessions: sessionmaker[Session],
    reason: str,
    said: str,
) -> None:
    ref = listed_entry()
    page = browser_client.get(f"/staff/entries/{ref}").text
    response = browser_client.post(
        f"/staff/entries/{ref}/suspension", data={"csrf_token": csrf_of(page), "reason": reason}
    )
    assert response.status_code == 422
    assert said in field_errors(response.text)["reason"]
    assert 'href="#reason"' in response.text  # the summary leads to the field
    assert reason.replace("\x00", "")[:20] in response.text.replace("\x00", "")  # kept
    with sessions() as session:
        assert entry_by_ref(session, ref).state == EntryState.ACTIVE


def test_an_entry_page_takes_its_id_typed_in_upper_case(
    browser_client: TestClient,
    analyst: User,
    listed_entry: Callable[..., str],
    sessions: sessionmaker[Session],
) -> None:
    ref = listed_entry()
    page = browser_client.get(f"/staff/entries/{ref.upper()}")
    assert page.status_code == 200
    assert f"Entry {ref}" in page.text
    response = browser_client.post(
        f"/staff/entries/{ref.upper()}/suspension",
        data={"csrf_token": csrf_of(page.text), "reason": "The host says it is gone."},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/entries/{ref}?moved=1"
    with sessions() as session:
        assert entry_by_ref(session, ref).state == EntryState.SUSPENDED
    assert browser_client.get(f"/staff/entries/{ref.upper()}X").status_code == 422
