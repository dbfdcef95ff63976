"""Background jobs run once per deployment: one process holds a job's lease, the others stand
by and take over when it stops; on SQLite (a lock file) and PostgreSQL (an advisory lock), in
one process and across ``hotlist serve --workers 2``."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from hotlist.server.config import Settings
from hotlist.server.db.session import make_engine, session_factory
from hotlist.server.scheduling import BackgroundLoop, job_lease

HOTLIST = str(Path(sys.executable).parent / "hotlist")


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.fixture
def two_processes(
    settings: Settings, sessions: sessionmaker[Session]
) -> Iterator[tuple[dict[str, BackgroundLoop], list[str]]]:
    """Two processes' loops of one job, each with its own lease, and who ran each step."""
    ran: list[str] = []

    def loop(name: str) -> BackgroundLoop:
        lease = job_lease(settings, sessions, "test")
        return BackgroundLoop(name, lambda: ran.append(name), 0.02, lease=lease, job="test")

    loops = {name: loop(name) for name in ("one", "other")}
    yield loops, ran
    for each in loops.values():
        each.stop()


def test_one_of_two_runs_the_job_and_the_other_takes_over(
    two_processes: tuple[dict[str, BackgroundLoop], list[str]],
) -> None:
    loops, ran = two_processes
    for loop in loops.values():
        loop.start()
    wait_until(lambda: len(ran) >= 5 and "starting" not in {x.role for x in loops.values()}, "runs")
    roles = {name: loop.role for name, loop in loops.items()}
    assert sorted(roles.values()) == ["runner", "standby"]
    runner = next(name for name, role in roles.items() if role == "runner")
    standby = next(name for name in loops if name != runner)
    assert set(ran) == {runner}
    loops[runner].stop()
    wait_until(lambda: loops[standby].role == "runner", "the take-over")
    count = len(ran)
    wait_until(lambda: len(ran) > count, "a step by the new runner")
    assert set(ran[count:]) == {standby}


def test_a_job_s_lease_is_held_by_one_at_a_time_and_each_job_has_its_own(
    settings: Settings, sessions: sessionmaker[Session], engine: Engine
) -> None:
    publish, again, retention = (
        job_lease(settings, sessions, job) for job in ("publish", "publish", "retention")
    )
    try:
        assert publish.hold()
        assert publish.hold()  # held: still held
        assert not again.hold()
        assert retention.hold()
        if engine.dialect.name == "sqlite":  # a lock file in the data directory
            assert settings.data_dir is not None
            assert (settings.data_dir / "jobs-publish.lock").exists()
        publish.release()
        assert again.hold()
    finally:
        for lease in (publish, again, retention):
            lease.release()


def test_a_runner_whose_connection_broke_loses_the_lease(
    settings: Settings, sessions: sessionmaker[Session], engine: Engine
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("an advisory lock belongs to a PostgreSQL connection")
    first = job_lease(settings, sessions, "publish")
    assert first.hold()
    with engine.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND pid <> pg_backend_pid()"
            )
        )
    taker = job_lease(settings, sessions, "publish")
    try:
        wait_until(taker.hold, "the freed lock")
        assert not first.hold()  # its connection broke: lost, and now taken
    finally:
        for lease in (first, taker):
            lease.release()


def test_an_in_memory_database_needs_no_lease() -> None:
    settings = Settings(database_url="sqlite://")
    memory = make_engine("sqlite://")
    try:
        factory = session_factory(memory)
        assert job_lease(settings, factory, "publish").hold()
        assert job_lease(settings, factory, "publish").hold()
    finally:
        memory.dispose()


# -- across processes: hotlist serve --workers 2 -------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _health(port: int) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return int(data[9:12])


RUNS = re.compile(r"this process runs the (\w+) job job=\1 pid=(\d+)")
PUBLISHED = re.compile(
    r"(?:published list version|re-signed the timestamp).* job=publish pid=(\d+)"
)


@pytest.mark.slow
def test_serve_with_two_workers_runs_each_job_once_and_takes_over(
    db_url: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLIST_")}
    env.update(
        HOTLIST_PUBLIC_URL="https://hotline.example",
        HOTLIST_PUBLISH_INTERVAL_S="0.3",
        HOTLIST_PUBLISH_POLL_S="0.1",
        HOTLIST_DATABASE_URL=db_url,
    )
    command = [HOTLIST, "serve", "--data-dir", str(data_dir), "--port", str(port)]
    log = tmp_path / "server.log"

    def lines() -> list[str]:
        return log.read_text(errors="replace").splitlines()

    def runners(job: str) -> list[int]:
        return [int(m[2]) for line in lines() if (m := RUNS.search(line)) and m[1] == job]

    def publishers() -> list[int]:
        return [int(m[1]) for line in lines() if (m := PUBLISHED.search(line))]

    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--workers", "2", "--log-level", "debug"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        try:
            standing_by = "another process runs the publish job"
            wait_until(lambda: any(standing_by in line for line in lines()), "a standby worker")
            wait_until(lambda: len(publishers()) >= 5, "five scheduled publishes")
            (runner,) = runners("publish")
            assert len(runners("retention")) == 1
            assert set(publishers()) == {runner}  # each scheduled publish by the one runner
            # The timestamp's version counts every publish (1 is the repository's creation):
            # there is none but the runner's logged ones (the newest may not be logged yet).
            timestamp = data_dir / "repository" / "metadata" / "timestamp.json"
            logged = len(publishers())
            version = json.loads(timestamp.read_text())["signed"]["version"]
            count = len(publishers())
            assert logged + 1 <= version <= count + 2
            assert _health(port) == 200

            os.kill(runner, signal.SIGKILL)
            wait_until(lambda: len(runners("publish")) == 2, "another worker taking over")
            successor = runners("publish")[1]
            assert successor != runner
            wait_until(lambda: publishers()[-1] == successor, "a publish by the new runner")
            wait_until(lambda: _health(port) == 200, "health after the take-over")
            # Read before the shutdown: once the successor stops and frees the lease, a worker
            # that uvicorn started in the killed one's place may rightly take it for a last step.
            after = publishers()
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    assert set(after[:count]) == {runner}
    assert set(after[after.index(successor) :]) == {successor}
