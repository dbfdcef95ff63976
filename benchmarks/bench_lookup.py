"""Lookup daemon and RPZ export: batch checks over HTTP, and the zone from the host entries.

Usage::

    .venv/bin/python benchmarks/bench_lookup.py                    # issue 13's ISP-like stream
    .venv/bin/python benchmarks/bench_lookup.py --stream project   # 1,000,000 synthetic entries
    .venv/bin/python benchmarks/bench_lookup.py --quick            # a tenth of the list, 5 batches

A store is made in a temporary folder, the list imported, published and synced as a member's is
(``--direct-store`` writes it straight in), with its hosts.json extra. By default the list and
the URLs are issue 13's ISP-like ones (:mod:`isp_stream`: 250,000 entries on popular hosts, 45 %
of the URLs to hosts with entries, 1 % hits); ``--stream project`` takes the project's synthetic
list (60 % page, 30 % folder, 10 % host entries) and stream. ``hotlist edge serve`` runs as its
own process on loopback; one client posts batches of 10,000 URLs over a kept-alive connection,
asking for the full answer (a verdict per URL) and the compact one (only blocked and invalid
URLs), alternating round by round with the same batches through ``Matcher.check_many`` in this
process: the ratios are the daemon's share of in-process speed (the client's JSON encoding and
decoding of each answer included), and every way must block the same URLs. Then four clients at
once, single-URL requests, and the time and size of the RPZ export.
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


def make_store(folder: Path, expressions: list[str], *, direct: bool = False) -> Store:
    """A store with the list of ``expressions`` and the host names of its host entries:
    imported, published and synced as a member's is (:mod:`hotline_list`), or with ``direct``
    written straight in (for iterating, not the figures)."""
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


def post(
    conn: http.client.HTTPConnection, urls: list[str], answer: str = "full"
) -> tuple[float, int]:
    """Post one batch and read its answer: the seconds from sending to the answer read, and
    how many of its URLs are blocked."""
    body = orjson.dumps({"urls": urls, "answer": answer})
    started = time.perf_counter()
    conn.request("POST", "/v1/check", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    document = orjson.loads(data)
    elapsed = time.perf_counter() - started
    if response.status != 200 or document["count"] != len(urls):
        raise SystemExit(f"unexpected answer {response.status}: {data[:200]!r}")
    verdicts = document["results" if answer == "full" else "blocked_or_invalid"]
    return elapsed, sum(1 for verdict in verdicts if verdict["blocked"])


def client(address: str, batches: list[list[str]], times: list[float], answer: str = "full") -> int:
    """Post ``batches`` over one kept-alive connection, each time into ``times``; the URLs
    blocked."""
    host, port = address.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    blocked = 0
    try:
        for batch in batches:
            elapsed, hits = post(conn, batch, answer)
            times.append(elapsed)
            blocked += hits
    finally:
        conn.close()
    return blocked


def side_by_side(
    address: str, matcher: Matcher, batches: list[list[str]], rounds: int
) -> dict[str, list[float]]:
    """URLs/s of in-process ``check_many`` and of the daemon (full and compact answers) over
    the same batches, one client, alternating round by round."""
    urls = sum(len(batch) for batch in batches)
    rates: dict[str, list[float]] = {"in-process": [], "full": [], "compact": []}
    blocked: dict[str, set[int]] = {label: set() for label in rates}
    for _ in range(rounds):
        for label in rates:
            started = time.perf_counter()
            if label == "in-process":
                hits = 0
                for batch in batches:
                    hits += sum(1 for verdict in matcher.check_many(batch) if verdict.blocked)
            else:
                hits = client(address, batches, [], label)
            rates[label].append(urls / (time.perf_counter() - started))
            blocked[label].add(hits)
    if len(set.union(*blocked.values())) != 1:
        raise SystemExit(f"the answers disagree on how many URLs are blocked: {blocked}")
    print(f"every way blocks the same {blocked['in-process'].pop():,} URLs")
    return rates


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 entries, 5 batches")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument(
        "--stream",
        choices=("isp", "project"),
        default="isp",
        help="issue 13's ISP-like stream and list (benchmarks/isp_stream.py: 250,000 entries on "
        "popular hosts), or the project's synthetic ones (1,000,000 entries)",
    )
    add_direct_store(parser)
    args = parser.parse_args(argv)
    count = 5 if args.quick else 30
    if args.stream == "isp":
        from isp_stream import isp_workload

        entries = 25_000 if args.quick else 250_000
        expressions, urls, figures = isp_workload(entries, BATCH * count, seed=7)
        print("ISP-like stream: " + ", ".join(f"{k} {v:,.3g}" for k, v in figures.items()))
    else:
        entries = 100_000 if args.quick else 1_000_000
        expressions = listed_expressions(entries, random.Random(7))
        urls = list(synthetic_urls(BATCH * count, seed=3))
    with tempfile.TemporaryDirectory(prefix="hotlist-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        store = make_store(folder, expressions, direct=args.direct_store)
        print(f"store with {entries:,} entries made in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        zone = export_zone(store, folder / "zone.rpz", RpzSettings())
        seconds = time.perf_counter() - started
        size = (folder / "zone.rpz").stat().st_size
        print(
            f"RPZ export: {zone.hosts:,} host entries in {seconds:.2f} s "
            f"({zone.hosts / seconds:,.0f}/s), {size / 1e6:.1f} MB"
        )

        batches = [urls[i : i + BATCH] for i in range(0, len(urls), BATCH)]
        process, address = start_daemon(store)
        try:
            client(address, batches[:1], [])  # warm-up: loads the list
            # The same batches through Matcher.check_many in this process: the HTTP and JSON
            # cost is the difference (issue 13: the daemon at >= 0.8x of this).
            matcher = Matcher.from_store(store.path)
            matcher.check_many(batches[0])
            rates = side_by_side(address, matcher, batches, args.rounds)
            best = {label: max(values) for label, values in rates.items()}
            print(f"1 client, batches of {BATCH:,}, best of {args.rounds} alternating rounds:")
            for label in ("in-process", "full", "compact"):
                print(
                    f"  {label:<11} {best[label]:>11,.0f} URLs/s   "
                    f"{best[label] / best['in-process']:.2f}x in-process   "
                    f"(rounds: {', '.join(f'{rate:,.0f}' for rate in rates[label])})"
                )
            times: list[float] = []
            client(address, batches, times)
            print(
                f"full answer batch median {statistics.median(times) * 1000:.1f} ms, "
                f"worst {max(times) * 1000:.1f} ms"
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
