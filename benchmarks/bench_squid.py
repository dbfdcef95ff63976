"""The Squid helper against squidGuard: lines/s on one stream, and added latency per request.

A 200,000-entry list (60 % pages, 30 % folders, 10 % hosts, on reserved names) and a stream of
1,000,000 request lines in Squid's url_rewrite format (``URL client/fqdn user method myip=..
myport=..``; URLs as Squid sends them: lower-case scheme and host, no fragment or user info),
1 % of them hitting an entry. squidGuard (Debian's ``squidguard``) gets the same stream and the
same list as its ``domains`` (host entries) and ``urls`` (folders and pages) files, compiled to
Berkeley DB first (``squidGuard -C all``), and redirects with 302 like the helper.

Throughput: each program reads the stream from a file and writes its answers to a file, one
process on one core; CPU seconds (user + system, from ``wait4``) and wall seconds are printed,
start-up included. The helper runs twice: lines without channel IDs (as squidGuard gets them)
and with them (Squid's ``concurrency``, which squidGuard cannot do).

Latency: one line at a time over pipes, as Squid without concurrency talks to a helper; the
round trip per line at p50/p99, beside that of ``cat`` (the pipes alone).

    .venv/bin/python benchmarks/bench_squid.py            # 200,000 entries, 1,000,000 lines
    .venv/bin/python benchmarks/bench_squid.py --quick    # 20,000 entries, 100,000 lines
    .venv/bin/python benchmarks/bench_squid.py --profile  # also a pyinstrument profile
    .venv/bin/python benchmarks/bench_squid.py --stream isp  # issue 13's ISP-like stream:
        # 250,000 entries on popular hosts, 1,000,000 lines, 45 % to hosts with entries
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_matcher import listed_expressions, snapshot_of, stream
from hotline_list import add_direct_store, store_via_hotline
from hotlist.edge.config import EdgeConfig
from hotlist.edge.store import Store, StoreState, utc_now
from isp_stream import isp_workload

EXTRAS = "127.0.0.1/- - GET myip=127.0.0.1 myport=3128"
BLOCK_PAGE = "http://block.example/blocked?entry={entry_id}"
GOAL = 2.5
LATENCY_LINES = 20_000


def installed_env(**extra: str) -> dict[str, str]:
    """The environment a helper runs in, as installed: Python may keep its compiled modules
    (byte code) between starts. A development shell may set ``PYTHONDONTWRITEBYTECODE``, which
    makes each start compile every module changed since its byte code was last written: more
    start-up CPU and about 1.4 MB more private memory than an installed helper has."""
    env = {**os.environ, **extra}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def squid_form(url: str) -> str:
    """``url`` as Squid hands it to a helper: absolute, lower-case scheme and host, no
    fragment, no user information (clients send neither)."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    host = parts.netloc.rpartition("@")[2].lower()
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", parts.query, ""))


def write_streams(folder: Path, urls: list[str]) -> tuple[Path, Path]:
    """The stream without channel IDs and with them (channels 0..99, as concurrency=100)."""
    plain = folder / "stream.txt"
    channels = folder / "stream-channels.txt"
    lines = [f"{squid_form(url)} {EXTRAS}\n" for url in urls]
    plain.write_text("".join(lines))
    channels.write_text("".join(f"{n % 100} {line}" for n, line in enumerate(lines)))
    return plain, channels


def make_store(folder: Path, expressions: list[str], *, direct: bool = False) -> Path:
    """An edge store with the list in force: by default the hotline's way (import, publish,
    ``hotlist edge sync``; :mod:`hotline_list`), with ``direct`` written straight into a store
    (seconds instead of minutes at 1,000,000 entries: for iterating, not for the figures)."""
    if not direct:
        return store_via_hotline(folder, expressions)
    config = EdgeConfig(server="http://127.0.0.1:9/", key="env:UNUSED")
    store = Store.create(folder / "edge", config, root=b"{}")
    snapshot = snapshot_of(expressions)
    state = StoreState(version=1, count=snapshot.count, synced_at=utc_now().isoformat())
    store.install(snapshot, state)
    return store.path


def squidguard_setup(folder: Path, expressions: list[str]) -> Path:
    """squidGuard's configuration and its compiled lists, equivalent to ``expressions``."""
    lists = folder / "sg" / "db" / "listed"
    lists.mkdir(parents=True)
    (folder / "sg" / "log").mkdir()
    hosts = [e[:-1] for e in expressions if e.endswith("/") and e.count("/") == 1]
    paths = [e for e in expressions if not (e.endswith("/") and e.count("/") == 1)]
    (lists / "domains").write_text("".join(f"{host}\n" for host in hosts))
    (lists / "urls").write_text("".join(f"{path}\n" for path in paths))
    conf = folder / "sg" / "squidGuard.conf"
    conf.write_text(
        f"dbhome {folder}/sg/db\nlogdir {folder}/sg/log\n"
        "dest listed {\n  domainlist listed/domains\n  urllist listed/urls\n}\n"
        "acl {\n  default {\n    pass !listed all\n"
        "    redirect 302:http://block.example/blocked?url=%u\n  }\n}\n"
    )
    started = time.perf_counter()
    subprocess.run(["squidGuard", "-c", str(conf), "-C", "all"], check=True, capture_output=True)
    print(f"squidGuard -C all (Berkeley DB of the lists): {time.perf_counter() - started:.1f} s")
    return conf


@dataclass(frozen=True)
class Run:
    """One program over one stream."""

    label: str
    lines: int
    blocked: int
    wall_s: float
    cpu_s: float

    @property
    def rate(self) -> float:
        """Lines per CPU second: the figure of one core, whatever else the machine runs."""
        return self.lines / self.cpu_s


def run_over(label: str, command: list[str], source: Path, folder: Path) -> Run:
    """Run ``command`` with ``source`` as standard input; count its answers and redirects."""
    answers = folder / "answers.txt"
    log = folder / "stderr.txt"
    with source.open("rb") as stdin, answers.open("wb") as stdout, log.open("wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdin=stdin, stdout=stdout, stderr=stderr, env=installed_env()
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:]
        raise SystemExit(f"{label} exited with {process.returncode}:\n{tail}")
    lines = blocked = 0
    with answers.open("rb") as output:
        for line in output:
            lines += 1
            blocked += b" status=302 " in line
    return Run(label, lines, blocked, wall, usage.ru_utime + usage.ru_stime)


def latencies(command: list[str], lines: list[bytes]) -> list[float]:
    """Round trip of each line, one at a time over pipes, in microseconds."""
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=installed_env(),
    )
    assert process.stdin is not None
    assert process.stdout is not None
    infd, outfd = process.stdin.fileno(), process.stdout.fileno()
    times = []
    try:
        for line in [lines[0]] * 200 + lines:  # the first answers wait for start-up
            started = time.perf_counter_ns()
            os.write(infd, line)
            answer = os.read(outfd, 65536)
            while not answer.endswith(b"\n"):
                answer += os.read(outfd, 65536)
            times.append((time.perf_counter_ns() - started) / 1000)
    finally:
        process.stdin.close()
        process.wait()
        process.stdout.close()
    return sorted(times[200:])


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile of sorted ``values``."""
    return values[min(len(values) - 1, int(share * len(values)))]


def main(argv: list[str]) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 entries, 100,000 lines")
    parser.add_argument("--entries", type=int, help="list size (default 200,000)")
    parser.add_argument("--lines", type=int, help="stream length (default 1,000,000)")
    parser.add_argument("--hits", type=float, default=0.01, help="share of lines that hit")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--profile", action="store_true", help="pyinstrument over the helper")
    parser.add_argument(
        "--stream",
        choices=("project", "isp"),
        default="project",
        help="the project's synthetic stream, or the ISP-like one (benchmarks/isp_stream.py)",
    )
    add_direct_store(parser)
    args = parser.parse_args(argv)
    isp = args.stream == "isp"
    entries = args.entries or (25_000 if isp else 20_000) * (1 if args.quick else 10)
    count = args.lines or (100_000 if args.quick else 1_000_000)
    if shutil.which("squidGuard") is None:
        print("squidGuard is not installed (apt-get install squidguard): helper figures only")
    hotlist = Path(sys.executable).parent / "hotlist"
    helper = [str(hotlist), "edge", "squid-helper", "--block-page", BLOCK_PAGE]

    with tempfile.TemporaryDirectory(prefix="bench-squid-") as name:
        folder = Path(name)
        started = time.perf_counter()
        if isp:
            hosts = 80_000 if args.quick else 800_000
            expressions, urls, figures = isp_workload(
                entries, count, args.seed, hosts=hosts, hit_share=args.hits
            )
            print(
                "ISP-like stream: "
                + ", ".join(f"{name} {value:,.0f}" if value > 1 else f"{name} {value:.1%}"
                            for name, value in figures.items())
            )  # fmt: skip
        else:
            rng = random.Random(args.seed)
            expressions = listed_expressions(entries, rng)
            urls = stream(count, expressions, args.hits, args.seed)
        plain, channels = write_streams(folder, urls)
        store = make_store(folder, expressions, direct=args.direct_store)
        helper += ["--store", str(store)]
        print(
            f"setup: {entries:,} entries, {count:,} lines ({plain.stat().st_size / 1e6:.0f} MB)"
            f" in {time.perf_counter() - started:.1f} s"
        )
        runs = [
            run_over("hotlist squid-helper", helper, plain, folder),
            run_over("hotlist squid-helper, channel IDs", helper, channels, folder),
            run_over("hotlist squid-helper, no answer cache", [*helper, "--cache-size", "0"],
                     plain, folder),
        ]  # fmt: skip
        squidguard: list[str] | None = None
        if shutil.which("squidGuard") is not None:
            squidguard = ["squidGuard", "-c", str(squidguard_setup(folder, expressions))]
            runs.append(run_over("squidGuard 1.6", squidguard, plain, folder))
        empty = folder / "empty.txt"
        empty.write_bytes(b"")
        start_up = {"hotlist": run_over("start-up", helper, empty, folder).cpu_s}
        if squidguard is not None:
            start_up["squidGuard"] = run_over("start-up", squidguard, empty, folder).cpu_s
        print(f"throughput over {count:,} lines, one process each (start-up included):")
        for run in runs:
            own = start_up[run.label.split()[0]]
            print(
                f"  {run.label:<40} {run.rate:>9,.0f} lines/s CPU  "
                f"({run.lines / run.wall_s:>9,.0f}/s wall; "
                f"{run.lines / (run.cpu_s - own):>9,.0f}/s CPU after start-up)  "
                f"{run.blocked:,} redirected"
            )
        print(
            "  start-up, CPU seconds: "
            + ", ".join(f"{name} {seconds:.2f}" for name, seconds in start_up.items())
        )
        if squidguard is not None:
            ratio = runs[0].rate / runs[-1].rate
            verdict = "met" if ratio >= GOAL else "NOT met"
            print(f"  helper / squidGuard: {ratio:.2f}x (goal {GOAL}x: {verdict})")
            print(f"  helper with channel IDs / squidGuard: {runs[1].rate / runs[-1].rate:.2f}x")

        sample = plain.read_bytes().splitlines(keepends=True)[:LATENCY_LINES]
        print(f"round trip per line, one at a time over pipes ({len(sample):,} lines), in µs:")
        subjects = [("cat (the pipes alone)", ["cat"]), ("hotlist squid-helper", helper)]
        if squidguard is not None:
            subjects.append(("squidGuard 1.6", squidguard))
        for label, command in subjects:
            times = latencies(command, sample)
            print(
                f"  {label:<40} p50 {percentile(times, 0.5):>7.1f}   "
                f"p99 {percentile(times, 0.99):>7.1f}   max {times[-1]:>9.1f}"
            )

        if args.profile:
            profile(folder, store, plain)
    return 0


def profile(folder: Path, store: Path, source: Path) -> None:
    """A pyinstrument profile of the helper's loop over the stream, in this process."""
    from pyinstrument import Profiler

    from hotlist.edge.matcher import Matcher
    from hotlist.edge.squid import BlockPage, SquidResponder
    from hotlist.edge.squid_helper import serve

    responder = SquidResponder(Matcher.from_store(store), BlockPage(BLOCK_PAGE))
    with source.open("rb") as stdin, (folder / "profiled.txt").open("wb") as stdout:
        profiler = Profiler(interval=0.0005)
        profiler.start()
        serve(responder, stdin.fileno(), stdout.fileno())
        profiler.stop()
    print(profiler.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
