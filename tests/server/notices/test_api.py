"""``/v1/notices``: the staff's queue, a notice's thread, holds and acknowledgements."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.server.entries.models import Entry
from hotlist.server.kit.clock import ManualClock
from hotlist.server.kit.deps import get_clock
from hotlist.server.notices import service
from hotlist.server.notices.models import Notice, NoticeState

from .conftest import START


@pytest.fixture
def drafted(
    sessions: sessionmaker[Session], make_entries: Callable[..., list[int]]
) -> tuple[int, int]:
    """A draft (due in 15 minutes) and a sent notice due a day ago: (draft id, sent id)."""
    ids = make_entries("files.example", 2) + make_entries("pics.example", 1)
    with sessions() as session, session.begin():
        first = service.draft(
            session,
            session.get_one(Entry, ids[0]),
            "abuse@net.example",
            now=START,
            window_s=900,
        )
        service.draft(
            session,
            session.get_one(Entry, ids[1]),
            "abuse@net.example",
            now=START,
            window_s=900,
        )
        other = service.draft(
            session,
            session.get_one(Entry, ids[2]),
            "abuse@other.example",
            now=START - timedelta(days=2),
            window_s=900,
        )
        other.state = NoticeState.SENT
        other.step = 1
        other.first_sent_at = START - timedelta(days=2)
        other.due_at = START - timedelta(days=1)
        return first.id, other.id


@pytest.fixture
def api(app: FastAPI, client: TestClient) -> TestClient:
    clock = ManualClock(START)
    app.dependency_overrides[get_clock] = lambda: clock
    return client


def test_the_queue_splits_next_out_from_overdue(
    api: TestClient, auth: Callable[[str], dict[str, str]], drafted: tuple[int, int]
) -> None:
    draft_id, sent_id = drafted
    response = api.get("/v1/notices", headers=auth("analyst"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert [n["id"] for n in body["overdue"]] == [sent_id]
    assert [n["id"] for n in body["next_out"]] == [draft_id]
    assert body["next_out"][0]["overdue"] is False
    assert body["flagged"] == []  # the fixture's entries were never routed by the job


def test_a_thread_shows_items_and_events_without_urls_or_hosts(
    api: TestClient, auth: Callable[[str], dict[str, str]], drafted: tuple[int, int]
) -> None:
    response = api.get(f"/v1/notices/{drafted[0]}", headers=auth("analyst"))
    assert response.status_code == 200, response.text
    thread = response.json()
    assert len(thread["items"]) == 2
    assert [event["kind"] for event in thread["events"]] == ["drafted"]
    assert "/p/" not in response.text
    assert "files.example" not in response.text  # the host stays behind the logged reveal


def test_hold_needs_a_reason_and_release_lifts_it(
    api: TestClient,
    auth: Callable[[str], dict[str, str]],
    drafted: tuple[int, int],
    sessions: sessionmaker[Session],
) -> None:
    url = f"/v1/notices/{drafted[0]}"
    assert api.post(f"{url}/hold", json={"reason": ""}, headers=auth("analyst")).status_code == 422
    held = api.post(
        f"{url}/hold", json={"reason": "The police asked for time."}, headers=auth("analyst")
    )
    assert held.status_code == 200, held.text
    assert held.json()["hold_reason"] == "The police asked for time."
    again = api.post(f"{url}/release", json={"reason": "Done."}, headers=auth("analyst"))
    assert again.status_code == 200, again.text
    assert [e["kind"] for e in again.json()["events"]] == ["drafted", "held", "released"]
    twice = api.post(f"{url}/release", json={"reason": "Done."}, headers=auth("analyst"))
    assert twice.status_code == 409
    with sessions() as session:
        assert session.get_one(Notice, drafted[0]).hold_reason is None


def test_acknowledge_a_sent_notice_only(
    api: TestClient, auth: Callable[[str], dict[str, str]], drafted: tuple[int, int]
) -> None:
    draft_id, sent_id = drafted
    refused = api.post(f"/v1/notices/{draft_id}/acknowledge", json={}, headers=auth("analyst"))
    assert refused.status_code == 409
    done = api.post(
        f"/v1/notices/{sent_id}/acknowledge",
        json={"detail": "They called."},
        headers=auth("supervisor"),
    )
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "acknowledged"


@pytest.mark.parametrize("role", ["member", "observer", "partner", "admin"])
def test_only_analysts_and_supervisors_see_notices(
    api: TestClient, auth: Callable[[str], dict[str, str]], role: str
) -> None:
    assert api.get("/v1/notices", headers=auth(role)).status_code == 403
    assert api.get("/v1/notices").status_code in (401, 403)


def test_an_unknown_notice_is_404(api: TestClient, auth: Callable[[str], dict[str, str]]) -> None:
    assert api.get("/v1/notices/999999", headers=auth("analyst")).status_code == 404
