"""Run every ``benchmarks/bench_*.py`` in turn (``make bench``); extra arguments pass through.

``make bench BENCH_ARGS=--quick`` runs the small versions.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    """Run each benchmark script with ``argv``; return non-zero if any failed."""
    here = Path(__file__).resolve().parent
    failed: list[str] = []
    for script in sorted(here.glob("bench_*.py")):
        print(f"\n=== {script.name} {' '.join(argv)}", flush=True)
        result = subprocess.run([sys.executable, str(script), *argv], check=False)
        if result.returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
