"""Report intake: POST /v1/reports per second and latency, on SQLite and PostgreSQL.

Starts ``hotlist serve`` (uvicorn, ``--workers N``) on a loopback port against a fresh
database, then drives it from a second process: asyncio with keep-alive connections and a
minimal HTTP/1.1 client, so the load generator costs as little CPU as possible on a machine the
server shares. Each report has a distinct URL (a new row each time). Prints, per database,
requests/s, p50/p99 latency and how many requests failed.

    .venv/bin/python benchmarks/bench_intake.py            # 10 s per database
    .venv/bin/python benchmarks/bench_intake.py --quick    # 3 s per database
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _postgres_database() -> Iterator[str]:
    import psycopg

    name = f"hotlist_bench_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _session_cpu_seconds(session_id: int) -> float:
    """CPU time (user + system) used so far by the processes of one session (the server)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session_id:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def _server(data_dir: Path, database_url: str | None, workers: int) -> Iterator[tuple[int, int]]:
    port = _free_port()
    command = [
        str(Path(sys.executable).parent / "hotlist"),
        "serve",
        "--data-dir",
        str(data_dir),
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--rate-limit",
        "0",
        "--log-level",
        "warning",
    ]
    env = dict(os.environ)
    env.pop("HOTLIST_DATABASE_URL", None)
    # The server on loopback publishes as before (a loopback public URL is refused otherwise).
    env["HOTLIST_UNSAFE_LOOPBACK_PUBLIC_URL"] = "1"
    if database_url:
        env["HOTLIST_DATABASE_URL"] = database_url
    log = data_dir / "server.log"
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
                raise RuntimeError(f"the server did not start:\n{tail}")
            time.sleep(0.2)
        yield port, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# --- the load generator (runs in its own process: --drive) ---------------------------------


def _request(port: int, n: int, run: str) -> bytes:
    body = json.dumps(
        {"url": f"http://site{n % 997}.example/{run}/page/{n}.html", "comment": "bench"}
    ).encode()
    head = (
        f"POST /v1/reports HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _connection(
    port: int, stop_at: float, measure_from: float, counter: list[int], out: dict[str, Any]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    run = secrets.token_hex(3)
    try:
        while time.monotonic() < stop_at:
            counter[0] += 1
            request = _request(port, counter[0], run)
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
            if started >= measure_from:
                out["latencies"].append(done - started)
                out["statuses"][status] = out["statuses"].get(status, 0) + 1
    finally:
        writer.close()


async def _drive_async(
    port: int, concurrency: int, seconds: float, warmup: float
) -> dict[str, Any]:
    out: dict[str, Any] = {"latencies": [], "statuses": {}}
    now = time.monotonic()
    measure_from, stop_at = now + warmup, now + warmup + seconds
    counter = [0]
    await asyncio.gather(
        *(_connection(port, stop_at, measure_from, counter, out) for _ in range(concurrency))
    )
    latencies = sorted(out["latencies"])
    count = len(latencies)

    def pct(p: float) -> float:
        return latencies[min(count - 1, int(p * count))] * 1000 if count else float("nan")

    ok = out["statuses"].get(201, 0)
    return {
        "sent": counter[0],
        "requests": count,
        "ok": ok,
        "failed": count - ok,
        "statuses": {str(k): v for k, v in out["statuses"].items()},
        "per_second": count / seconds,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": latencies[-1] * 1000 if count else float("nan"),
    }


def _drive(port: int, concurrency: int, seconds: float, warmup: float) -> None:
    result = asyncio.run(_drive_async(port, concurrency, seconds, warmup))
    print(json.dumps(result))


# --- the benchmark -------------------------------------------------------------------------


def _measure(port: int, server_session: int, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--drive",
        str(port),
        "--concurrency",
        str(args.concurrency),
        "--seconds",
        str(args.seconds),
        "--warmup",
        str(args.warmup),
    ]
    server_before = _session_cpu_seconds(server_session)
    driver_before = os.times().children_user + os.times().children_system
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result = dict(json.loads(output.strip().splitlines()[-1]))
    server_cpu = _session_cpu_seconds(server_session) - server_before
    driver_cpu = os.times().children_user + os.times().children_system - driver_before
    result["server_cpu_ms_per_request"] = 1000 * server_cpu / max(1, result["sent"])
    result["driver_cpu_ms_per_request"] = 1000 * driver_cpu / max(1, result["sent"])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 s per database")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=16, help="open connections")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--drive", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        _drive(args.drive, args.concurrency, args.seconds, args.warmup)
        return 0
    if args.quick:
        args.seconds, args.warmup = 3.0, 1.0
    results: dict[str, Any] = {}
    for database in args.databases.split(","):
        with tempfile.TemporaryDirectory(prefix="hotlist-bench-") as tmp:
            if database == "sqlite":
                with _server(Path(tmp), None, args.workers) as (port, session):
                    results[database] = _measure(port, session, args)
            else:
                try:
                    pg = _postgres_database()
                    url = pg.__enter__()
                except Exception as exc:
                    print(f"{database}: skipped ({exc})", file=sys.stderr)
                    continue
                try:
                    with _server(Path(tmp), url, args.workers) as (port, session):
                        results[database] = _measure(port, session, args)
                finally:
                    pg.__exit__(None, None, None)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(
        f"report intake, POST /v1/reports, {args.workers} uvicorn workers, "
        f"{args.concurrency} connections, {args.seconds:g} s (cpus: {os.cpu_count()})"
    )
    print(
        f"{'database':<12}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'failed':>8}"
        f"{'server CPU ms/req':>19}{'driver CPU ms/req':>19}"
    )
    for database, r in results.items():
        print(
            f"{database:<12}{r['per_second']:>8.0f}{r['p50_ms']:>8.1f}{r['p99_ms']:>8.1f}"
            f"{r['max_ms']:>8.1f}{r['failed']:>8}{r['server_cpu_ms_per_request']:>19.2f}"
            f"{r['driver_cpu_ms_per_request']:>19.2f}"
        )
    print(
        "server CPU ms/req: the server's processes only (uvicorn and its workers), "
        "not PostgreSQL's; cores / that = the ceiling on an idle machine"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
