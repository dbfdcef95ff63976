"""``hotlist demo``: the whole flow, report to enforcement, as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from hotlist.demo.flow import run_demo
from hotlist.errors import ConfigError


def hotlist(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hotlist", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.slow
def test_demo_check_runs_every_step_and_leaves_nothing(tmp_path: Path) -> None:
    result = hotlist("demo", "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    for step in ("reports a URL", "assesses it", "Publish the list", "syncs", "Enforcement"):
        assert step in result.stdout
    assert "demo check passed" in result.stdout
    assert "1 report waiting; the queue shows no URL" in result.stdout
    assert "blocked  http://www.blocked.example/" in result.stdout
    assert "allowed  http://www.example.com/" in result.stdout


@pytest.mark.slow
def test_demo_in_a_data_dir_keeps_what_it_made(tmp_path: Path) -> None:
    data = tmp_path / "demo-data"
    result = hotlist("demo", "--data-dir", str(data))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (data / "hotlist.db").is_file()
    assert (data / "repository" / "metadata" / "timestamp.json").is_file()
    assert (data / "edge" / "current.snapshot").is_file()
    assert (data / "demo-keys" / "member.key").stat().st_mode & 0o077 == 0
    assert "Where to look" in result.stdout
    assert "--user 3   Alex Admin (admin)" in result.stdout
    assert "--user 4   Olu Observer (observer)" in result.stdout


def test_demo_refuses_a_used_data_dir(tmp_path: Path) -> None:
    (tmp_path / "something").write_text("already here")
    with pytest.raises(ConfigError, match="not empty"):
        run_demo(tmp_path, None, Console(quiet=True))
