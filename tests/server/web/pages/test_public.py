"""The public pages over HTTP: what they say, their forms, errors beside fields, receipts."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.server.accounts.models import User
from hotlist.server.appeals import service as appeals
from hotlist.server.appeals.models import AppealOutcome
from hotlist.server.kit.permissions import Role
from hotlist.server.kit.principal import Principal
from hotlist.server.reports import service as reports
from hotlist.server.reports.models import Report, ReportStatus
from hotlist.server.reports.service import QueueFilter
from server.web.conftest import csrf_of, field_errors, post_form

ENTRY_URL = "http://www.example.com/listed/page.html"


def _receipt(location: str) -> str:
    match = re.fullmatch(r"/(?:report|appeal)/status\?receipt=([\w-]+)&new=1", location)
    assert match is not None, location
    return match.group(1)


def test_the_start_page_leads_to_the_report_form(browser_client: TestClient) -> None:
    page = browser_client.get("/")
    assert page.status_code == 200
    assert 'class="button" href="/report"' in page.text


def test_the_report_form_says_what_is_kept_and_what_happens(browser_client: TestClient) -> None:
    page = browser_client.get("/report").text
    assert "We do not store your IP address" in page
    assert "What happens next" in page
    assert 'name="url"' in page
    assert '<option value="csam">' in page  # the policy's categories


def test_a_report_through_the_form_reaches_the_queue(
    browser_client: TestClient, sessions: sessionmaker[Session]
) -> None:
    response = post_form(
        browser_client,
        "/report",
        "/report",
        url="http://www.example.com/form/page.html",
        category_hint="csam",
        comment="In the second gallery.",
    )
    assert response.status_code == 303
    receipt = _receipt(response.headers["location"])
    with sessions() as session:
        queued = [item.report for item in reports.queue(session, QueueFilter())]
    (report,) = [r for r in queued if r.receipt == receipt]
    assert report.url == "http://www.example.com/form/page.html"
    assert report.category_hint == "csam"
    assert report.comment == "In the second gallery."
    assert report.contact is None
    status = browser_client.get(response.headers["location"])
    assert "Thank you: your report was received" in status.text
    assert receipt in status.text
    assert 'data-status="received"' in status.text


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"url": ""}, {"url": "Enter the full address"}),
        ({"url": "x" * 9000}, {"url": "This is too long"}),
        (
            {"url": "http://www.example.com/", "category_hint": "nonsense"},
            {"category_hint": "Choose"},
        ),
        (
            {"url": "http://www.example.com/", "category_hint": "Bad Code"},
            {"category_hint": "Choose"},
        ),
        ({"url": "http://www.example.com/", "comment": "c" * 4001}, {"comment": "at most 4000"}),
        ({"url": "http://www.example.com/", "comment": "nul\x00"}, {"comment": "cannot be stored"}),
        ({"url": "http://[::1", "contact": "y" * 400}, {"contact": "at most 320"}),
        ({"url": "http://[bad"}, {"url": "not an address we can check"}),
        ({"url": "not a url"}, {"url": "not an address we can check"}),
    ],
)
def test_form_errors_are_shown_beside_their_fields(
    browser_client: TestClient, fields: dict[str, str], errors: dict[str, str]
) -> None:
    response = post_form(browser_client, "/report", "/report", **fields)
    assert response.status_code == 422
    shown = field_errors(response.text)
    assert set(shown) == set(errors)
    for name, words in errors.items():
        assert words in shown[name]
        assert f'aria-describedby="{name}-error' in response.text
        assert f'href="#{name}"' in response.text  # the summary links to the field
    assert 'aria-invalid="true"' in response.text
    url = fields["url"]
    if url and len(url) < 100:
        assert f'value="{url}"' in response.text  # nothing typed is lost


def test_an_address_that_is_no_web_page_gets_no_receipt(
    browser_client: TestClient, sessions: sessionmaker[Session]
) -> None:
    response = post_form(browser_client, "/report", "/report", url="not a url")
    assert response.status_code == 422
    assert "location" not in response.headers
    assert "not an address we can check" in field_errors(response.text)["url"]
    with sessions() as session:
        assert session.scalars(select(Report)).all() == []


def test_the_status_page_follows_the_report(
    browser_client: TestClient, sessions: sessionmaker[Session]
) -> None:
    response = post_form(browser_client, "/report", "/report", url="http://www.example.com/s")
    receipt = _receipt(response.headers["location"])
    with sessions() as session:
        report = session.get_one(Report, _report_id(session, receipt))
        reports.settle(session, report, ReportStatus.CLOSED, None)
        session.commit()
    page = browser_client.get(f"/report/status?receipt={receipt}")
    assert 'data-status="closed"' in page.text
    assert "Thank you" not in page.text


def _report_id(session: Session, receipt: str) -> int:
    return session.scalars(select(Report.id).where(Report.receipt == receipt)).one()


@pytest.mark.parametrize(
    ("receipt", "status", "message"),
    [
        ("", 200, None),
        ("unknownreceipt0000000", 404, "No report has this receipt"),
        ("bad receipt!", 422, "letters, digits"),
    ],
)
def test_the_status_lookup(
    browser_client: TestClient, receipt: str, status: int, message: str | None
) -> None:
    page = browser_client.get("/report/status", params={"receipt": receipt})
    assert page.status_code == status
    assert 'name="receipt"' in page.text
    if message:
        assert message in field_errors(page.text)["receipt"]


@pytest.fixture
def entry_id(listed_entry: Callable[..., str]) -> str:
    return listed_entry(ENTRY_URL)


def test_the_appeal_form_takes_the_entry_from_the_block_pages_link(
    browser_client: TestClient, entry_id: str
) -> None:
    page = browser_client.get(f"/appeal?entry={entry_id.upper()}")
    assert f'value="{entry_id}"' in page.text
    assert page.text.count('type="radio"') == 3


def test_an_appeal_through_the_form_and_its_decision(
    browser_client: TestClient,
    entry_id: str,
    sessions: sessionmaker[Session],
    make_user: Callable[..., User],
) -> None:
    response = post_form(
        browser_client,
        "/appeal",
        f"/appeal?entry={entry_id}",
        entry_id=entry_id,
        relation="site_owner",
        reason="The page is a news report about the case.",
    )
    assert response.status_code == 303, field_errors(response.text)
    receipt = _receipt(response.headers["location"])
    page = browser_client.get(response.headers["location"])
    assert "Thank you: your appeal was received" in page.text
    assert 'data-state="open"' in page.text
    supervisor = make_user(Role.SUPERVISOR)
    by = Principal(supervisor.id, supervisor.org_id, Role.SUPERVISOR, is_person=True)
    with sessions() as session:
        appeal = appeals.by_receipt(session, receipt)
        appeals.decide(session, appeal, AppealOutcome.REJECTED, "The content is as listed.", by)
        session.commit()
    page = browser_client.get(f"/appeal/status?receipt={receipt}")
    assert 'data-state="decided"' in page.text
    assert 'data-outcome="rejected"' in page.text
    assert "The content is as listed." in page.text


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({}, {"entry_id", "relation", "reason"}),
        ({"entry_id": "zz", "relation": "site_owner", "reason": "r"}, {"entry_id"}),
        ({"entry_id": "00000000000000ff", "relation": "boss", "reason": "r"}, {"relation"}),
        ({"entry_id": "00000000000fffff", "relation": "user", "reason": "r"}, {"entry_id"}),
    ],
)
def test_appeal_form_errors(
    browser_client: TestClient, fields: dict[str, str], errors: set[str]
) -> None:
    response = post_form(browser_client, "/appeal", "/appeal", **fields)
    assert response.status_code == 422
    assert set(field_errors(response.text)) == errors


def test_an_unknown_appeal_receipt(browser_client: TestClient) -> None:
    page = browser_client.get("/appeal/status?receipt=nothing-here")
    assert page.status_code == 404
    assert "No appeal has this receipt" in page.text


def test_the_transparency_page_in_the_shared_layout(
    browser_client: TestClient, listed_entry: Callable[..., str]
) -> None:
    listed_entry("http://www.example.com/t.html")
    page = browser_client.get("/transparency")
    assert page.status_code == 200
    assert 'class="skip-link"' in page.text
    assert "<svg" in page.text
    assert "www.example.com" not in page.text
    assert re.search(r"Reports received</th><td class=\"n\">1<", page.text)


def test_the_period_form_has_date_inputs_with_the_period_shown(
    browser_client: TestClient,
) -> None:
    page = browser_client.get("/transparency?from=2026-01-01&to=2026-01-31")
    assert page.status_code == 200
    assert '<input type="date" id="from" name="from" value="2026-01-01"' in page.text
    assert '<input type="date" id="to" name="to" value="2026-01-31"' in page.text


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("from=2026-02-01&to=2026-01-01", "to", "The last day comes before the first day."),
        ("from=2000-01-01&to=2026-01-01", "to", "at most 3660 days"),
        ("from=yesterday&to=2026-01-01", "from", "Enter a date as year-month-day"),
        ("from=2026-01-01&to=2026-02-30", "to", "Enter a date as year-month-day"),
        ("from=2999-01-01", "from", "The last day comes before the first day."),
    ],
)
def test_a_bad_period_is_said_beside_its_date_field_with_the_values_kept(
    browser_client: TestClient, query: str, field: str, words: str
) -> None:
    page = browser_client.get(f"/transparency?{query}")
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert set(field_errors(page.text)) == {field}
    error = re.search(rf'<span class="field-error" id="{field}-error">([^<]*)</span>', page.text)
    assert error is not None
    assert words in error.group(1)
    assert f'href="#{field}"' in page.text
    assert 'aria-invalid="true"' in page.text
    for name, value in (part.split("=") for part in query.split("&")):
        assert f'name="{name}" value="{value}"' in page.text
    assert "Reports received" not in page.text
    assert "<h1>Transparency report</h1>" in page.text


def test_a_bad_period_in_german(browser_client: TestClient) -> None:
    page = browser_client.get(
        "/transparency?from=2026-02-01&to=2026-01-01", headers={"accept-language": "de"}
    )
    assert page.status_code == 422
    assert "Der letzte Tag liegt vor dem ersten Tag." in page.text


def test_a_missing_page_is_a_page(browser_client: TestClient) -> None:
    page = browser_client.get("/no/such/page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert 'href="/"' in page.text


def test_csrf_field_is_in_every_form(browser_client: TestClient) -> None:
    for path in ("/report", "/appeal"):
        assert csrf_of(browser_client.get(path).text)


form_text_strategy = st.text(st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    ["", " ", "http://www.example.com/", "https://[::1]/x", "csam", "site_owner", "\x00"]
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    url=form_text_strategy,
    hint=form_text_strategy,
    comment=form_text_strategy,
    contact=form_text_strategy,
)
def test_any_report_form_is_a_receipt_or_errors_never_a_failure(
    browser_client: TestClient, url: str, hint: str, comment: str, contact: str
) -> None:
    token = csrf_of(browser_client.get("/report").text)
    response = browser_client.post(
        "/report",
        data={
            "csrf_token": token,
            "url": url,
            "category_hint": hint,
            "comment": comment,
            "contact": contact,
        },
    )
    assert response.status_code in (303, 422), response.text[:300]
    if response.status_code == 422:
        assert field_errors(response.text)
