"""The publish schedule: publishes at start, keeps going after a failure."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.publish.publisher import Publisher, PublishResult
from hotlist.publish.records import ListRecord
from hotlist.publish.repository import PublishSettings
from hotlist.server.config import Settings
from hotlist.server.kit.paths import repository_paths
from hotlist.server.publishing.jobs import PublishJob, start_publish_job
from hotlist.server.publishing.service import (
    ensure_keys,
    make_publisher,
    publish,
)

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


def wait_for_runs(job: PublishJob, runs: int) -> None:
    deadline = time.monotonic() + 30
    while job.runs < runs and time.monotonic() < deadline:
        time.sleep(0.02)
    assert job.runs >= runs


def test_the_schedule_publishes_with_root_offline(
    settings: Settings, sessions: sessionmaker[Session], listed_entry: Callable[..., str]
) -> None:
    first = start_publish_job(settings.with_changes(publish_interval_s=3600), sessions)
    assert first is not None
    wait_for_runs(first, 1)
    first.stop()
    keys = repository_paths(settings).keys
    (keys / "root.pem").rename(keys.parent / "offline-root.pem")
    listed_entry("http://www.example.com/a.html")
    job = start_publish_job(settings.with_changes(publish_interval_s=3600), sessions)
    assert job is not None
    try:
        wait_for_runs(job, 1)
    finally:
        job.stop()
    assert job.last_error is None
    index = make_publisher(settings).index()
    assert index is not None
    assert (index["version"], index["count"]) == (2, 1)


def test_every_failed_attempt_is_logged_as_an_error(
    settings: Settings, sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    publisher = make_publisher(settings, create_keys=True)
    publish(sessions, publisher, public_url=PUBLIC_URL)
    (repository_paths(settings).keys / "timestamp.pem").unlink()
    job = PublishJob(sessions, publisher, interval_s=3600, public_url=PUBLIC_URL)
    with caplog.at_level(logging.ERROR, logger="hotlist.server.publishing.jobs"):
        job.run_once()
        job.run_once()
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2
    assert all("no timestamp key" in r.getMessage() for r in errors)
    assert job.failures == 2
    health = job.health()
    assert health["state"] == "failing"
    assert "no timestamp key" in health["error"]
    expires = publisher.repository.timestamp().signed.expires
    assert health["timestamp_expires"] == expires.isoformat()
    assert health["last_success"] is None
    assert all(expires.isoformat() in r.getMessage() for r in errors)


def test_a_publisher_that_cannot_be_made_is_retried(
    settings: Settings, sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    # Keys but no repository yet, and root offline: nothing may be created, nothing published.
    paths = repository_paths(settings)
    ensure_keys(paths)
    offline = paths.keys.parent / "offline-root.pem"
    (paths.keys / "root.pem").rename(offline)
    with caplog.at_level(logging.ERROR, logger="hotlist.server.publishing.jobs"):
        job = start_publish_job(settings.with_changes(publish_interval_s=0.05), sessions)
        assert job is not None
        try:
            wait_for_runs(job, 2)
            assert job.health()["state"] == "failing"
            offline.rename(paths.keys / "root.pem")
            deadline = time.monotonic() + 30
            while job.health()["state"] != "ok" and time.monotonic() < deadline:
                time.sleep(0.02)
        finally:
            job.stop()
    assert job.health()["state"] == "ok"
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) >= 2
    assert all("put root.pem back" in r.getMessage() for r in errors)
    assert make_publisher(settings).index() is not None


class BrokenPublisher(Publisher):
    """The server's publisher whose publish fails with a detail /healthz must not show."""

    def publish(
        self, records: Iterable[ListRecord], extras: Mapping[str, bytes] | None = None
    ) -> PublishResult:
        raise RuntimeError("secret detail /var/lib/hotlist/private")


def test_an_unexpected_error_is_logged_whole_but_not_shown(
    sessions: sessionmaker[Session],
    publisher: Publisher,
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = BrokenPublisher(publisher.repository.path, publisher.keys_dir)
    job = PublishJob(sessions, broken, interval_s=3600, public_url=PUBLIC_URL)
    with caplog.at_level(logging.ERROR, logger="hotlist.server.publishing.jobs"):
        job.run_once()
    assert "secret detail" not in str(job.health())
    assert "unexpected RuntimeError" in str(job.health()["error"])
    (record,) = caplog.records
    assert record.exc_info is not None
    assert "secret detail" in str(record.exc_info[1])


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


class TakenLease:
    """A lease another process holds, for ever."""

    def hold(self) -> bool:
        return False

    def release(self) -> None:
        pass


def _wait(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_two_schedules_publish_from_one_and_the_other_stands_by(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    fast = settings.with_changes(publish_interval_s=0.05, publish_poll_s=0.05)
    jobs = [start_publish_job(fast, sessions) for _ in range(2)]
    assert jobs[0] is not None
    assert jobs[1] is not None
    try:
        _wait(
            lambda: {job.health()["runner"] for job in jobs} == {"this process", "another process"}
        )
        runner, standby = sorted(jobs, key=lambda job: job.health()["runner"] != "this process")
        _wait(lambda: runner.health()["state"] == "ok")
        assert standby.runs == 0
        health = standby.health()
        assert health["state"] == "standby"
        assert health["error"] is None
        assert health["timestamp_expires"] is not None
        runner.stop()
        _wait(lambda: standby.health()["runner"] == "this process")
        _wait(lambda: standby.health()["state"] == "ok")
        assert standby.runs >= 1
    finally:
        for job in jobs:
            job.stop()


def test_a_standby_says_failing_when_the_published_timestamp_is_old(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    paths = repository_paths(settings)
    ensure_keys(paths)
    signed_at = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)
    expiry = timedelta(seconds=settings.timestamp_expiry_s)  # a day: not expired yet
    old = Publisher(
        paths.repository,
        paths.keys,
        "main",
        PublishSettings(timestamp_expiry=expiry),
        clock=lambda: signed_at,
    )
    publish(sessions, old, public_url=PUBLIC_URL)
    job = PublishJob(
        sessions,
        make_publisher(settings),
        interval_s=60,
        public_url=PUBLIC_URL,
        lease=TakenLease(),
    )
    job.start()
    try:
        _wait(lambda: job.health()["runner"] == "another process")
        health = job.health()
        assert health["state"] == "failing"
        assert "another process runs the publish schedule" in health["error"]
        assert signed_at.isoformat() in health["error"]
        publish(sessions, make_publisher(settings), public_url=PUBLIC_URL)  # the runner is back
        assert job.health()["state"] == "standby"
        assert job.runs == 0
    finally:
        job.stop()


def test_a_standby_says_failing_when_nothing_is_published_for_long(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    job = PublishJob(
        sessions,
        make_publisher(settings),
        interval_s=0.05,
        public_url=PUBLIC_URL,
        lease=TakenLease(),
        standby_grace_s=0.2,
    )
    job.start()
    try:
        _wait(lambda: job.health()["runner"] == "another process")
        assert job.health()["state"] == "standby"
        _wait(lambda: job.health()["state"] == "failing")
        assert "nothing is published" in job.health()["error"]
    finally:
        job.stop()


def test_healthz_of_a_standby_process_says_another_runs_the_schedule(
    make_app: Callable[..., FastAPI], client_for: Callable[..., TestClient]
) -> None:
    changes = {"publish_interval_s": 0.05, "publish_poll_s": 0.05, "public_url": PUBLIC_URL}
    with client_for(make_app(**changes)) as first, client_for(make_app(**changes)) as second:
        bodies: list[dict[str, Any]] = []

        def both_answered() -> bool:
            bodies[:] = [client.get("/healthz").json() for client in (first, second)]
            return all(
                body.get("publishing", {}).get("state") in {"ok", "standby"} for body in bodies
            )

        _wait(both_answered)
        runners = sorted(body["publishing"]["runner"] for body in bodies)
        assert runners == ["another process", "this process"]
        assert all(body["status"] == "ok" for body in bodies)
