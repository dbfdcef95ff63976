"""Disabling a person on the admin pages in the system's Chromium: an admin opens the
confirmation step (which names the person and says what will happen), sends it without a reason
(the error beside the field), then with one; the person's open session in another browser ends.
Each page passes axe-core and is photographed."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .conftest import WebServer
from .staff_api import new_person
from .test_staff_pages import look, sign_in

Axe = Callable[[Any], list[dict[str, Any]]]
Shot = Callable[[Any, str], Path]


def test_an_admin_disables_a_person_whose_open_session_ends(
    browser: Any, page: Any, web_server: WebServer, axe_check: Axe, screenshot: Shot
) -> None:
    admin = new_person(web_server, "Ari Admin", "admin")
    person = new_person(web_server, "Pat Example", "analyst")
    other = browser.new_context(base_url=web_server.base_url, locale="en-GB")
    try:
        theirs = other.new_page()
        sign_in(theirs, person, to="/staff/queue")

        sign_in(page, admin, to="/staff/admin/people")
        page.goto("/staff/admin/people?role=analyst&state=enabled")
        look(page, "people-filtered", axe_check, screenshot)
        page.get_by_role("link", name="Disable Pat Example…").click()
        page.wait_for_url(re.compile(rf"/staff/admin/people/{person.user_id}/disable$"))
        assert page.get_by_role("heading", level=1).inner_text() == "Disable Pat Example?"
        assert "sign them out of the staff pages at once" in page.locator("main").inner_text()
        look(page, "person-disable-confirm", axe_check, screenshot)

        page.get_by_label("Reason (kept with the change)").fill("   ")
        page.get_by_role("button", name="Disable Pat Example").click()
        assert "Give a reason" in page.locator("#reason-error").inner_text()
        assert (
            page.get_by_label("Reason (kept with the change)").get_attribute("aria-invalid")
            == "true"
        )
        look(page, "person-disable-error", axe_check, screenshot)

        page.get_by_label("Reason (kept with the change)").fill("Test: left the team.")
        page.get_by_role("button", name="Disable Pat Example").click()
        page.wait_for_url(re.compile(r"/staff/admin/people\?disabled="))
        assert "Person disabled" in page.get_by_role("status").first.inner_text()
        assert page.get_by_role("link", name="Enable Pat Example…").count() == 1
        look(page, "people-after-disable", axe_check, screenshot)

        theirs.goto("/staff/queue")
        assert "/login" in theirs.url
        assert theirs.get_by_role("button", name="Sign in").count() == 1
    finally:
        other.close()
