"""Re-verification cost: checks per second against a loopback HTTP origin with bounded
concurrency, and the CPU one process spends re-checking 10,000 active entries over many hosts.

The origin runs in its own process (``http.server``, a thread per connection), so this
process's CPU time (``time.process_time``, every thread of it) is the checker's and the
schedule's alone. It answers as file hosts do (:data:`MIX`): 80 % of the URLs 200 with a file's
headers, 6 % a 301 to a new path, 4 % refuse HEAD (405, then a GET the checker closes after the
headers), 8 % are gone (404, 410) and 2 % fail (503).

1. The checker alone: ``--checks`` checks of distinct URLs through ``HttpChecker`` in a pool
   of ``--concurrency`` threads; checks per second (wall) and CPU milliseconds per check.
2. The schedule: ``--entries`` active entries (page scope) spread over ``--hosts`` host names
   under ``.test``, all resolved to 127.0.0.1 by the checker's injectable resolver (the entries'
   URLs name no port, so the benchmark's checker adds the origin's port to each URL before
   the real checker sees it). The job's tick (``reverification.jobs.run_once``: 500 checks a
   batch, planned in one transaction, checked with no connection held, recorded in another)
   enrols them and takes each baseline; a second tick, 13.2 hours later (every entry due
   again), is the steady state: the due entries read, checked in ``--concurrency`` threads,
   each check appended to the log and the schedule moved on. Its CPU seconds per check give
   the share of one core that re-checking ``--entries`` entries twice a day takes: CPU s per
   check x entries x 2 / 86,400 (the goal: under 5 % for 10,000 entries).

    .venv/bin/python benchmarks/bench_reverify.py                    # SQLite, 10,000 entries
    .venv/bin/python benchmarks/bench_reverify.py --database-url postgresql+psycopg://...
    .venv/bin/python benchmarks/bench_reverify.py --entries 1000 --hosts 100 --checks 500
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import tempfile
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import func, select

from hotlist.server.config import Settings
from hotlist.server.db.session import make_engine, session_factory
from hotlist.server.db.upgrade import upgrade
from hotlist.server.kit.checker import CheckResult, HttpChecker, StaticResolver
from hotlist.server.kit.clock import ManualClock
from hotlist.server.reverification.jobs import run_once
from hotlist.server.reverification.models import UrlCheck
from seeded_entries import seed_entries

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY_S = 86_400


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, *, head: bool) -> None:
        """What a file host answers, by a stable share of the paths (:data:`MIX`)."""
        path = self.path.split("?", 1)[0]
        kind = answer_for(path)
        if kind == "moved" and not path.startswith("/new"):
            self.send_response(301)
            self.send_header("Location", "/new" + path)
            self.send_header("Content-Length", "0")
        elif kind == "head_refused" and head:
            self.send_response(405)
            self.send_header("Allow", "GET")
            self.send_header("Content-Length", "0")
        elif kind in ("not_found", "deleted", "unavailable"):
            self.send_response({"not_found": 404, "deleted": 410, "unavailable": 503}[kind])
            self.send_header("Content-Length", "0")
        else:
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", "48213")
            self.send_header("ETag", '"5e1f-bench"')
            self.send_header("Last-Modified", "Mon, 02 Mar 2026 08:00:00 GMT")
        self.end_headers()
        if not head and kind == "head_refused":
            self.wfile.write(b"\0" * 48213)  # the checker closes before reading it


MIX = (
    ("present", 80),
    ("moved", 6),
    ("head_refused", 4),
    ("not_found", 6),
    ("deleted", 2),
    ("unavailable", 2),
)
"""What share of the URLs (in %) answers how: most are still there; some moved (301 to a new
path), refuse HEAD (405, then a GET closed after its headers), are gone (404, 410), or fail
(503). Gone twice 13 hours apart, the second tick removes those entries, as it would."""


def answer_for(path: str) -> str:
    """The kind of answer ``path`` gets (stable: by CRC-32 of the path without ``/new``)."""
    bucket = zlib.crc32(path.removeprefix("/new").encode()) % 100
    for kind, share in MIX:
        if bucket < share:
            return kind
        bucket -= share
    return "present"


class _Origin(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a checker hanging up after the headers of a GET is what it should do."""


def _serve(ready: Any) -> None:
    server = _Origin(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.request_queue_size = 1024
    ready.put(server.server_address[1])
    server.serve_forever()


class Ported:
    """The real checker, each URL sent to the origin's port first (the entries name none)."""

    def __init__(self, checker: HttpChecker, port: int) -> None:
        self._checker = checker
        self._port = port

    def check(self, url: str) -> CheckResult:
        parts = urlsplit(url)
        return self._checker.check(
            urlunsplit(parts._replace(netloc=f"{parts.hostname}:{self._port}"))
        )


def cpu() -> float:
    """This process's CPU seconds (user + system, every thread)."""
    return time.process_time()


def checker_alone(checker: HttpChecker, port: int, checks: int, concurrency: int) -> None:
    urls = [f"http://h{i % 997}.origin.test:{port}/p/{i}.html" for i in range(checks)]
    checker.check(urls[0])  # warm: imports, first connection
    wall, spent = time.perf_counter(), cpu()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(checker.check, urls))
    wall, spent = time.perf_counter() - wall, cpu() - spent
    present = sum(1 for result in results if result.outcome.value == "present")
    print(f"checker alone: {checks} checks, {concurrency} at a time, {present} present")
    print(f"  {checks / wall:,.0f} checks/s wall, {spent / checks * 1000:.3f} ms CPU per check")


def schedule(
    sessions: Any,
    url: str,
    checker: Ported,
    entries_count: int,
    concurrency: int,
    interval_s: float,
) -> None:
    settings = Settings(
        database_url=url,
        check_concurrency=concurrency,
        check_per_host_interval_s=interval_s,
        reverify_interval_s=3600.0,
    )
    clock = ManualClock(START)
    for label, step in (("baseline tick", 0.0), ("scheduled tick", 13.2)):
        clock.advance(timedelta(hours=step))
        wall, spent = time.perf_counter(), cpu()
        tick = run_once(sessions, checker, settings, clock=clock)
        wall, spent = time.perf_counter() - wall, cpu() - spent
        checked = max(tick.checked, 1)
        per_check = spent / checked
        share = per_check * entries_count * 2 / DAY_S
        print(
            f"{label}: {tick.checked} checked {dict(tick.outcomes)}, enrolled {tick.enrolled}, "
            f"deferred {tick.deferred}, removed {len(tick.removed)} (gone twice)"
        )
        print(
            f"  {wall:.2f} s wall ({tick.checked / wall:,.0f} checks/s), {spent:.2f} s CPU, "
            f"{per_check * 1000:.3f} ms CPU per check"
        )
        print(
            f"  {entries_count:,} entries re-checked twice a day: {share * 100:.3f} % of one "
            f"core (goal < 5 %): {'met' if share < 0.05 else 'NOT met'}"
        )
    with sessions() as session:
        logged = session.scalar(select(func.count()).select_from(UrlCheck))
    print(f"check log: {logged} rows")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=1_000)
    parser.add_argument("--checks", type=int, default=3_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--per-host-interval",
        type=float,
        default=0.0,
        help="seconds between two checks of a host (pacing sleeps: wall time, no CPU)",
    )
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    ready: Any = multiprocessing.Queue()
    origin = multiprocessing.Process(target=_serve, args=(ready,), daemon=True)
    origin.start()
    port = ready.get(timeout=10)
    checker = HttpChecker(
        allow_loopback=True,
        resolver=StaticResolver(default=["127.0.0.1"]),
        connect_timeout_s=5.0,
        read_timeout_s=5.0,
    )
    try:
        checker_alone(checker, port, args.checks, args.concurrency)
        with tempfile.TemporaryDirectory() as tmp:
            url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
            upgrade(url)
            engine = make_engine(url)
            sessions = session_factory(engine)
            seeded = time.perf_counter()
            seed_entries(sessions, [f"h{i}.origin.test" for i in range(args.hosts)], args.entries)
            print(
                f"seeded {args.entries:,} entries over {args.hosts:,} hosts in "
                f"{time.perf_counter() - seeded:.1f} s ({engine.dialect.name})"
            )
            schedule(
                sessions,
                url,
                Ported(checker, port),
                args.entries,
                args.concurrency,
                args.per_host_interval,
            )
            engine.dispose()
    finally:
        origin.terminate()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
