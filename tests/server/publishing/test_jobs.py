"""The publish schedule: publishes at start, keeps going after a failure."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from hotlist.publish.publisher import Publisher
from hotlist.server.config import Settings
from hotlist.server.publishing.jobs import PublishJob, start_publish_job

PUBLIC_URL = "https://hotline.example"


def test_run_once_publishes(
    listed_entry: Callable[..., str], sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    listed_entry("http://www.example.com/a.html")
    job = PublishJob(sessions, publisher, interval_s=3600, public_url=PUBLIC_URL)
    job.run_once()
    assert job.last_error is None
    index = publisher.index()
    assert index is not None
    assert index["count"] == 1


def test_a_failure_is_kept_and_the_job_goes_on(
    sessions: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the repository should be")
    from hotlist.server.publishing.service import make_publisher

    publisher = make_publisher(settings.with_changes(repository_dir=blocked), create_keys=True)
    job = PublishJob(sessions, publisher, interval_s=3600, public_url=PUBLIC_URL)
    job.run_once()
    assert job.last_error
    assert job.runs == 1


def test_the_schedule_starts_and_stops(settings: Settings, sessions: sessionmaker[Session]) -> None:
    job = start_publish_job(
        settings.with_changes(publish_interval_s=3600, public_url=PUBLIC_URL), sessions
    )
    assert job is not None
    deadline = time.monotonic() + 30
    while job.runs == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    job.stop()
    assert job.runs >= 1
    assert job.last_error is None


def test_an_interval_of_zero_turns_the_schedule_off(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    assert start_publish_job(settings.with_changes(publish_interval_s=0), sessions) is None


def test_a_change_is_published_before_the_interval(
    settings: Settings, sessions: sessionmaker[Session], listed_entry: Callable[..., str]
) -> None:
    from hotlist.server.publishing.service import make_publisher

    publisher = make_publisher(settings, create_keys=True)
    job = PublishJob(sessions, publisher, interval_s=3600, poll_s=0.05, public_url=PUBLIC_URL)
    job.start()
    try:
        deadline = time.monotonic() + 30
        while job.runs == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not job.changed()
        listed_entry("http://www.example.com/new.html")
        assert job.changed()
        while job.runs < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        job.stop()
    index = publisher.index()
    assert index is not None
    assert index["count"] == 1


def _first_run(settings: Settings, sessions: sessionmaker[Session]) -> PublishJob:
    job = start_publish_job(settings, sessions)
    assert job is not None
    deadline = time.monotonic() + 30
    while job.runs == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    job.stop()
    return job


def test_the_schedule_refuses_a_loopback_public_url_and_says_why(
    settings: Settings, sessions: sessionmaker[Session], listed_entry: Callable[..., str]
) -> None:
    from hotlist.server.publishing.service import make_publisher

    listed_entry("http://www.example.com/a.html")
    loopback = settings.with_changes(publish_interval_s=3600, public_url="http://127.0.0.1:8000")
    job = _first_run(loopback, sessions)
    assert job.last_error is not None
    assert "loopback" in job.last_error
    assert "--public-url" in job.last_error
    assert make_publisher(loopback).index() is None
    allowed = _first_run(loopback.with_changes(unsafe_loopback_public_url=True), sessions)
    assert allowed.last_error is None
    index = make_publisher(loopback).index()
    assert index is not None
    assert index["count"] == 1
