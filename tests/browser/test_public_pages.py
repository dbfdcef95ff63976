"""The public pages in the system's Chromium: every page accessible (axe-core) and
photographed, a report from the form reaching the analysts' queue, an appeal from the block
page's link followed to a supervisor's decision, keyboard-only use, a phone's screen, German."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import urllib3
from sqlalchemy import select

from hotlist.server.entries.models import Entry
from hotlist.server.hosting.models import HostingLookup
from hotlist.server.notices.models import RemovalCase
from hotlist.server.reports import service as reports
from hotlist.server.reports.models import ReportStatus

from .conftest import WebServer

PUBLIC_PAGES = {
    "home": "/",
    "report": "/report",
    "report-status-lookup": "/report/status",
    "appeal": "/appeal",
    "appeal-status-lookup": "/appeal/status",
    "transparency": "/transparency",
}
Axe = Callable[[Any], list[dict[str, Any]]]
Shot = Callable[[Any, str], Path]


def _api(server: WebServer, method: str, path: str, key: str, body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    response = urllib3.request(method, server.url(path), headers=headers, body=data, timeout=30)
    assert response.status < 300, (path, response.status, response.data[:500])
    return json.loads(response.data)


def _report_through_the_form(page: Any, url: str) -> str:
    page.goto("/report")
    page.get_by_label("Address of the page").fill(url)
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url(re.compile(r"/report/status\?"))
    receipt = parse_qs(urlsplit(page.url).query)["receipt"][0]
    assert page.locator(".receipt").inner_text() == receipt
    return receipt


@pytest.mark.parametrize(("name", "path"), PUBLIC_PAGES.items())
def test_every_public_page_is_accessible(
    page: Any, name: str, path: str, axe_check: Axe, screenshot: Shot
) -> None:
    response = page.goto(path)
    assert response.status == 200
    assert page.locator("h1").count() == 1
    axe_check(page)
    screenshot(page, name)


def test_error_pages_are_accessible(page: Any, axe_check: Axe, screenshot: Shot) -> None:
    assert page.goto("/no/such/page").status == 404
    assert page.get_by_role("link", name="Back to the start page").count() == 1
    axe_check(page)
    screenshot(page, "not-found")
    assert page.goto("/report/status?receipt=unknown-receipt").status == 404
    assert page.get_by_label("Receipt").get_attribute("aria-invalid") == "true"
    axe_check(page)
    screenshot(page, "report-status-unknown")


def test_a_report_from_the_form_reaches_the_queue(
    page: Any, web_server: WebServer, axe_check: Axe, screenshot: Shot
) -> None:
    receipt = _report_through_the_form(page, "http://www.example.com/browser/report.html")
    assert page.locator("#report-status").get_attribute("data-status") == "received"
    axe_check(page)
    screenshot(page, "report-received")
    with web_server.db() as session:
        queue = reports.queue(session, reports.QueueFilter(status=ReportStatus.RECEIVED))
        assert receipt in {item.report.receipt for item in queue}


def test_form_errors_are_announced_and_linked(page: Any, axe_check: Axe, screenshot: Shot) -> None:
    page.goto("/report")
    page.get_by_role("button", name="Send the report").click()
    alert = page.get_by_role("alert")
    assert "Address of the page" in alert.inner_text()
    field = page.get_by_label("Address of the page")
    assert field.get_attribute("aria-invalid") == "true"
    alert.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "url"
    axe_check(page)
    screenshot(page, "report-errors")


def test_an_address_that_is_no_web_page_is_refused_beside_its_field(page: Any) -> None:
    page.goto("/report")
    field = page.get_by_label("Address of the page")
    field.fill("not a url")
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/report"  # no receipt page
    assert field.get_attribute("aria-invalid") == "true"
    assert field.input_value() == "not a url"
    assert "not an address we can check" in page.locator("#url-error").inner_text()


def test_a_bad_period_is_said_beside_the_date_fields(
    page: Any, axe_check: Axe, screenshot: Shot
) -> None:
    page.goto("/transparency")
    first = page.get_by_label("First day")
    last = page.get_by_label("Last day")
    assert first.get_attribute("type") == "date"
    assert last.get_attribute("type") == "date"
    first.fill("2026-03-10")
    last.fill("2026-03-01")
    page.get_by_role("button", name="Show this period").click()
    page.wait_for_url(re.compile(r"/transparency\?from=2026-03-10&to=2026-03-01$"))
    assert last.get_attribute("aria-invalid") == "true"
    assert first.get_attribute("aria-invalid") is None
    assert "The last day comes before the first day." in page.locator("#to-error").inner_text()
    assert first.input_value() == "2026-03-10"  # the values are kept
    assert last.input_value() == "2026-03-01"
    alert = page.get_by_role("alert")
    assert "Last day" in alert.inner_text()
    alert.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "to"
    axe_check(page)
    screenshot(page, "transparency-bad-period")
    last.fill("2026-03-31")
    page.get_by_role("button", name="Show this period").click()
    page.wait_for_url(re.compile(r"to=2026-03-31$"))
    assert page.locator("#to-error").count() == 0
    assert "from 2026-03-10 to 2026-03-31" in page.locator(".lead").inner_text()


def test_an_appeal_from_the_block_page_reaches_a_supervisors_decision(
    page: Any, web_server: WebServer, axe_check: Axe, screenshot: Shot
) -> None:
    keys = web_server.keys
    _report_through_the_form(page, "http://www.blocked.example/appeal/page.html")
    queue = _api(web_server, "GET", "/v1/reports?status=received", keys.analyst)["items"]
    assessment = _api(
        web_server,
        "POST",
        f"/v1/reports/{queue[0]['id']}/assessments",
        keys.analyst,
        {"actionable": True, "category": "csam", "scope": "page", "reason": "As the policy says."},
    )
    entry_id = assessment["entry_public_id"]

    blocked = page.goto(f"/blocked/{entry_id}")
    assert blocked.status in (403, 451)
    axe_check(page)
    screenshot(page, "block-page")
    page.locator("a.appeal").click()
    page.wait_for_url(re.compile(r"/appeal\?entry="))
    assert page.get_by_label("Entry id").input_value() == entry_id
    page.get_by_label("I run the site or own its content").check()
    page.get_by_label("Why is the entry wrong?").fill(
        "The page reports on the case; it shows none."
    )
    page.get_by_role("button", name="Send the appeal").click()
    page.wait_for_url(re.compile(r"/appeal/status\?"))
    receipt = parse_qs(urlsplit(page.url).query)["receipt"][0]
    assert page.locator("#appeal-status").get_attribute("data-state") == "open"
    axe_check(page)
    screenshot(page, "appeal-received")

    appeals = _api(web_server, "GET", "/v1/appeals?state=open", keys.supervisor)["items"]
    (appeal,) = [a for a in appeals if a["entry_id"] == entry_id]
    _api(
        web_server,
        "POST",
        f"/v1/appeals/{appeal['id']}/decision",
        keys.supervisor,
        {"outcome": "upheld", "reason": "The page is reporting, not the material itself."},
    )
    page.goto(f"/appeal/status?receipt={receipt}")
    status = page.locator("#appeal-status")
    assert status.get_attribute("data-state") == "decided"
    assert status.get_attribute("data-outcome") == "upheld"
    assert "The page is reporting, not the material itself." in status.inner_text()
    axe_check(page)
    screenshot(page, "appeal-decided")


def test_the_transparency_page_shows_the_time_to_removal(
    page: Any, web_server: WebServer, axe_check: Axe, screenshot: Shot
) -> None:
    keys = web_server.keys
    host = "removal.example"
    entry_ids = []
    for number in range(5):  # the providers' table needs 5 cases (the default)
        url = f"http://{host}/removal/{number}.html"
        filed = _api(web_server, "POST", "/v1/reports", keys.analyst, {"url": url})
        queue = _api(web_server, "GET", "/v1/reports?status=received", keys.analyst)["items"]
        (report,) = [item for item in queue if item["receipt"] == filed["receipt"]]
        assessment = _api(
            web_server,
            "POST",
            f"/v1/reports/{report['id']}/assessments",
            keys.analyst,
            {"actionable": True, "category": "csam", "scope": "page", "reason": "As policy."},
        )
        entry_ids.append(int(assessment["entry_public_id"], 16))
    reported = datetime(2026, 6, 2, 8, tzinfo=UTC)
    with web_server.db() as session:
        session.add(
            HostingLookup(
                host=host, looked_up_at=reported, network_name="Example Hosting", asn=64500
            )
        )
        for minutes, public_id in zip((3, 5, 8, 13, 21), entry_ids, strict=True):
            entry = session.scalars(select(Entry).where(Entry.public_id == public_id)).one()
            noticed = reported + timedelta(hours=1)
            session.add(
                RemovalCase(
                    entry_id=entry.id,
                    category_code="csam",
                    host=host,
                    opened_at=reported,
                    report_received_at=reported,
                    notice_sent_at=noticed,
                    removed_at=noticed + timedelta(minutes=minutes),
                    outcome="removed",
                )
            )
    page.goto("/transparency?from=2026-06-01&to=2026-06-30")
    table = page.get_by_role("region", name="Removal at source").get_by_role("table")
    row = table.get_by_role("row", name=re.compile(r"^Notice to removal, median"))
    assert row.get_by_role("cell").all_inner_texts() == ["8.0", "8.0"]  # csam, All
    within = table.get_by_role("row", name=re.compile(r"^Removed within 24 hours "))
    assert within.get_by_role("cell").all_inner_texts() == ["100.0%", "100.0%"]
    providers = page.get_by_role("region", name="Hosting providers").get_by_role("table")
    assert "Example Hosting" in providers.inner_text()
    assert "AS64500" in providers.inner_text()
    assert host not in page.content()
    axe_check(page)
    screenshot(page, "transparency-removal")


def test_a_report_with_the_keyboard_alone(page: Any) -> None:
    page.goto("/report")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "url"
    page.keyboard.type("http://www.example.com/keyboard.html")
    for _ in range(4):  # kind, comment, contact, then the button
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/report/status\?"))
    assert page.locator("#report-status").get_attribute("data-status") == "received"


def test_on_a_phone(browser: Any, web_server: WebServer, axe_check: Axe, screenshot: Shot) -> None:
    context = browser.new_context(
        base_url=web_server.base_url,
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    try:
        page = context.new_page()
        for name, path in (("report", "/report"), ("transparency", "/transparency")):
            page.goto(path)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} scrolls sideways on a phone"
            axe_check(page)
            screenshot(page, f"phone-{name}")
    finally:
        context.close()


def test_in_german_by_the_visible_switch(page: Any, axe_check: Axe, screenshot: Shot) -> None:
    page.goto("/report")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Deutsch").click()
    page.wait_for_url(re.compile(r"lang=de"))
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("h1").inner_text() == "Eine Webseite melden"
    page.get_by_role("link", name="Transparenz").click()
    assert page.locator("h1").inner_text() == "Transparenzbericht"
    axe_check(page)
    screenshot(page, "transparency-de")


def test_the_pages_load_nothing_from_elsewhere_and_break_no_policy(page: Any) -> None:
    requests: list[str] = []
    violations: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path in PUBLIC_PAGES.values():
        page.goto(path)
    base = page.evaluate("location.origin")
    assert [url for url in requests if not url.startswith(base)] == []
    assert violations == []
