"""Time to removal from the database, on SQLite and PostgreSQL: the period's removal cases
with their providers, in the figures API and on ``/transparency``; never a host name."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hotlist.server.figures.compute import compute
from hotlist.server.figures.query import period_rows
from hotlist.server.figures.removal import Provider, RemovalCaseRow

START = datetime(2026, 3, 1, tzinfo=UTC)
END = datetime(2026, 4, 1, tzinfo=UTC)
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
FAST_HOST = "fast-host.example"
SLOW_HOST = "slow-host.example"
GONE_HOST = "gone-host.example"
ABROAD_HOST = "abroad-host.example"


@pytest.fixture
def cases(removal_case: Callable[..., Any], hosting_lookup: Callable[..., Any]) -> None:
    """Three fast removals at one provider (which later moved), one slow at another, one gone
    before notice, one referred abroad and one removed after the period."""
    hosting_lookup(FAST_HOST, START - 10 * DAY, "Example Hosting", 64500)
    hosting_lookup(FAST_HOST, START - 5 * DAY, None, None, error="RDAP did not answer")
    hosting_lookup(FAST_HOST, END + 30 * DAY, "Moved Net", 64510)
    hosting_lookup(SLOW_HOST, START, "Other Net", 64501)
    reported = START + DAY
    for minutes in (10, 20, 30):
        noticed = reported + timedelta(hours=2)
        removal_case(
            FAST_HOST,
            reported,
            report_received_at=reported,
            notice_sent_at=noticed,
            removed_at=noticed + minutes * MINUTE,
            outcome="removed",
        )
    removal_case(
        SLOW_HOST,
        reported,
        report_received_at=reported,
        notice_sent_at=reported + DAY,
        removed_at=reported + 5 * DAY,
        police_notified_at=reported + 4 * DAY,
        outcome="removed",
    )
    removal_case(
        GONE_HOST,
        reported,
        category="terror",
        report_received_at=reported,
        removed_at=reported + DAY,
        outcome="removed_before_notice",
    )
    removal_case(
        ABROAD_HOST, reported, report_received_at=reported, referral_sent_at=reported + DAY
    )
    removal_case(
        FAST_HOST,
        END - DAY,
        report_received_at=END - DAY,
        notice_sent_at=END - DAY,
        removed_at=END + DAY,
        outcome="removed",
    )
    removal_case(FAST_HOST, START - 60 * DAY, notice_sent_at=START - 59 * DAY)  # not in it


def test_the_periods_rows(session: Session, cases: None) -> None:
    rows = period_rows(session, START, END).removal_cases
    assert "host" not in {field.name for field in fields(RemovalCaseRow)}
    assert len(rows) == 7
    providers = sorted(
        (row.provider.network or "", row.removed_at is not None)
        for row in rows
        if row.provider is not None
    )
    assert providers == [("Example Hosting", True)] * 3 + [("Other Net", True)]
    outside = [row for row in rows if row.removed_at is not None and row.removed_at >= END]
    assert [row.provider for row in outside] == [None]
    figures = compute(period_rows(session, START, END), min_provider_cases=2).removal
    assert figures.all.removed == 5
    assert figures.all.cases == 7
    assert (figures.all.notices_sent, figures.all.referrals_sent) == (5, 1)
    assert figures.all.police_notified == 1
    assert figures.all.removed_before_notice == 1
    assert figures.by_category["terror"].share_removed_before_notice == 1.0
    assert figures.by_category["csam"].median_minutes_notice_to_removal == 25.0
    assert [(p.network, p.asn, p.cases) for p in figures.providers] == [
        ("Example Hosting", 64500, 3)
    ]
    assert figures.providers[0].median_minutes_notice_to_removal == 20.0
    assert figures.providers_not_shown == 1
    assert Provider("Moved Net", 64510) not in {row.provider for row in rows}


def _page_figures(app: FastAPI, client: TestClient) -> tuple[dict[str, Any], str]:
    query = "from=2026-03-01&to=2026-03-31"
    data = client.get(f"/v1/transparency?{query}")
    page = client.get(f"/transparency?{query}")
    assert (data.status_code, page.status_code) == (200, 200)
    return data.json(), page.text


def test_the_api_and_the_page_show_them_without_host_names(
    make_app: Callable[..., FastAPI], client_for: Callable[..., TestClient], cases: None
) -> None:
    app = make_app(figures_min_provider_cases=2)
    with client_for(app) as client:
        data, page = _page_figures(app, client)
        raw = client.get("/v1/transparency?from=2026-03-01&to=2026-03-31").text
    removal = data["removal"]
    assert removal["min_provider_cases"] == 2
    assert removal["all"]["removed"] == 5
    assert removal["by_category"]["csam"]["p90_minutes_notice_to_removal"] == 4041.0
    assert removal["providers"] == [
        {
            "network": "Example Hosting",
            "asn": 64500,
            "cases": 3,
            "median_minutes_notice_to_removal": 20.0,
            "p90_minutes_notice_to_removal": 28.0,
        }
    ]
    for text in (page, raw):
        for host in (FAST_HOST, SLOW_HOST, GONE_HOST, ABROAD_HOST, ".example"):
            assert host not in text
    table = page.split('aria-label="Removal at source"', 1)[1].split("</table>", 1)[0]
    header = re.findall(r'<th scope="col">([^<]*)</th>', table)
    assert header == ["csam", "terror", "All"]
    rows = dict(re.findall(r'<tr><th scope="row">([^<]*)</th>(.*?)</tr>', table, flags=re.S))
    cells = {name: re.findall(r'<td class="n">([^<]*)</td>', rest) for name, rest in rows.items()}
    assert cells["Removed in the period"] == ["4", "1", "5"]
    assert cells["Removed before notice"] == ["0.0%", "100.0%", "20.0%"]
    assert cells["Referrals abroad sent"] == ["1", "0", "1"]
    providers = page.split('aria-label="Hosting providers"', 1)[1].split("</table>", 1)[0]
    assert "Example Hosting" in providers
    assert "AS64500" in providers
    assert "Other Net" not in page


def test_a_period_without_cases(client: TestClient) -> None:
    data = client.get("/v1/transparency?from=2026-03-01&to=2026-03-31").json()
    assert data["removal"]["all"]["removed"] == 0
    assert data["removal"]["all"]["median_minutes_notice_to_removal"] is None
    assert data["removal"]["providers"] == []
    page = client.get("/transparency?from=2026-03-01&to=2026-03-31").text
    assert "No removal case in this period." in page


def test_the_provider_is_the_network_that_answered_at_the_removal(
    session: Session, removal_case: Callable[..., Any], hosting_lookup: Callable[..., Any]
) -> None:
    """Latest lookup no later than the removal that found a network; else the first after;
    none without one that found a network."""
    late_host, blind_host = "late-host.example", "blind-host.example"
    noticed = START + DAY
    for host in (FAST_HOST, late_host, blind_host):
        removal_case(host, noticed, notice_sent_at=noticed, removed_at=noticed + DAY)
    hosting_lookup(FAST_HOST, noticed - DAY, "Before Net", 64500)
    hosting_lookup(FAST_HOST, noticed + DAY, "At Removal Net", 64501)  # the same moment: this
    hosting_lookup(FAST_HOST, noticed + DAY, None, None, error="no answer")
    hosting_lookup(FAST_HOST, noticed + 2 * DAY, "After Net", 64502)
    hosting_lookup(late_host, noticed + 3 * DAY, "Late Net", 64503)
    hosting_lookup(late_host, noticed + 4 * DAY, "Later Net", 64504)
    hosting_lookup(blind_host, noticed, None, None, error="no answer")
    rows = period_rows(session, START, END).removal_cases
    assert sorted(str(row.provider) for row in rows) == sorted(
        [str(Provider("At Removal Net", 64501)), str(Provider("Late Net", 64503)), "None"]
    )
