"""No output of ``hotlist`` is hard-wrapped: what a user copies stays on one line.

Run as a user would: a subprocess writing to a pipe (as in CI, a script or a log) and to a
pseudo-terminal, both with ``COLUMNS=40``.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

HOTLIST = [sys.executable, "-m", "hotlist"]


def _long_store(tmp_path: Path) -> Path:
    return tmp_path / "a-rather-long-directory-name-for-the-store" / "and-another-level" / "store"


def _env() -> dict[str, str]:
    env = {**os.environ, "COLUMNS": "40", "LINES": "24"}
    env.pop("FORCE_COLOR", None)
    return env


def _in_terminal(args: list[str]) -> tuple[int, str]:
    """Run ``args`` with stdout and stderr on a pseudo-terminal; its exit code and output."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(  # our own command
        args, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=_env()
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            process.kill()
            pytest.fail("the command wrote nothing for 60 s")
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the follower side closed: the process ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=60), b"".join(chunks).decode(errors="replace")


def test_an_error_with_a_long_path_is_one_line_in_a_pipe(tmp_path: Path) -> None:
    store = _long_store(tmp_path)
    result = subprocess.run(  # our own command
        [*HOTLIST, "edge", "serve", "--store", str(store)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=_env(),
    )
    assert result.returncode == 4
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "not an edge store" in lines[0]
    assert f"hotlist edge init --store {store}" in lines[0]


def test_an_error_with_a_long_path_is_one_line_in_a_narrow_terminal(tmp_path: Path) -> None:
    store = _long_store(tmp_path)
    code, output = _in_terminal([*HOTLIST, "edge", "serve", "--store", str(store)])
    assert code == 4
    # The terminal folds the line on screen; no newline is written inside it.
    lines = [line for line in output.replace("\r", "").splitlines() if line]
    assert len(lines) == 1, output
    assert f"hotlist edge init --store {store}" in lines[0]


def test_a_usage_error_keeps_the_value_on_one_line(tmp_path: Path) -> None:
    store = _long_store(tmp_path)
    result = subprocess.run(  # our own command
        [*HOTLIST, "edge", "status", "--store", str(store), "--no-such-option"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=_env(),
    )
    assert result.returncode == 2
    assert "--no-such-option" in result.stderr
    assert not any(len(line) <= 40 and line.endswith("-") for line in result.stderr.splitlines())
