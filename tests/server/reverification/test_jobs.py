"""The re-verification job: off without a schedule, and a tick at start when on (leased)."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from hotlist.server.config import Settings
from hotlist.server.kit.checker import CheckResult, OfflineChecker
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


def test_a_tick_runs_in_batches_and_holds_no_connection_while_checking(
    settings: Settings, sessions: sessionmaker[Session], active_entry: Callable[..., int]
) -> None:
    """The test engine has one connection on SQLite, as the server has: a checker that needs
    the database while it checks (a request arriving meanwhile) gets it only when the job does
    not hold it."""
    urls = [f"http://www.example.com/p{i}.html" for i in range(5)]
    for url in urls:
        active_entry(url)
    offline = OfflineChecker()
    for url in urls:
        offline.set(url, "present", status=200)

    class NeedsTheDatabase:
        def __init__(self) -> None:
            self.answered = 0

        def check(self, url: str) -> CheckResult:
            with sessions() as session:
                session.execute(text("SELECT 1"))
            self.answered += 1
            return offline.check(url)

    checker = NeedsTheDatabase()
    tick = run_once(sessions, checker, settings.with_changes(check_concurrency=2), batch=2)
    assert (tick.enrolled, tick.checked, checker.answered) == (5, 5, 5)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(UrlCheck)) == 5
