"""The re-verification job: off without a schedule, and a tick at start when on (leased)."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hotlist.server.config import Settings
from hotlist.server.kit.checker import OfflineChecker
from hotlist.server.reverification.jobs import run_once, start_reverify_job
from hotlist.server.reverification.models import UrlCheck

URL = "http://www.example.com/a/b/page.html"


def test_the_job_is_off_without_an_interval_or_a_publish_schedule(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    checker = OfflineChecker()
    off = settings.with_changes(publish_interval_s=300.0, reverify_interval_s=0.0)
    assert start_reverify_job(off, sessions, checker) is None
    assert start_reverify_job(settings, sessions, checker) is None  # tests publish nothing


def test_the_job_checks_at_start(
    settings: Settings, sessions: sessionmaker[Session], active_entry: Callable[..., int]
) -> None:
    active_entry(URL)
    checker = OfflineChecker()
    checker.set(URL, "present", status=200)
    on = settings.with_changes(publish_interval_s=300.0, reverify_interval_s=3600.0)
    loop = start_reverify_job(on, sessions, checker)
    assert loop is not None
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not checker.asked:
            time.sleep(0.05)
    finally:
        loop.stop()
    assert checker.asked == [URL]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(UrlCheck)) == 1


def test_run_once_commits_its_tick(
    settings: Settings, sessions: sessionmaker[Session], active_entry: Callable[..., int]
) -> None:
    active_entry(URL)
    checker = OfflineChecker()
    checker.set(URL, "gone", status=410)
    tick = run_once(sessions, checker, settings)
    assert (tick.enrolled, tick.checked, dict(tick.outcomes)) == (1, 1, {"gone": 1})
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(UrlCheck)) == 1
