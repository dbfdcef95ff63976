"""Importing an existing list: ``hotlist entries import`` on a fresh SQLite data directory.

    .venv/bin/python benchmarks/bench_import.py            # 250,000 lines
    .venv/bin/python benchmarks/bench_import.py --quick    # 20,000 lines
    .venv/bin/python benchmarks/bench_import.py --quick --profile /tmp/import.txt  # pyinstrument

Writes a seeded file as a hotline's export looks (see :func:`import_lines`), makes a data
directory with an analyst, then runs the real command in a subprocess (``python -m hotlist
entries import FILE --scope page ...``, start-up and all) and times it; then runs it a second
time, which must add nothing. Prints lines/s and the total time of the first run. Goal: 250,000
lines in under 60 s.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 60.0

_ZONES = ("example", "test", "shop.example", "news.test", "forum.example", "video.test")
_SHARED = ("pages.example", "blogs.example", "storage.test")  # on the packaged warning list
_WORDS = (
    "gallery", "album", "photos", "user", "files", "media", "video", "archive", "content",
    "uploads", "img", "post", "thread", "view", "2024", "11", "hd", "set", "board", "new",
)  # fmt: skip
_MALFORMED = (
    "javascript:alert(1)",
    "mailto:someone@example.test",
    "http://",
    "http://bad host.example/page.html",
    "http://site.example/a page.html",
    "ldap://dir.example/o=x",
    "http://[2001:db8::zz]/x",
)


def import_lines(n: int, seed: int = 0) -> list[str]:
    """``n`` lines as a hotline's export holds them, the same for the same ``seed``.

    About 6,000 URLs per 100,000 lines share a host with others (galleries with many pages);
    the rest sit on hosts of their own: many distinct hosts under *.example and *.test. 60 %
    are page URLs (some with a query), 30 % folder URLs, 5 % on shared-hosting hosts (some of
    them the host's root), 2 % repeat an earlier line (some in another spelling), 1 % are
    malformed; a comment line every 1,000 and a blank line now and then.
    """
    rng = random.Random(seed)
    lines: list[str] = ["# exported list, one URL a line"]
    earlier: list[str] = []
    while len(lines) < n:
        roll = rng.random()
        if roll < 0.01:
            line = rng.choice(_MALFORMED)
        elif roll < 0.03 and earlier:
            line = rng.choice(earlier)
            if rng.random() < 0.5:
                line = line.replace("http://", "HTTP://", 1).replace("https://", "HTTPS://", 1)
        elif roll < 0.08:
            tenant = f"u{rng.randrange(100_000)}.{rng.choice(_SHARED)}"
            line = f"https://{tenant}/" if rng.random() < 0.3 else f"https://{tenant}{_path(rng)}"
        else:
            line = f"{rng.choice(('http', 'https'))}://{_host(rng)}{_path(rng)}"
        lines.append(line)
        earlier.append(line)
        if len(lines) % 1_000 == 0:
            lines.append(rng.choice(("", "# next part of the export")))
    return lines[:n]


def _host(rng: random.Random) -> str:
    if rng.random() < 0.06:
        return f"gallery{rng.randrange(200)}.{rng.choice(_ZONES)}"
    return f"site{rng.randrange(10_000_000)}.{rng.choice(_ZONES)}"


def _path(rng: random.Random) -> str:
    depth = rng.choice((1, 1, 2, 2, 3, 4))
    folder = "/" + "/".join(rng.choice(_WORDS) + str(rng.randrange(100)) for _ in range(depth))
    roll = rng.random()
    if roll < 0.3:
        return folder + "/"
    if roll < 0.9:
        return f"{folder}/{rng.randrange(10_000)}.{rng.choice(('html', 'jpg', 'php', 'mp4'))}"
    return f"{folder}/view.php?id={rng.randrange(1_000_000)}"


def _hotlist(*args: str, profile: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable]
    if profile is not None:
        command += ["-m", "pyinstrument", "-r", "text", "-o", str(profile)]
    command += ["-m", "hotlist", *args]
    return subprocess.run(command, check=True, capture_output=True, text=True)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 lines instead of 250,000")
    parser.add_argument("--lines", type=int, default=None)
    parser.add_argument(
        "--profile", type=Path, metavar="FILE", help="profile the first run into FILE"
    )
    args = parser.parse_args()
    n = args.lines or (20_000 if args.quick else 250_000)
    print(f"bench_import: {n:,} lines into a fresh SQLite data directory")

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        data = base / "data"
        listed = base / "list.txt"
        listed.write_text("\n".join(import_lines(n)) + "\n", encoding="utf-8")
        print(f"  file: {listed.stat().st_size / 1e6:.1f} MB")
        _hotlist("db", "upgrade", "--data-dir", str(data))
        _hotlist(
            "admin", "create-org", "Example Hotline", "--kind", "hotline", "--data-dir", str(data)
        )
        _hotlist(
            "admin", "create-user", "Ada Analyst", "--org", "Example Hotline", "--role",
            "analyst", "--data-dir", str(data),
        )  # fmt: skip
        command = [
            "entries", "import", str(listed), "--scope", "page", "--category", "csam",
            "--reason", "Listed by the hotline's previous system after assessment.",
            "--as", "Ada Analyst", "--data-dir", str(data), "--json",
        ]  # fmt: skip
        profile = args.profile
        cpu_before = _children_cpu()
        started = time.perf_counter()
        first = json.loads(_hotlist(*command, profile=profile).stdout)
        seconds = time.perf_counter() - started
        cpu = _children_cpu() - cpu_before
        print(
            f"  first run: {first['added']:,} added, {first['duplicates']:,} duplicates, "
            f"{len(first['refused']):,} refused; {seconds:.2f} s "
            f"(CPU {cpu:.2f} s; the command's own count {first['seconds']:.2f} s)"
        )
        started = time.perf_counter()
        second = json.loads(_hotlist(*command).stdout)
        again = time.perf_counter() - started
        assert second["added"] == 0, "a second run added entries"
        print(f"  second run: {second['duplicates']:,} duplicates, nothing added; {again:.2f} s")
        if profile is not None:
            print(f"  profile of the first run: {profile}")

    print()
    goal = "met" if n < 250_000 or seconds < GOAL_SECONDS else "NOT met"
    print(
        f"import {n:,} lines: {seconds:.1f} s, {n / seconds:,.0f} lines/s, CPU {cpu:.1f} s "
        f"(goal 250,000 in < {GOAL_SECONDS:.0f} s: {goal})"
    )


if __name__ == "__main__":
    main()
