"""Fixtures of re-verification: entries made through the API, a loopback origin, a clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from hotlist.server.db.base import utcnow
from hotlist.server.entries.models import Entry
from hotlist.server.entries.service import entry_by_ref
from hotlist.server.kit.clock import ManualClock
from server.kit.http_origin import origin
from server.reports.factories import assess, file_report, listed_entry

__all__ = ["active_entry", "assess", "clock", "file_report", "listed_entry", "origin"]


@pytest.fixture
def clock() -> ManualClock:
    """A clock a minute after now (entries are decided at the real time)."""
    return ManualClock(utcnow() + timedelta(minutes=1))


@pytest.fixture
def active_entry(
    listed_entry: Callable[..., str], sessions: sessionmaker[Session]
) -> Callable[..., int]:
    """``active_entry(url)``: an entry listed for ``url`` (page scope); its row id."""

    def make(url: str = "http://www.example.com/a/b/page.html", **body: object) -> int:
        public_id = listed_entry(url, **body)
        with sessions() as session:
            return entry_by_ref(session, public_id).id

    return make


def later(clock: ManualClock, hours: float) -> datetime:
    """Move ``clock`` on by ``hours``; the new time."""
    clock.advance(timedelta(hours=hours))
    return clock.now()


__all__ += ["Entry", "later"]
