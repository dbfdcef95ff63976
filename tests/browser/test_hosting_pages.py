"""Hosting on the staff pages in the system's Chromium: the latest lookup on an analyst's entry
page and "look up again" (the server's own offline sources), and the admins' intermediaries
page: each passes axe-core and is photographed."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hotlist.server.hosting import service as hosting
from hotlist.server.kit.lookups import HostingData, offline_sources

from .conftest import WebServer
from .staff_api import assessed_entry, new_person
from .test_staff_pages import Person, look, sign_in

Axe = Callable[[Any], list[dict[str, Any]]]
Shot = Callable[[Any, str], Path]
HOST = "files.hosting.example"
URL = f"http://{HOST}/gallery/page.html"
DATA = HostingData.parse(
    {
        "hosts": {HOST: ["192.0.2.10"]},
        "networks": [
            {
                "prefix": "192.0.2.0/24",
                "asn": 64500,
                "name": "Example Hosting Ltd",
                "country": "GB",
                "abuse": ["abuse@hosting.example"],
            }
        ],
        "domains": {"hosting.example": {"registrar": "Example Registrar"}},
    }
)


@pytest.fixture(scope="module")
def staff(web_server: WebServer) -> dict[str, Person]:
    """An analyst and an admin of the demo's hotline, able to sign in."""
    return {
        "analyst": new_person(web_server, "Hana Hosting", "analyst"),
        "admin": new_person(web_server, "Ines Intermediary", "admin"),
    }


@pytest.fixture(scope="module")
def entry(web_server: WebServer) -> str:
    """An entry for :data:`URL` (reported and assessed through the API) with one lookup made
    here over :data:`DATA`, as the notices job would have."""
    public_id = assessed_entry(web_server, URL)
    with web_server.db() as session:
        hosting.look_up(session, offline_sources(DATA), HOST, now=datetime.now(UTC))
    return public_id


def test_the_entry_page_shows_where_it_is_hosted_and_looks_up_again(
    page: Any, staff: dict[str, Person], entry: str, axe_check: Axe, screenshot: Shot
) -> None:
    sign_in(page, staff["analyst"], to=f"/staff/entries/{entry}")
    section = page.locator("#hosting")
    for shown in ("192.0.2.10", "Example Hosting Ltd (AS64500)", "abuse@hosting.example"):
        assert shown in section.inner_text()
    assert HOST not in page.content()
    look(page, "entry-hosting", axe_check, screenshot)
    page.get_by_role("button", name="Look up again").click()
    page.wait_for_url(re.compile(r"looked_up=1"))
    # The server's own sources (offline, no data file) know no address for the host.
    assert "Looked up again" in section.inner_text()
    assert "has no address" in section.inner_text()
    look(page, "entry-hosting-again", axe_check, screenshot)


def test_an_admin_keeps_the_intermediaries_list(
    page: Any, staff: dict[str, Person], axe_check: Axe, screenshot: Shot
) -> None:
    sign_in(page, staff["admin"], to="/staff/admin/intermediaries")
    look(page, "admin-intermediaries-empty", axe_check, screenshot)
    page.get_by_label("Host").fill("short.example")
    page.get_by_label("Kind").select_option("shortener")
    page.get_by_label("Note").fill("a URL shortener: the content is where it points")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url(re.compile(r"added=1"))
    assert "short.example" in page.locator("table").first.inner_text()
    look(page, "admin-intermediaries", axe_check, screenshot)
    page.get_by_label("Host").fill("SHORT.example")
    page.get_by_role("button", name="Add").click()
    assert "on the intermediaries list already" in page.locator(".notice").first.inner_text()
    look(page, "admin-intermediaries-refused", axe_check, screenshot)
    page.goto("/staff/admin/intermediaries")
    page.get_by_role("button", name="Remove short.example").click()
    page.wait_for_url(re.compile(r"removed=1"))
    assert "Taken off the list" in page.content()
    look(page, "admin-intermediaries-removed", axe_check, screenshot)
