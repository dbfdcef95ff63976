"""Lookup daemon and RPZ export: batch checks over HTTP, and the zone from the host entries.

Usage::

    .venv/bin/python benchmarks/bench_lookup.py            # 1,000,000 entries, 30 batches
    .venv/bin/python benchmarks/bench_lookup.py --quick    # 100,000 entries, 5 batches

A store is made in a temporary folder with a synthetic list (60 % page, 30 % folder, 10 % host
entries, as bench_matcher makes them) and its hosts.json extra. ``hotlist edge serve`` runs as
its own process on loopback; one client (then four at once) posts batches of 10,000 synthetic
URLs over a kept-alive connection. Printed: URLs per second, batch latency (median, worst),
single-URL requests per second, the same batches through ``Matcher.check_many`` in-process
(the daemon's share of it), and the time and size of the RPZ export.
"""

from __future__ import annotations

import argparse
import http.client
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import orjson

from bench_matcher import listed_expressions, snapshot_of
from hotline_list import add_direct_store, store_via_hotline
from hotlist.edge.config import EdgeConfig
from hotlist.edge.matcher import Matcher
from hotlist.edge.rpz import RpzSettings, export_zone
from hotlist.edge.store import Store, StoreState, utc_now
from hotlist.publish.hosts import HostEntry, encode_hosts
from hotlist.publish.wire import HOSTS_EXTRA
from synthetic import synthetic_urls

BATCH = 10_000


def make_store(folder: Path, entries: int, *, direct: bool = False) -> Store:
    """A store with a synthetic list of ``entries`` and the host names of its host entries:
    imported, published and synced as a member's is (:mod:`hotline_list`), or with ``direct``
    written straight in (for iterating, not the figures)."""
    expressions = listed_expressions(entries, random.Random(7))
    if not direct:
        return Store(store_via_hotline(folder, expressions))
    snapshot = snapshot_of(expressions, version=5)
    hosts = [
        HostEntry(expression[:-1], number + 1, 1 + number % 4)
        for number, expression in enumerate(expressions)
        if expression.endswith(".example/") or expression.count("/") == 1
    ]
    config = EdgeConfig(server="http://127.0.0.1:9/", key="file:key", list_name="bench")
    store = Store.create(folder / "store", config, b"{}", api_key="unused")
    state = StoreState(
        version=5,
        count=snapshot.count,
        digest=snapshot.digest.hex(),
        synced_at=utc_now().isoformat(),
    )
    store.install(snapshot, state, {HOSTS_EXTRA: encode_hosts(hosts)})
    return store


def start_daemon(store: Store) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hotlist",
            "edge",
            "serve",
            "--store",
            str(store.path),
            "--port",
            "0",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    line = ""
    while "listening on" not in line:
        line = process.stderr.readline()
        if not line:
            raise SystemExit("the daemon did not start")
    return process, line.split("listening on http://", 1)[1].split(" ", 1)[0]


def post(conn: http.client.HTTPConnection, urls: list[str]) -> float:
    body = orjson.dumps({"urls": urls})
    started = time.perf_counter()
    conn.request("POST", "/v1/check", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200 or len(orjson.loads(data)["results"]) != len(urls):
        raise SystemExit(f"unexpected answer {response.status}: {data[:200]!r}")
    return elapsed


def client(address: str, batches: list[list[str]], times: list[float]) -> None:
    host, port = address.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        for batch in batches:
            times.append(post(conn, batch))
    finally:
        conn.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 entries, 5 batches")
    add_direct_store(parser)
    args = parser.parse_args(argv)
    entries, count = (100_000, 5) if args.quick else (1_000_000, 30)
    with tempfile.TemporaryDirectory(prefix="hotlist-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        store = make_store(folder, entries, direct=args.direct_store)
        print(f"store with {entries:,} entries made in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        zone = export_zone(store, folder / "zone.rpz", RpzSettings())
        seconds = time.perf_counter() - started
        size = (folder / "zone.rpz").stat().st_size
        print(
            f"RPZ export: {zone.hosts:,} host entries in {seconds:.2f} s "
            f"({zone.hosts / seconds:,.0f}/s), {size / 1e6:.1f} MB"
        )

        urls = list(synthetic_urls(BATCH * count, seed=3))
        batches = [urls[i : i + BATCH] for i in range(0, len(urls), BATCH)]
        process, address = start_daemon(store)
        try:
            client(address, batches[:1], [])  # warm-up: loads the list
            times: list[float] = []
            started = time.perf_counter()
            client(address, batches, times)
            wall = time.perf_counter() - started
            over_http = len(urls) / wall
            print(
                f"1 client: {over_http:,.0f} URLs/s in batches of {BATCH:,}; "
                f"batch median {statistics.median(times) * 1000:.0f} ms, "
                f"worst {max(times) * 1000:.0f} ms"
            )
            # The same batches in this process, through Matcher.check_many: the HTTP and JSON
            # cost is the difference (issue 13: the daemon at >= 0.8x of this).
            matcher = Matcher.from_store(store.path)
            matcher.check_many(batches[0])
            started = time.perf_counter()
            for batch in batches:
                matcher.check_many(batch)
            in_process = len(urls) / (time.perf_counter() - started)
            print(
                f"in-process check_many: {in_process:,.0f} URLs/s; "
                f"the daemon (1 client) at {over_http / in_process:.2f}x of it"
            )
            shares: list[list[float]] = [[] for _ in range(4)]
            threads = [
                threading.Thread(target=client, args=(address, batches[i::4], shares[i]))
                for i in range(4)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started
            all_times = [t for share in shares for t in share]
            median, worst = statistics.median(all_times), max(all_times)
            print(
                f"4 clients: {len(urls) / wall:,.0f} URLs/s; batch median "
                f"{median * 1000:.0f} ms, worst {worst * 1000:.0f} ms"
            )
            singles: list[float] = []
            client(address, [[url] for url in urls[:2000]], singles)
            print(
                f"single-URL requests: {len(singles) / sum(singles):,.0f}/s, "
                f"median {statistics.median(singles) * 1e6:.0f} us"
            )
        finally:
            process.terminate()
            process.wait(timeout=20)
            if process.stderr is not None:
                process.stderr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
