"""The Squid helper's start-up: from its start to its first answer, over a store of N entries.

Squid starts one helper per ``url_rewrite_children`` child, and a new one whenever one dies, so
the start-up is paid often. Each run starts the helper, writes one request line, waits for the
answer and closes its input; wall time is to the first answer, CPU time (user + system) the
whole process's. The lean way in (``hotlist edge squid-helper``, see hotlist.cli.entry) is
measured beside the full CLI's (every command imported), the difference being the import.

    .venv/bin/python benchmarks/bench_squid_startup.py              # 1,000,000 entries
    .venv/bin/python benchmarks/bench_squid_startup.py --entries 200000 --runs 5
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_matcher import listed_expressions
from bench_squid import BLOCK_PAGE, installed_env, make_store
from hotline_list import add_direct_store

FULL_CLI = "from hotlist.cli.main import main; main()"


def first_answer(command: list[str], store: Path) -> tuple[float, float]:
    """Seconds to the first answer (wall) and the process's CPU seconds, for one start."""
    before = os.times()
    started = time.perf_counter()
    env = installed_env(HOTLIST_EDGE_STORE=str(store))
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(b"http://www.example.com/ 127.0.0.1/- - GET\n")
    process.stdin.flush()
    answer = process.stdout.readline()
    wall = time.perf_counter() - started
    process.stdin.close()
    process.wait()
    after = os.times()
    if not answer.startswith(b"ERR"):
        raise SystemExit(f"unexpected answer {answer!r} from {command}")
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu


def main(argv: list[str]) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    add_direct_store(parser)
    args = parser.parse_args(argv)
    bindir = Path(sys.executable).parent
    options = ["edge", "squid-helper", "--block-page", BLOCK_PAGE]
    subjects = {
        "hotlist edge squid-helper (lean)": [str(bindir / "hotlist"), *options],
        "the same through the full CLI": [sys.executable, "-c", FULL_CLI, *options],
        "python -c pass (the interpreter)": [sys.executable, "-c", "pass"],
    }
    with tempfile.TemporaryDirectory(prefix="bench-squid-start-") as name:
        folder = Path(name)
        expressions = listed_expressions(args.entries, random.Random(5))
        store = make_store(folder, expressions, direct=args.direct_store)
        print(f"start-up to the first answer, {args.entries:,} entries, median of {args.runs}:")
        for label, command in subjects.items():
            if command[-1] == "pass":
                runs = []
                for _ in range(args.runs):
                    before, started = os.times(), time.perf_counter()
                    subprocess.run(command, check=True)
                    wall, after = time.perf_counter() - started, os.times()
                    cpu = after.children_user - before.children_user
                    runs.append((wall, cpu + after.children_system - before.children_system))
            else:
                first_answer(command, store)  # writes the byte code a first start compiles
                runs = [first_answer(command, store) for _ in range(args.runs)]
            wall = statistics.median(run[0] for run in runs)
            cpu = statistics.median(run[1] for run in runs)
            print(f"  {label:<36} wall {wall:6.3f} s   CPU {cpu:6.3f} s")
    print(f"load average: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
