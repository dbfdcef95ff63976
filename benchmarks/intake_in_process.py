"""The intake's own CPU per report, in one process with the database faked: hotlist's app and the
reference app (``intake_reference.py``) side by side.

``bench_intake.py`` measures the whole path (uvicorn, the driver, PostgreSQL); this one drives
each ASGI app directly with the same reports of ``bench_intake``'s wave and a database that
answers at once, so what it prints is the framework's and the app's Python work alone (routing,
middleware, dependencies, validation, filing's values), the part a profile of one worker splits
into the fewest pieces. Batches alternate between the two apps; each figure is the lowest CPU
time per request of its batches (other work on the machine only ever adds time).

    .venv/bin/python benchmarks/intake_in_process.py
    .venv/bin/python benchmarks/intake_in_process.py --profile hotlist   # cProfile, top 30
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import Executable

import bench_intake
import intake_reference
from hotlist.server.app import create_app
from hotlist.server.config import Settings
from hotlist.server.db.aio import Compiled
from hotlist.server.db.upgrade import upgrade
from hotlist.server.reports.intake import statement

App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


class AnsweringDatabase:
    """hotlist's ``AsyncDatabase`` answering at once: the filing statement gets a new id, the
    policy lookup nothing; the values are still bound as on PostgreSQL."""

    dialect = postgresql.psycopg.dialect()  # type: ignore[attr-defined]

    def __init__(self) -> None:
        self._compiled = Compiled.of(statement("postgresql"), self.dialect)

    async def first(self, query: Executable, values: Mapping[str, Any]) -> tuple[int] | None:
        if query is not statement("postgresql"):
            return None
        self._compiled.parameters(values)
        return (1,)

    async def close(self) -> None:
        """Nothing to close."""


class _Cursor:
    async def fetchone(self) -> tuple[int]:
        return (1,)


class _Connection:
    async def execute(self, _sql: str, _params: Any) -> _Cursor:
        return _Cursor()


class _Pool:
    """The reference's psycopg pool, answering at once."""

    def connection(self) -> Any:
        class Borrowed:
            async def __aenter__(self) -> _Connection:
                return _Connection()

            async def __aexit__(self, *_exc: object) -> None:
                return None

        return Borrowed()


def hotlist_app(folder: Path) -> App:
    """hotlist's app as ``hotlist serve`` makes it (start-up heap frozen), its intake faked."""
    url = f"sqlite:///{folder / 'hotlist.db'}"
    upgrade(url)
    settings = Settings(database_url=url, data_dir=folder, rate_limit_per_second=0)
    app = create_app(settings)
    object.__setattr__(app.state.services, "intake", AnsweringDatabase())
    gc.freeze()
    return app  # type: ignore[return-value]


def reference_app() -> App:
    """The reference's PostgreSQL app with its pool answering at once."""
    app = intake_reference._postgres_app("postgresql://unused@127.0.0.1:9/none")
    for route in app.routes:
        endpoint = getattr(route, "endpoint", None)
        for cell in getattr(endpoint, "__closure__", None) or ():
            if type(cell.cell_contents).__name__ == "AsyncConnectionPool":
                cell.cell_contents = _Pool()
    return app  # type: ignore[return-value]


async def post(app: App, body: bytes) -> int:
    """One ``POST /v1/reports`` through ``app``; its status."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/reports",
        "raw_path": b"/v1/reports",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # the client stays connected
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


async def batch(app: App, bodies: list[bytes]) -> float:
    """CPU microseconds per request over ``bodies``."""
    started = time.process_time()
    for body in bodies:
        await post(app, body)
    return (time.process_time() - started) / len(bodies) * 1e6


async def compare(apps: dict[str, App], bodies: list[bytes], batches: int, size: int) -> None:
    for name, app in apps.items():  # warm up, and every report must be filed
        statuses = {await post(app, body) for body in bodies[:50]}
        if statuses != {201}:
            raise SystemExit(f"{name} answered {statuses}, not 201")
    best = dict.fromkeys(apps, float("inf"))
    for number in range(batches):
        start = (number * size) % (len(bodies) - size)
        for name, app in apps.items():
            best[name] = min(best[name], await batch(app, bodies[start : start + size]))
    for name, value in best.items():
        print(f"  {name:<10} {value:7.1f} us of CPU per report")
    print(f"  hotlist / reference: {best['hotlist'] / best['reference']:.2f}x the CPU")


def main() -> int:
    """Run the comparison, or profile one app."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=40, help="batches per app, alternating")
    parser.add_argument("--size", type=int, default=500, help="reports per batch")
    parser.add_argument("--profile", choices=("hotlist", "reference"), help="cProfile one app")
    args = parser.parse_args()
    rng = random.Random(1)
    bodies = [
        json.dumps(bench_intake._body(rng, n, "inproc")).encode()
        for n in range(max(2 * args.size, 20_000))
    ]
    with tempfile.TemporaryDirectory(prefix="hotlist-intake-") as name:
        os.environ.pop("HOTLIST_DATABASE_URL", None)
        apps = {"hotlist": hotlist_app(Path(name)), "reference": reference_app()}
        print(f"POST /v1/reports in process, database faked, {args.batches} x {args.size}:")
        if args.profile:
            app = apps[args.profile]
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            asyncio.run(batch(app, bodies[: args.size * 4]))
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(30)
            return 0
        asyncio.run(compare(apps, bodies, args.batches, args.size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
