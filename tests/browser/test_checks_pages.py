"""Re-verification on the staff pages in the system's Chromium: an analyst follows the entry
page's link to its check log, checks now (the server's real checker, which refuses the
documentation address the entry lists: no request leaves the machine), and opens the list of
entries needing attention; each page passes axe-core and is photographed."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hotlist.server.entries.service import entry_by_ref
from hotlist.server.kit.checker import OfflineChecker
from hotlist.server.reverification import service
from hotlist.server.reverification.models import CheckKind

from .conftest import WebServer
from .staff_api import assessed_entry, new_person
from .test_staff_pages import Person, look, sign_in

Axe = Callable[[Any], list[dict[str, Any]]]
Shot = Callable[[Any, str], Path]
URL = "http://192.0.2.55/gallery/photo.jpg"


@pytest.fixture(scope="module")
def analyst(web_server: WebServer) -> Person:
    """An analyst of the demo's hotline, able to sign in."""
    return new_person(web_server, "Cora Checks", "analyst")


@pytest.fixture(scope="module")
def entry(web_server: WebServer) -> str:
    """An entry for :data:`URL` (reported and assessed through the API) with a baseline found
    present five days ago (dated back: the checks here are made offline) and a failed check an
    hour ago, which put it before an analyst."""
    public_id = assessed_entry(web_server, URL)
    offline = OfflineChecker()
    now = datetime.now(UTC)
    with web_server.db() as session:
        listed = entry_by_ref(session, public_id)
        offline.set(URL, "present", status=200, content_type="image/jpeg", ip="192.0.2.55")
        service.check_now(
            session, offline, listed, kind=CheckKind.BASELINE, now=now - timedelta(days=5)
        )
        offline.set(URL, "failed", status=503, error="HTTP 503", ip="192.0.2.55")
        service.check_now(
            session, offline, listed, kind=CheckKind.SCHEDULED, now=now - timedelta(hours=1)
        )
    return public_id


def test_an_analyst_reads_the_check_log_and_checks_now(
    page: Any, analyst: Person, entry: str, axe_check: Axe, screenshot: Shot
) -> None:
    sign_in(page, analyst, to=f"/staff/entries/{entry}")
    assert "192.0.2.55" not in page.content()
    page.get_by_role("link", name="The checks of this entry").click()
    page.wait_for_url(re.compile(rf"/staff/entries/{entry}/checks$"))
    log = page.locator("table").first.inner_text()
    assert "present" in log
    assert "failed" in log
    assert URL in page.content()
    look(page, "entry-checks", axe_check, screenshot)
    page.get_by_role("button", name="Check now").click()
    page.wait_for_url(re.compile(r"checked=1"))
    newest = page.locator("tbody tr").first.inner_text()
    assert "refused" in newest
    assert "private address" in newest
    look(page, "entry-checks-now", axe_check, screenshot)


def test_the_attention_list(
    page: Any, analyst: Person, entry: str, axe_check: Axe, screenshot: Shot
) -> None:
    sign_in(page, analyst)
    page.get_by_role("link", name="Checks", exact=True).click()
    page.wait_for_url(re.compile(r"/staff/checks/attention$"))
    assert entry in page.locator("table").first.inner_text()
    assert "192.0.2.55" not in page.content()
    look(page, "checks-attention", axe_check, screenshot)
