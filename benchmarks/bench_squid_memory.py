"""The Squid helper's memory: what each helper process holds of its own, with several running.

Squid runs several helpers (``url_rewrite_children``), each a process. The list file is mapped
read-only, so its pages are the machine's page cache, shared by every helper; what grows with
the number of helpers is each one's private memory (``Private_Clean + Private_Dirty`` in
``/proc/PID/smaps_rollup``: pages no other process maps). This starts ``--helpers`` helpers on
one store (the list imported, published and synced as a hotline does, ``hotline_list.py``),
reads it after their first answer and again after each has answered ``--lines`` lines of the
ISP-like stream (``isp_stream.py``, through pipes as Squid talks to them), and does the same for
squidGuard (Debian's ``squidguard``, Berkeley DB of the same entries), side by side.

    .venv/bin/python benchmarks/bench_squid_memory.py                  # 1,000,000 entries
    .venv/bin/python benchmarks/bench_squid_memory.py --quick          # 100,000 entries
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_squid import BLOCK_PAGE, installed_env, make_store, squidguard_setup, write_streams
from hotline_list import add_direct_store
from isp_stream import isp_workload

GOAL_MB = 10.0
FIELDS = ("Rss", "Pss", "Shared_Clean", "Private_Clean", "Private_Dirty")


@dataclass(frozen=True)
class Memory:
    """One process's memory, in kB as the kernel counts it."""

    rss: int
    pss: int
    shared: int
    private: int

    @classmethod
    def of(cls, pid: int) -> Memory:
        """Read ``/proc/PID/smaps_rollup``."""
        values: dict[str, int] = {}
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, _, rest = line.partition(":")
            if name in FIELDS:
                values[name] = int(rest.split()[0])
        return cls(
            values["Rss"],
            values["Pss"],
            values["Shared_Clean"],
            values["Private_Clean"] + values["Private_Dirty"],
        )


class Running:
    """A helper process fed through pipes, its answers read as they come."""

    def __init__(self, command: list[str]) -> None:
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=installed_env(),
        )
        self.answered = 0
        self._done = threading.Event()
        self._wanted = 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for _line in self.process.stdout:
            self.answered += 1
            if self.answered >= self._wanted:
                self._done.set()

    def feed(self, lines: list[bytes]) -> None:
        """Write ``lines`` and wait until each has its answer."""
        assert self.process.stdin is not None
        self._wanted = self.answered + len(lines)
        self._done.clear()
        for start in range(0, len(lines), 200):  # as Squid writes: a few lines at a time
            self.process.stdin.write(b"".join(lines[start : start + 200]))
        self.process.stdin.flush()
        if not self._done.wait(600):
            raise SystemExit(f"{self.process.args} stopped answering")

    def close(self) -> None:
        """End the input and wait for the process."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(60)


def measure(label: str, command: list[str], helpers: int, lines: list[bytes]) -> None:
    """Start ``helpers`` copies of ``command``; print their memory after one line and after
    all of ``lines``."""
    running = [Running(command) for _ in range(helpers)]
    try:
        for helper in running:
            helper.feed(lines[:1])
        time.sleep(0.2)
        started = [Memory.of(helper.process.pid) for helper in running]
        for helper in running:
            helper.feed(lines)
        after = [Memory.of(helper.process.pid) for helper in running]
    finally:
        for helper in running:
            helper.close()
    for moment, memories in (("after start-up", started), (f"after {len(lines):,} lines", after)):
        private = max(memory.private for memory in memories) / 1024
        print(
            f"  {label:<22} {moment:<22} private {private:6.1f} MB per process (max of "
            f"{helpers}), PSS {sum(m.pss for m in memories) / 1024 / helpers:6.1f} MB, "
            f"RSS {memories[0].rss / 1024:6.1f} MB (shared {memories[0].shared / 1024:5.1f})"
        )


def main(argv: list[str]) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 entries, 50,000 lines")
    parser.add_argument("--entries", type=int, help="list size (default 1,000,000)")
    parser.add_argument("--lines", type=int, help="lines each process answers (default 200,000)")
    parser.add_argument("--helpers", type=int, default=4, help="processes running at once")
    parser.add_argument("--seed", type=int, default=13)
    add_direct_store(parser)
    args = parser.parse_args(argv)
    entries = args.entries or (100_000 if args.quick else 1_000_000)
    count = args.lines or (50_000 if args.quick else 200_000)
    hotlist = Path(sys.executable).parent / "hotlist"
    with tempfile.TemporaryDirectory(prefix="bench-squid-memory-") as name:
        folder = Path(name)
        expressions, urls, figures = isp_workload(entries, count, args.seed)
        print(
            f"{entries:,} entries; ISP-like stream of {count:,} lines, "
            f"{figures['distinct hosts']:,.0f} distinct hosts"
        )
        plain, _channels = write_streams(folder, urls)
        lines = plain.read_bytes().splitlines(keepends=True)
        store = make_store(folder, expressions, direct=args.direct_store)
        size = (store / "current.snapshot").stat().st_size / 1e6
        print(f"list file {size:.1f} MB, mapped read-only by every helper; {args.helpers} at once:")
        helper = [str(hotlist), "edge", "squid-helper", "--block-page", BLOCK_PAGE]
        measure("hotlist squid-helper", [*helper, "--store", str(store)], args.helpers, lines)
        if shutil.which("squidGuard") is not None:
            conf = squidguard_setup(folder, expressions)
            measure("squidGuard 1.6", ["squidGuard", "-c", str(conf)], args.helpers, lines)
        else:
            print("squidGuard is not installed (apt-get install squidguard): helper figures only")
    print(f"goal: private memory per helper < {GOAL_MB:.0f} MB at 1,000,000 entries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
