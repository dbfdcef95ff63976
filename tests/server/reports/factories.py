"""Fixtures for the flow report -> assessment -> entry, over HTTP; shared by the feature tests.

Each feature's conftest re-exports them: ``from server.reports.factories import *``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.server.reports.models import Report

__all__ = ["FiledReport", "assess", "file_report", "listed_entry"]


@dataclass(frozen=True)
class FiledReport:
    """A report filed through the API: the reporter's receipt and the staff's id."""

    receipt: str
    id: int


@pytest.fixture
def file_report(client: TestClient, sessions: sessionmaker[Session]) -> Callable[..., FiledReport]:
    """``file_report(url=..., **fields)``: POST a report (anonymously) and return its ids."""

    def file(url: str = "http://www.example.com/a/b/page.html", **fields: Any) -> FiledReport:
        response = client.post("/v1/reports", json={"url": url, **fields})
        assert response.status_code == 201, response.text
        receipt = response.json()["receipt"]
        with sessions() as session:
            report_id = session.scalar(select(Report.id).where(Report.receipt == receipt))
        assert report_id is not None
        return FiledReport(receipt=receipt, id=report_id)

    return file


@pytest.fixture
def assess(client: TestClient, auth: Callable[[str], dict[str, str]]) -> Callable[..., Any]:
    """``assess(report_id, role="analyst", **body)``: POST an assessment; returns the response.

    The body defaults to an actionable page-scope ``csam`` decision.
    """

    def post(report_id: int, role: str = "analyst", **body: Any) -> Any:
        decision: dict[str, Any] = {
            "actionable": True,
            "category": "csam",
            "scope": "page",
            "reason": "Images of the sexual abuse of a child.",
        }
        decision.update(body)
        decision = {k: v for k, v in decision.items() if v is not None}
        return client.post(
            f"/v1/reports/{report_id}/assessments", json=decision, headers=auth(role)
        )

    return post


@pytest.fixture
def listed_entry(
    file_report: Callable[..., FiledReport], assess: Callable[..., Any]
) -> Callable[..., str]:
    """``listed_entry(url=..., **assessment)``: file and assess a report; the entry's public id."""

    def make(url: str = "http://www.example.com/a/b/page.html", **body: Any) -> str:
        report = file_report(url)
        response = assess(report.id, **body)
        assert response.status_code == 201, response.text
        public_id: str = response.json()["entry_public_id"]
        return public_id

    return make
