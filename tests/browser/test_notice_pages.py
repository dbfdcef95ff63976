"""Notices on the staff pages in the system's Chromium: the queue (overdue and next out), a
notice's thread with its hold form (the refusal beside the field), release, and a host's
history of notices; each passes axe-core and is photographed."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hotlist.server.entries.models import Entry
from hotlist.server.kit.lookups import HostingData, offline_sources
from hotlist.server.kit.mailer import MemoryMailer
from hotlist.server.notices import service

from .conftest import WebServer
from .staff_api import assessed_entry, new_person
from .test_staff_pages import Person, look, sign_in

Axe = Callable[[Any], list[dict[str, Any]]]
Shot = Callable[[Any, str], Path]
HOST = "media.notices.example"
DATA = HostingData.parse(
    {
        "hosts": {HOST: ["192.0.2.20"]},
        "networks": [
            {
                "prefix": "192.0.2.0/24",
                "asn": 64500,
                "name": "Example Hosting Ltd",
                "country": "GB",
                "abuse": ["abuse@hosting.example"],
            }
        ],
    }
)


@pytest.fixture(scope="module")
def analyst(web_server: WebServer) -> Person:
    return new_person(web_server, "Nora Notices", "analyst")


@pytest.fixture(scope="module")
def notice_ids(web_server: WebServer) -> tuple[int, int]:
    """A notice sent two days ago (overdue for its reminder) and a fresh draft."""
    refs = [assessed_entry(web_server, f"http://{HOST}/gallery/{n}.html") for n in range(3)]
    outbox = service.Outbox(MemoryMailer(), offline_sources(DATA), "hotline@hotline.example")
    now = datetime.now(UTC)
    with web_server.db() as session:
        entries = [
            session.scalars(select(Entry).where(Entry.public_id == int(ref, 16))).one()
            for ref in refs
        ]
        sent = service.draft(
            session, entries[0], "abuse@hosting.example", now=now - timedelta(days=2), window_s=0
        )
        service.draft(
            session, entries[1], "abuse@hosting.example", now=now - timedelta(days=2), window_s=0
        )
        assert service.send(session, sent, outbox, now=now - timedelta(days=2))
        draft = service.draft(session, entries[2], "abuse@hosting.example", now=now, window_s=900)
        return sent.id, draft.id


def test_the_queue_shows_overdue_and_next_out(
    page: Any, analyst: Person, notice_ids: tuple[int, int], axe_check: Axe, screenshot: Shot
) -> None:
    sign_in(page, analyst, to="/staff/notices")
    overdue = page.get_by_role("region", name="Overdue notices: table")
    assert "sent" in overdue.inner_text()
    assert "overdue" in overdue.inner_text()
    assert "drafted" in page.get_by_role("region", name="Notices next out: table").inner_text()
    look(page, "notices-queue", axe_check, screenshot)


def test_a_thread_holds_with_a_reason_and_releases(
    page: Any, analyst: Person, notice_ids: tuple[int, int], axe_check: Axe, screenshot: Shot
) -> None:
    sent_id, _draft_id = notice_ids
    sign_in(page, analyst, to=f"/staff/notices/{sent_id}")
    thread = page.get_by_role("region", name="Thread: table").inner_text()
    assert "drafted" in thread
    assert "sent" in thread
    assert len(page.get_by_role("link", name="Notices to this host (entry").all()) == 2
    assert HOST not in page.content()  # the host stays behind the entry page's logged reveal
    look(page, "notice-thread", axe_check, screenshot)
    page.get_by_role("button", name="Hold").click()
    error = page.locator("#reason-error")
    assert "Give a reason" in error.inner_text()
    assert page.get_by_label("Reason").get_attribute("aria-invalid") == "true"
    look(page, "notice-hold-refused", axe_check, screenshot)
    page.get_by_label("Reason").fill("The police asked for two days.")
    page.get_by_role("button", name="Hold").click()
    page.wait_for_url(re.compile(r"held=1"))
    assert "The police asked for two days." in page.content()
    look(page, "notice-held", axe_check, screenshot)
    page.get_by_label("Reason").fill("The police are done.")
    page.get_by_role("button", name="Release").click()
    page.wait_for_url(re.compile(r"released=1"))
    assert "released" in page.get_by_role("region", name="Thread: table").inner_text()


def test_a_hosts_history_lists_its_notices(
    page: Any, analyst: Person, notice_ids: tuple[int, int], axe_check: Axe, screenshot: Shot
) -> None:
    sign_in(page, analyst, to=f"/staff/notices/{notice_ids[0]}")
    page.get_by_role("link", name="Notices to this host (entry").first.click()
    page.wait_for_url(re.compile(r"/staff/entries/[0-9a-f]{16}/notices$"))
    table = page.get_by_role("region", name="Notices to this host: table").inner_text()
    assert table.count("abuse@hosting.example") == 2
    assert HOST not in page.content()
    look(page, "notices-host", axe_check, screenshot)
