"""Report intake side by side with a minimal FastAPI app: POST /v1/reports per second, latency,
server CPU per report and reports lost, on SQLite and PostgreSQL.

For each database it starts ``hotlist serve`` and the peer (``intake_reference.py``: a handler
that validates a small model and INSERTs one row with psycopg 3) under the same uvicorn settings
(``--workers N``, no access log), each on a fresh database, and drives them in turn, alternating
round by round, from a second process: asyncio with keep-alive connections and a minimal
HTTP/1.1 client, so the load generator costs little CPU on a machine the servers share.

The stream is a wave as a hotline sees one: most reports name distinct pages on thousands of
hosts, about one in seven names one of a few viral links (hotlist files them as duplicates), a
quarter carry a category hint, one in ten a contact (hotlist encrypts it), half a comment. Both
servers get the same requests. After the rounds it counts the rows each database holds against
the 201 receipts the driver got, and the 5xx answers: nothing may be lost.

    .venv/bin/python benchmarks/bench_intake.py                # 5 rounds of 10 s each
    .venv/bin/python benchmarks/bench_intake.py --seconds 60 --rounds 1   # the 60 s goal
    .venv/bin/python benchmarks/bench_intake.py --quick        # 1 round of 3 s, a smoke test
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import intake_reference

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
HINTS = ("csam", "terror", "ncii")
VIRAL = 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _postgres_database() -> Iterator[str]:
    """A new PostgreSQL database (libpq URL), dropped afterwards."""
    import psycopg

    name = f"hotlist_bench_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _cpu_seconds(session_id: int | None = None, command: str | None = None) -> float:
    """CPU time (user + system) used so far by the processes of one session (a server), or
    by every process of one command name (``postgres``: the database's backends)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, _, rest = stat.read_text().rpartition(")")
        except OSError:
            continue
        fields = rest.split()
        if (session_id is not None and int(fields[3]) == session_id) or (
            command is not None and name.partition("(")[2] == command
        ):
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """A server under test: where it listens, its process session, how to count its rows."""

    name: str
    port: int
    session: int
    database: str
    rows: Any
    rounds: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def _serving(command: list[str], env: dict[str, str], log: Path) -> Iterator[tuple[int, int]]:
    port = _free_port()
    command = [part.replace("{port}", str(port)) for part in command]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{command[0]} did not start:\n{tail}")
            time.sleep(0.2)
        yield port, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _hotlist(data_dir: Path, database_url: str | None, workers: int) -> Any:
    command = [
        str(Path(sys.executable).parent / "hotlist"),
        "serve",
        "--data-dir",
        str(data_dir),
        "--port",
        "{port}",
        "--workers",
        str(workers),
        "--rate-limit",
        "0",
        "--log-level",
        "warning",
    ]
    env = dict(os.environ)
    env.pop("HOTLIST_DATABASE_URL", None)
    env["HOTLIST_UNSAFE_LOOPBACK_PUBLIC_URL"] = "1"
    if database_url:
        env["HOTLIST_DATABASE_URL"] = database_url.replace("postgresql://", "postgresql+psycopg://")
    return _serving(command, env, data_dir / "hotlist.log")


def _reference(data_dir: Path, database_url: str, workers: int) -> Any:
    intake_reference.create_schema(database_url)
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "intake_reference:make_app",
        "--app-dir",
        str(Path(__file__).resolve().parent),
        "--port",
        "{port}",
        "--workers",
        str(workers),
        "--no-access-log",
        "--no-server-header",
        "--log-level",
        "warning",
    ]
    env = {**os.environ, "REFERENCE_DATABASE_URL": database_url}
    return _serving(command, env, data_dir / "reference.log")


def _hotlist_rows(database_url: str) -> int:
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
            return int(connection.execute("SELECT count(*) FROM reports").fetchone()[0])
    import psycopg

    with psycopg.connect(database_url) as connection:
        row = connection.execute("SELECT count(*) FROM reports").fetchone()
        return int(row[0]) if row else 0


# --- the load generator (runs in its own process: --drive) ---------------------------------


def _body(rng: random.Random, n: int, run: str) -> dict[str, Any]:
    """One report of the wave (see the module's docstring for the mix)."""
    if rng.random() < 0.15:
        url = f"https://viral{rng.randrange(VIRAL)}.example/watch?v={rng.randrange(VIRAL)}"
    else:
        host = f"www.site{rng.randrange(5000)}.example"
        url = f"http://{host}/{run}/{rng.choice(('a', 'b', 'media'))}/page-{n}.html?id={n}"
    body: dict[str, Any] = {"url": url}
    if rng.random() < 0.25:
        body["category_hint"] = rng.choice(HINTS)
    if rng.random() < 0.10:
        body["contact"] = f"reporter{n}@example.org"
    if rng.random() < 0.5:
        body["comment"] = "seen in a public group, shared by several accounts"
    return body


def _request(port: int, body: dict[str, Any]) -> bytes:
    data = json.dumps(body).encode()
    head = (
        f"POST /v1/reports HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


async def _connection(
    port: int, seed: int, stop_at: float, measure_from: float, out: dict[str, Any]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    rng = random.Random(seed)
    run = secrets.token_hex(3)
    n = 0
    try:
        while time.monotonic() < stop_at:
            n += 1
            request = _request(port, _body(rng, seed * 10_000_000 + n, run))
            started = time.monotonic()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            done = time.monotonic()
            out["sent"] += 1
            out["all_statuses"][status] = out["all_statuses"].get(status, 0) + 1
            if started >= measure_from:
                out["latencies"].append(done - started)
    finally:
        writer.close()


async def _drive_async(
    port: int, concurrency: int, seconds: float, warmup: float, seed: int
) -> dict[str, Any]:
    out: dict[str, Any] = {"latencies": [], "all_statuses": {}, "sent": 0}
    now = time.monotonic()
    measure_from, stop_at = now + warmup, now + warmup + seconds
    await asyncio.gather(
        *(
            _connection(port, seed + i, stop_at, measure_from, out)
            for i in range(1, concurrency + 1)
        )
    )
    return {
        "sent": out["sent"],
        "statuses": {str(k): v for k, v in out["all_statuses"].items()},
        "latencies": out["latencies"],
        "seconds": seconds,
    }


# --- the benchmark -------------------------------------------------------------------------


def _checkpoint() -> None:
    """Write PostgreSQL's dirty pages out before a round: each round then starts as the other's
    did, right after a checkpoint, and pays for its own full-page writes only (a checkpoint
    that began during one server's round would charge it for the other's pages)."""
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        connection.execute("CHECKPOINT")


def _round(server: Server, args: argparse.Namespace, seed: int) -> None:
    if server.database == "postgresql":
        _checkpoint()
    command = [
        sys.executable,
        __file__,
        "--drive",
        str(server.port),
        "--concurrency",
        str(args.concurrency),
        "--seconds",
        str(args.seconds),
        "--warmup",
        str(args.warmup),
        "--seed",
        str(seed),
    ]
    cpu_before = _cpu_seconds(server.session)
    database_before = _cpu_seconds(command="postgres")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result = dict(json.loads(output.strip().splitlines()[-1]))
    result["server_cpu"] = _cpu_seconds(server.session) - cpu_before
    result["database_cpu"] = _cpu_seconds(command="postgres") - database_before
    server.rounds.append(result)


def _summary(server: Server) -> dict[str, Any]:
    latencies = sorted(x for r in server.rounds for x in r["latencies"])
    count = len(latencies)
    seconds = sum(r["seconds"] for r in server.rounds)
    sent = sum(r["sent"] for r in server.rounds)
    statuses: dict[str, int] = {}
    for r in server.rounds:
        for status, n in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n

    def pct(p: float) -> float:
        return latencies[min(count - 1, int(p * count))] * 1000 if count else float("nan")

    receipts = statuses.get("201", 0)
    rows = server.rows()
    return {
        "per_second": count / seconds if seconds else 0.0,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": latencies[-1] * 1000 if count else float("nan"),
        "server_cpu_ms_per_request": 1000 * sum(r["server_cpu"] for r in server.rounds) / sent,
        "database_cpu_ms_per_request": (
            1000 * sum(r["database_cpu"] for r in server.rounds) / sent
            if server.database == "postgresql"
            else float("nan")  # SQLite works inside the server's processes
        ),
        "sent": sent,
        "receipts": receipts,
        "rows": rows,
        "lost": receipts - rows,
        "server_errors": sum(n for status, n in statuses.items() if status.startswith("5")),
        "other": sent - receipts,
    }


def _database_urls(stack: ExitStack, database: str, tmp: Path) -> tuple[str, str] | None:
    if database == "sqlite":
        return f"sqlite:///{tmp / 'hotlist.db'}", f"sqlite:///{tmp / 'reference.db'}"
    try:
        return stack.enter_context(_postgres_database()), stack.enter_context(_postgres_database())
    except Exception as exc:  # the benchmark goes on without PostgreSQL
        print(f"{database}: skipped ({exc})", file=sys.stderr)
        return None


def compare(database: str, args: argparse.Namespace) -> dict[str, Any] | None:
    """Run hotlist and the reference side by side on ``database``; their summaries."""
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hotlist-bench-")))
        urls = _database_urls(stack, database, tmp)
        if urls is None:
            return None
        hotlist_url, reference_url = urls
        (tmp / "hotlist").mkdir()
        hotlist_db = None if database == "sqlite" else hotlist_url
        port, session = stack.enter_context(_hotlist(tmp / "hotlist", hotlist_db, args.workers))
        stored = hotlist_url if database != "sqlite" else f"sqlite:///{tmp / 'hotlist/hotlist.db'}"
        servers = [
            Server("hotlist", port, session, database, lambda: _hotlist_rows(stored)),
        ]
        port, session = stack.enter_context(_reference(tmp, reference_url, args.workers))
        servers.append(
            Server(
                "reference",
                port,
                session,
                database,
                lambda: intake_reference.count_rows(reference_url),
            )
        )
        for number in range(args.rounds):
            order = servers if number % 2 == 0 else list(reversed(servers))
            for server in order:
                _round(server, args, seed=1000 * (number + 1))
        time.sleep(0.5)
        return {server.name: _summary(server) for server in servers}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 round of 3 s per server")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds a round")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds a round")
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="rounds per server, alternating (the ratio moves less with more)",
    )
    parser.add_argument("--concurrency", type=int, default=16, help="open connections")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--drive", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        result = asyncio.run(
            _drive_async(args.drive, args.concurrency, args.seconds, args.warmup, args.seed)
        )
        print(json.dumps(result))
        return 0
    if args.quick:
        args.seconds, args.warmup, args.rounds = 3.0, 1.0, 1
    results: dict[str, Any] = {}
    for database in args.databases.split(","):
        found = compare(database, args)
        if found is not None:
            results[database] = found
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(
        f"report intake, POST /v1/reports, {args.workers} uvicorn workers, "
        f"{args.concurrency} connections, {args.rounds} x {args.seconds:g} s per server, "
        f"alternating (cpus: {os.cpu_count()})"
    )
    print(
        f"{'database':<11}{'server':<10}{'req/s':>7}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}"
        f"{'CPU ms/req':>11}{'DB CPU':>8}{'receipts':>10}{'rows':>8}{'lost':>6}{'5xx':>5}"
    )
    for database, pair in results.items():
        for name, r in pair.items():
            print(
                f"{database:<11}{name:<10}{r['per_second']:>7.0f}{r['p50_ms']:>8.1f}"
                f"{r['p99_ms']:>8.1f}{r['max_ms']:>8.1f}{r['server_cpu_ms_per_request']:>11.2f}"
                f"{r['database_cpu_ms_per_request']:>8.2f}"
                f"{r['receipts']:>10}{r['rows']:>8}{r['lost']:>6}{r['server_errors']:>5}"
            )
        ratio = pair["hotlist"]["per_second"] / max(pair["reference"]["per_second"], 1e-9)
        print(f"{database:<11}hotlist / reference req/s: {ratio:.2f}x")
    print(
        "CPU ms/req: the server's own processes (uvicorn and its workers); DB CPU: PostgreSQL's "
        "processes, ms per request (SQLite runs inside the server); lost: receipts given minus "
        "rows stored"
    )
    failed = any(
        r["lost"] or r["server_errors"] for pair in results.values() for r in pair.values()
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
