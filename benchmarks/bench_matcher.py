"""Matcher throughput and memory: a 1,000,000-entry list, a 1,000,000-URL stream, one core.

The list mixes page, folder and host entries on reserved names; the stream is synthetic traffic
(``benchmarks/synthetic.py``) with about 1 % of URLs made to hit an entry. Reports URLs/s with and
without the host stage, for the compiled core (the default engine) and the Python reference side
by side (alternating runs, best of 3, with the ratio; both must block the same URLs), bytes per
entry (tracemalloc of the index and the columns it keeps plus the core's own table, and the
process's resident memory), and the time to build the index (what a swap costs).

    .venv/bin/python benchmarks/bench_matcher.py            # 1,000,000 entries and URLs
    .venv/bin/python benchmarks/bench_matcher.py --quick    # 100,000 of each
    .venv/bin/python benchmarks/bench_matcher.py --profile  # also a pyinstrument profile
    .venv/bin/python benchmarks/bench_matcher.py --stream isp --entries 250000  # issue 13's stream
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from array import array
from collections.abc import Callable
from functools import partial
from hashlib import sha256
from pathlib import Path

from hotline_list import add_direct_store, store_via_hotline
from hotlist.edge.index import HostFilter
from hotlist.edge.matcher import Matcher
from hotlist.edge.store import Store
from hotlist.errors import InvalidURL
from hotlist.publish.format import Snapshot, encode_snapshot
from hotlist.urls import CanonicalURL, canonical_parts, canonicalize, host_suffixes
from synthetic import synthetic_urls

_ZONES = ("example", "test", "example.com", "example.org", "invalid")
ENGINES = ("core", "python")


def listed_expressions(count: int, rng: random.Random) -> list[str]:
    """``count`` distinct expressions: 60 % pages, 30 % folders, 10 % hosts, ~2 per host."""
    expressions: list[str] = []
    for number in range(count):
        host = f"h{number // 2}x{rng.randrange(1 << 20):x}.{rng.choice(_ZONES)}"
        kind = number % 10
        if kind < 6:
            expressions.append(f"{host}/d{rng.randrange(100)}/p{number}.html")
        elif kind < 9:
            expressions.append(f"{host}/f{number}/")
        else:
            expressions.append(f"{host}/")
    return expressions


def snapshot_of(expressions: list[str], version: int = 1) -> Snapshot:
    """The columnar snapshot of ``expressions`` (category 1..4, entry id = position + 1)."""
    rows = sorted(
        (
            sha256(expression.encode()).digest(),
            sha256((expression.split("/", 1)[0] + "/").encode()).digest()[:8],
            number,
        )
        for number, expression in enumerate(expressions)
    )
    return Snapshot(
        "bench",
        version,
        b"".join(row[0] for row in rows),
        b"".join(row[1] for row in rows),
        array("H", [1 + row[2] % 4 for row in rows]),
        array("Q", [row[2] + 1 for row in rows]),
        bytes(len(rows)),
    )


def listed_snapshot(expressions: list[str], *, direct: bool) -> Snapshot:
    """The snapshot a member's edge holds for ``expressions``: imported, published and synced
    (:mod:`hotline_list`), or with ``direct`` built here (for iterating, not the figures)."""
    if direct:
        return snapshot_of(expressions)
    with tempfile.TemporaryDirectory(prefix="bench-matcher-list-") as name:
        snapshot = Store(store_via_hotline(Path(name), expressions)).load_current()
    if snapshot is None:
        raise RuntimeError("the sync left no list in force")
    return snapshot


def url_hitting(expression: str, rng: random.Random) -> str:
    """A URL the entry ``expression`` covers."""
    host, _, path = expression.partition("/")
    if path.endswith(".html"):
        return f"https://{host}/{path}"
    if path:
        return f"http://{host}/{path}img{rng.randrange(1000)}.jpg"
    return f"http://www.{host}/any/{rng.randrange(1000)}?q=1"


def stream(count: int, expressions: list[str], hit_share: float, seed: int) -> list[str]:
    """``count`` URLs of synthetic traffic, ``hit_share`` of them made to hit a listed entry."""
    rng = random.Random(seed)
    urls = list(synthetic_urls(count, seed))
    for position in rng.sample(range(count), int(count * hit_share)):
        urls[position] = url_hitting(rng.choice(expressions), rng)
    return urls


_RSS_PROBE = """
import gc, resource, sys
from hotlist.edge.index import HostFilter
from hotlist.edge.matcher import Matcher
from hotlist.publish.format import decode_snapshot

def rss():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()

gc.collect()
before = rss()
snapshot = decode_snapshot(open(sys.argv[1], "rb").read())
count = snapshot.count
matcher = Matcher(snapshot, engine=sys.argv[2])
del snapshot
gc.collect()
print((rss() - before) / count)
"""


def rss_per_entry(snapshot: Snapshot, engine: str = "core") -> float:
    """Resident memory a fresh process gains per entry by loading the list and its matcher.

    Measured in a child process (Linux ``/proc``) so that nothing this one allocated counts.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "current.snapshot"
        path.write_bytes(encode_snapshot(snapshot))
        result = subprocess.run(
            [sys.executable, "-c", _RSS_PROBE, str(path), engine],
            check=True,
            capture_output=True,
            text=True,
        )
    return float(result.stdout)


def best_time(run: Callable[[], object], repeat: int = 3) -> float:
    """The least CPU time of ``repeat`` runs of ``run``, in seconds.

    CPU time of this process, not wall time: the figure stays meaningful on a machine shared
    with other work (it still counts cache misses other processes cause).
    """
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def main(argv: list[str]) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 entries and URLs")
    parser.add_argument("--entries", type=int, help="list size (default 1,000,000)")
    parser.add_argument("--urls", type=int, help="stream length (default 1,000,000)")
    parser.add_argument("--hits", type=float, default=0.01, help="share of URLs that hit")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument profile")
    parser.add_argument(
        "--stream",
        choices=("project", "isp"),
        default="project",
        help="the project's synthetic stream, or the ISP-like one (benchmarks/isp_stream.py)",
    )
    add_direct_store(parser)
    args = parser.parse_args(argv)
    size = 100_000 if args.quick else 1_000_000
    entries = args.entries or size
    url_count = args.urls or size

    rng = random.Random(args.seed)
    started = time.perf_counter()
    if args.stream == "isp":
        from isp_stream import isp_workload

        hosts = 800_000 * url_count // 1_000_000
        expressions, urls, figures = isp_workload(
            entries, url_count, args.seed, hosts=hosts, hit_share=args.hits
        )
        print("ISP-like stream: " + ", ".join(f"{k} {v:,.3g}" for k, v in figures.items()))
    else:
        expressions = listed_expressions(entries, rng)
        urls = stream(url_count, expressions, args.hits, args.seed)
    snapshot = listed_snapshot(expressions, direct=args.direct_store)
    print(
        f"setup: {entries:,} entries, {url_count:,} URLs in {time.perf_counter() - started:.1f} s"
    )

    shared = len(snapshot.hashes) + len(snapshot.flags) + 10 * snapshot.count
    for engine in ENGINES:
        gc.collect()
        start = time.process_time()
        matcher = Matcher(snapshot, engine=engine)
        build = time.process_time() - start
        tracemalloc.start()
        probe = Matcher(snapshot, engine=engine)
        own, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        # The core's table is not seen by tracemalloc: count what it says it holds.
        own += probe.nbytes() - (len(snapshot.hashes) + len(snapshot.flags) + 10 * entries)
        del probe
        print(f"{engine}: index build (what a swap costs): {build:.2f} s")
        print(
            f"  memory per entry: {(shared + own) / entries:.1f} B = columns kept "
            f"{shared / entries:.1f} + index {own / entries:.1f}; "
            f"peak while building +{peak / entries:.1f} B"
        )
        rss_entry = rss_per_entry(snapshot, engine)
        print(f"  process RSS per entry, list loaded from its file: {rss_entry:.1f} B")

    matcher = Matcher(snapshot)
    configurations = (
        ("host stage + host cache (default)", {}),
        ("host stage, no host cache", {"host_cache": 0}),
        ("no host stage (every expression hashed)", {"host_stage": False}),
    )
    rows = [
        (label, engine, Matcher(snapshot, engine=engine, **options))  # type: ignore[arg-type]
        for label, options in configurations
        for engine in ENGINES
    ]
    print(f"check_many over {url_count:,} URLs, one core (CPU time, best of 3, alternating):")
    best = {(label, engine): float("inf") for label, engine, _ in rows}
    for _ in range(3):
        for label, engine, subject in rows:
            seconds = best_time(partial(subject.check_many, urls), repeat=1)
            best[label, engine] = min(best[label, engine], seconds)
    for label, engine, subject in rows:
        blocked = sum(verdict.blocked for verdict in subject.check_many(urls))
        seconds = best[label, engine]
        ratio = best[label, "python"] / seconds
        print(
            f"  {engine:6} {label:<42} {url_count / seconds:>10,.0f} URLs/s  "
            f"{ratio:4.1f}x python  ({blocked:,} blocked)"
        )
    plain = [url for url in urls if _is_canonical(url)]
    seconds = best_time(partial(matcher.check_many, plain))
    print(
        f"  {'default, only the already-canonical URLs':<42} {len(plain) / seconds:>10,.0f} URLs/s"
        f"  ({len(plain) / url_count:.0%} of the stream)"
    )

    parts = []
    for url in urls:
        with contextlib.suppress(InvalidURL):
            parts.append(canonical_parts(url))
    host_filter = HostFilter(snapshot.host_keys)
    passed = sum(host_filter.passing(host_suffixes(part.host)) is not None for part in parts)
    print(f"URLs whose host passes the host stage: {passed / len(parts):.2%} (1 % made to hit)")
    seconds = best_time(lambda: _canonicalize_all(urls))
    print("where the time goes, per URL:")
    print(f"  canonical_parts alone (core) {seconds / url_count * 1e9:,.0f} ns")
    for label, engine, subject in rows:
        seconds = best_time(partial(_check_all_parts, subject, parts))
        print(f"  lookup after it, {engine:6} {label:<42} {seconds / len(parts) * 1e9:,.0f} ns")

    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        matcher.check_many(urls[: min(len(urls), 200_000)])
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    return 0


def _is_canonical(url: str) -> bool:
    try:
        return canonicalize(url) == url
    except InvalidURL:
        return False


def _check_all_parts(matcher: Matcher, parts: list[CanonicalURL]) -> None:
    check_parts = matcher.check_parts
    for part in parts:
        check_parts(part)


def _canonicalize_all(urls: list[str]) -> None:
    for url in urls:
        with contextlib.suppress(InvalidURL):
            canonical_parts(url)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
