"""Throughput of canonicalize + expressions + hashes over synthetic URLs, one process.

    .venv/bin/python benchmarks/bench_urls.py            # 1,000,000 URLs
    .venv/bin/python benchmarks/bench_urls.py --quick    # 50,000 URLs
    .venv/bin/python benchmarks/bench_urls.py --profile  # pyinstrument over the quick run

Prints the end-to-end rate (URLs/s) and the per-stage split: canonical parts, expressions, and
SHA-256 of every expression. The goal is 150,000 URLs/s on one core.

Times are CPU seconds of this process (``time.process_time``), so a machine shared with other
work still gives the figure of one core; the wall-clock rate is printed beside it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from hashlib import sha256
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hotlist.errors import InvalidURL
from hotlist.urls import CanonicalURL, canonical_parts, expressions_from_parts
from synthetic import synthetic_urls

GOAL = 150_000
CHUNK = 50_000


def end_to_end(urls: list[str]) -> int:
    """Canonicalize, expand and hash every URL; return how many expressions were hashed."""
    hashed = 0
    for url in urls:
        try:
            parts = canonical_parts(url)
        except InvalidURL:
            continue
        digests = [sha256(e.encode("ascii")).digest() for e in expressions_from_parts(parts)]
        hashed += len(digests)
    return hashed


def stages(urls: list[str]) -> tuple[float, float, float, int]:
    """Seconds spent in each stage over ``urls`` (run stage by stage), and how many were bad."""
    start = time.process_time()
    parts: list[CanonicalURL] = []
    bad = 0
    for url in urls:
        try:
            parts.append(canonical_parts(url))
        except InvalidURL:
            bad += 1
    canonical = time.process_time()
    expressions = [expressions_from_parts(p) for p in parts]
    expanded = time.process_time()
    for found in expressions:
        [sha256(e.encode("ascii")).digest() for e in found]
    hashed = time.process_time()
    return canonical - start, expanded - canonical, hashed - expanded, bad


def _chunks(count: int, seed: int) -> list[list[str]]:
    generator = synthetic_urls(count, seed)
    return [list(islice(generator, CHUNK)) for _ in range(0, count, CHUNK)]


def _timed(work: Callable[[list[str]], int], chunks: list[list[str]]) -> tuple[float, int]:
    total = 0.0
    result = 0
    for chunk in chunks:
        start = time.process_time()
        result += work(chunk)
        total += time.process_time() - start
    return total, result


def main(argv: list[str]) -> int:
    """Run the benchmark and print its figures; exit 0 whether or not the goal is met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50,000 URLs instead of 1,000,000")
    parser.add_argument("--count", type=int, help="how many URLs (overrides --quick)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--profile", action="store_true", help="profile with pyinstrument")
    args = parser.parse_args(argv)
    count = args.count or (50_000 if args.quick or args.profile else 1_000_000)

    print(f"generating {count:,} synthetic URLs (seed {args.seed}) ...", flush=True)
    chunks = _chunks(count, args.seed)

    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        with profiler:
            _timed(end_to_end, chunks)
        profiler.print(show_all=False)
        return 0

    wall = time.perf_counter()
    seconds, hashed = _timed(end_to_end, chunks)
    wall = time.perf_counter() - wall
    split = [0.0, 0.0, 0.0]
    bad = 0
    for chunk in chunks:
        *times, chunk_bad = stages(chunk)
        split = [a + b for a, b in zip(split, times, strict=True)]
        bad += int(chunk_bad)
    staged = sum(split)
    rate = count / seconds
    print(f"URLs:                {count:,} ({bad} invalid)")
    print(f"expressions hashed:  {hashed:,} ({hashed / count:.1f} per URL)")
    print(f"end to end:          {seconds:.2f} CPU s = {rate:,.0f} URLs/s (goal {GOAL:,})")
    print(f"  wall clock:        {wall:.2f} s = {count / wall:,.0f} URLs/s")
    for name, part in zip(("canonical_parts", "expressions", "sha256"), split, strict=True):
        print(
            f"  {name:18} {part:6.2f} s  {part / staged:5.1%}  {count / part:>12,.0f} URLs/s"
            f"  {part / count * 1e6:.2f} us/URL"
        )
    print(f"goal {'met' if rate >= GOAL else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
