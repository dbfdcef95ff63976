"""``/transparency`` and ``/v1/transparency`` on both databases: public, the period's figures from
the whole flow, no personal data and no URL anywhere."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from hotlist.server.figures.api import period
from hotlist.server.kit.clock import ManualClock
from hotlist.server.kit.deps import get_clock

Auth = Callable[[str], dict[str, str]]
SECRET_URL = "http://secret-host.example.com/hidden/page.html"
CONTACT = "reporter@example.org"


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


@pytest.fixture
def flow(
    client: TestClient,
    auth: Auth,
    listed_entry: Callable[..., str],
    file_report: Callable[..., Any],
    assess: Callable[..., Any],
) -> str:
    """A listed entry, a report closed without action, an objection upheld, an appeal open."""
    first = listed_entry(SECRET_URL)
    second = listed_entry("http://secret-host.example.com/hidden/other.html", category="terror")
    closed = file_report("http://www.example.org/fine.html", contact=CONTACT)
    assess(closed.id, actionable=False, category=None, scope=None)
    objection = client.post(
        "/v1/objections",
        json={"entry_id": first, "reason": "objection text"},
        headers=auth("member"),
    ).json()
    client.post(
        f"/v1/objections/{objection['id']}/decision",
        json={"outcome": "upheld", "reason": "decision text"},
        headers=auth("supervisor"),
    )
    client.post(
        "/v1/appeals",
        json={
            "entry_id": second,
            "relation": "site_owner",
            "reason": "appeal text",
            "contact": CONTACT,
        },
    )
    return first


def test_figures_of_the_flow(client: TestClient, flow: str) -> None:
    response = client.get(f"/v1/transparency?from={_today()}&to={_today()}")
    assert response.status_code == 200
    figures = response.json()
    assert figures["reports"] == {
        "received": 3,
        "assessed": 3,
        "actionable": 2,
        "share_actionable": round(2 / 3, 4),
    }
    assert figures["entries"]["added_by_category"] == {"csam": 1, "terror": 1}
    assert figures["entries"]["removed_by_category"] == {"csam": 1}
    assert figures["objections"]["received"] == 1
    assert figures["objections"]["upheld"] == 1
    assert figures["objections"]["overturned"] == 1
    assert figures["appeals"]["received"] == 1
    assert figures["appeals"]["open_at_end"] == 1


def test_the_page_has_one_row_per_category(client: TestClient, flow: str) -> None:
    page = client.get(f"/transparency?from={_today()}&to={_today()}").text
    table = page.split('aria-label="List entries"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th>(.*?)</tr>', table, flags=re.S)
    cells = {code: re.findall(r'<td class="n">([^<]*)</td>', rest) for code, rest in rows}
    assert [code for code, _ in rows] == ["csam", "terror", "All"]  # csam gained and lost one
    assert cells["csam"] == ["1", "1", "0"]
    assert cells["terror"] == ["1", "0", "0"]


def test_the_page_is_public_html_without_personal_data_or_urls(
    client: TestClient, flow: str
) -> None:
    page = client.get("/transparency")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    figures = client.get("/v1/transparency")
    for text in (page.text, figures.text):
        for secret in (
            "secret-host",
            "hidden",
            "example.org",
            CONTACT,
            "objection text",
            "decision text",
            "appeal text",
            flow,
        ):
            assert secret not in text
    assert "<svg" in page.text


def test_periods() -> None:
    day = datetime(2026, 3, 10, tzinfo=UTC).date()
    start, end = period(None, None, today=day)
    assert end - start == timedelta(days=30)
    assert end == datetime(2026, 3, 11, tzinfo=UTC)
    start, end = period(day, day)
    assert (start, end) == (datetime(2026, 3, 10, tzinfo=UTC), datetime(2026, 3, 11, tzinfo=UTC))


@pytest.mark.parametrize(
    "query", ["from=2026-02-01&to=2026-01-01", "from=2000-01-01&to=2026-01-01", "from=yesterday"]
)
def test_bad_periods_are_problems(client: TestClient, query: str) -> None:
    response = client.get(f"/v1/transparency?{query}")
    assert response.status_code in (400, 422)
    assert response.headers["content-type"] == "application/problem+json"


def test_the_default_period_ends_on_the_apps_today(app: FastAPI, client: TestClient) -> None:
    app.dependency_overrides[get_clock] = lambda: ManualClock(datetime(2026, 3, 10, 15, tzinfo=UTC))
    figures = client.get("/v1/transparency").json()
    assert (figures["start"], figures["end"]) == (
        "2026-02-09T00:00:00+00:00",
        "2026-03-11T00:00:00+00:00",
    )
    assert "2026-03-10" in client.get("/transparency").text
