"""A page the role lacks, in the system's Chromium: an analyst who opens a supervisor's or an
admin's page stays in the staff layout (navigation, signed in as ...) and reads which page it
is, which role has it and who can grant it; the page passes axe-core and is photographed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import WebServer
from .staff_api import new_person
from .test_staff_pages import Person, look, sign_in

Axe = Callable[[Any], list[dict[str, Any]]]
Shot = Callable[[Any, str], Path]


@pytest.fixture(scope="module")
def analyst(web_server: WebServer) -> Person:
    """An analyst of the demo's hotline, able to sign in."""
    return new_person(web_server, "Fern Forbidden", "analyst")


def test_an_analyst_on_a_supervisors_and_an_admins_page(
    page: Any, analyst: Person, axe_check: Axe, screenshot: Shot
) -> None:
    sign_in(page, analyst)
    answer = page.goto("/staff/review")
    assert answer.status == 403
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "This page is not open to your role"
    main = page.locator("main").inner_text()
    assert "/staff/review" in main
    assert "analyst" in main
    assert "Only the supervisor role has it." in main
    assert "ask an admin" in main
    assert "lacks permission" not in page.content()
    # The staff layout: the analyst's navigation and who is signed in, no public header.
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Reports").count() == 1
    assert nav.get_by_role("link", name="Report", exact=True).count() == 0
    assert nav.get_by_role("button", name="Sign out Fern Forbidden").count() == 1
    assert "Signed in as Fern Forbidden" in page.locator("footer").inner_text()
    look(page, "forbidden-analyst", axe_check, screenshot)
    answer = page.goto("/staff/admin/keys")
    assert answer.status == 403
    assert "Only the admin role has it." in page.locator("main").inner_text()
    page.get_by_role("link", name="Back to the overview").click()
    page.wait_for_url("**/staff")
