"""``hotlist entries import`` as a user runs it: bad files, exit codes, what it prints.

The import itself (checks, duplicates, reruns, both databases) is tested in
tests/server/entries/test_imports.py.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy import select as sql_select
from typer.testing import CliRunner, Result

from hotlist.cli.main import app
from hotlist.errors import ConfigError, InvalidRequest
from hotlist.server.db.session import make_engine, session_factory
from hotlist.server.entries.models import Entry

HOTLIST = [sys.executable, "-m", "hotlist"]
REASON = "Listed by the hotline's previous system."


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data directory with a hotline and its analyst (user 1)."""
    for name in ("HOTLIST_DATA_DIR", "HOTLIST_DATABASE_URL", "HOTLIST_POLICY_FILE"):
        monkeypatch.delenv(name, raising=False)
    directory = tmp_path / "data"
    for args in (
        ["db", "upgrade"],
        ["admin", "create-org", "Example Hotline", "--kind", "hotline"],
        ["admin", "create-user", "Ada Analyst", "--org", "Example Hotline", "--role", "analyst"],
    ):
        result = CliRunner().invoke(app, [*args, "--data-dir", str(directory)])
        assert result.exit_code == 0, result.output
    return directory


def _args(data_dir: Path, file: Path, *extra: str, person: str = "1") -> list[str]:
    return [
        "entries", "import", str(file), "--scope", "page", "--category", "csam",
        "--reason", REASON, "--as", person, "--data-dir", str(data_dir), *extra,
    ]  # fmt: skip


def _import(data_dir: Path, file: Path, *extra: str) -> Result:
    return CliRunner().invoke(app, _args(data_dir, file, *extra))


def _entries(data_dir: Path) -> int:
    engine = make_engine(f"sqlite:///{data_dir / 'hotlist.db'}")
    try:
        with session_factory(engine)() as session:
            return session.scalar(sql_select(func.count()).select_from(Entry)) or 0
    finally:
        engine.dispose()


def _config_error(result: Result) -> str:
    assert isinstance(result.exception, ConfigError), result.output
    return result.exception.message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"http://a.example/1.html\nhttp://b.example/\xff.html\n", "line 2 holds the byte 0xff"),
        (b"http://a.example/1.html\nhttp://b.example/2.html", "its last line (2) has no line end"),
        (b"# list\n\nhttp://a.example/\xc3", "line 3 ends in the middle of a UTF-8 character"),
        (b"\xef\xbb\xbfhttp://a.example/\xe9t\xe9.html\n", "line 1 holds the byte 0xe9"),
    ],
)
def test_a_bad_file_is_refused_whole_with_the_line(
    data_dir: Path, tmp_path: Path, data: bytes, message: str
) -> None:
    file = tmp_path / "list.txt"
    file.write_bytes(data)
    error = _config_error(_import(data_dir, file))
    assert message in error
    assert "nothing was imported" in error
    assert _entries(data_dir) == 0


def test_a_missing_file_is_a_config_error(data_dir: Path, tmp_path: Path) -> None:
    assert "cannot read" in _config_error(_import(data_dir, tmp_path / "none.txt"))


def test_crlf_a_byte_order_mark_and_comments(data_dir: Path, tmp_path: Path) -> None:
    file = tmp_path / "list.txt"
    file.write_bytes(b"\xef\xbb\xbf# exported\r\n\r\nhttp://a.example/1.html\r\n  # indented\r\n")
    summary = json.loads(_import(data_dir, file, "--json").stdout)
    assert (summary["lines"], summary["added"]) == (1, 1)


def test_refused_lines_are_printed_and_the_summary_says_what_happened(
    data_dir: Path, tmp_path: Path
) -> None:
    file = tmp_path / "list.txt"
    file.write_text("http://a.example/1.html\nhttp://a.example/1.html\njavascript:x\n")
    result = _import(data_dir, file)
    assert result.exit_code == 0, result.output
    assert "3 lines: 1 added, 1 duplicates, 1 refused" in result.stdout
    assert "warning: line 3: unsupported scheme 'javascript'" in result.stderr


def test_strict_imports_nothing_when_a_line_is_refused(data_dir: Path, tmp_path: Path) -> None:
    file = tmp_path / "list.txt"
    file.write_text("http://a.example/1.html\nhttp://\n")
    strict = _import(data_dir, file, "--strict")
    assert "1 line of" in _config_error(strict)
    assert "warning: line 2:" in strict.stderr
    assert _entries(data_dir) == 0
    assert _import(data_dir, file).exit_code == 0
    assert _entries(data_dir) == 1


def test_every_line_refused_is_an_error(data_dir: Path, tmp_path: Path) -> None:
    file = tmp_path / "list.txt"
    file.write_text("javascript:x\nmailto:a@example.test\n")
    assert "every line" in _config_error(_import(data_dir, file))
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n")
    assert _import(data_dir, empty).exit_code == 0


def test_exit_codes_as_the_command_runs(data_dir: Path, tmp_path: Path) -> None:
    file = tmp_path / "list.txt"
    file.write_text("javascript:x\n")
    every = subprocess.run([*HOTLIST, *_args(data_dir, file)], capture_output=True, text=True)
    assert every.returncode == ConfigError.exit_code
    assert every.stderr.endswith(
        f"\nerror: every line of {file} was refused: nothing was imported\n"
    )
    nobody = subprocess.run(
        [*HOTLIST, *_args(data_dir, file, person="Nobody")], capture_output=True, text=True
    )
    assert nobody.returncode == 7
    assert "no user called 'Nobody'" in nobody.stderr


def _in_terminal(args: list[str]) -> tuple[int, str]:
    """Run ``args`` with stdout and stderr on a pseudo-terminal; its exit code and output."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "LINES": "24"}
    process = subprocess.Popen(
        args, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


def test_a_terminal_shows_progress_and_a_pipe_does_not(data_dir: Path, tmp_path: Path) -> None:
    file = tmp_path / "list.txt"
    file.write_text("".join(f"http://site{n}.example/{n}.html\n" for n in range(3_000)))
    code, shown = _in_terminal([*HOTLIST, *_args(data_dir, file, "--batch-size", "500")])
    assert code == 0, shown
    assert "importing" in shown
    assert "3,000 lines: 3,000 added" in shown
    piped = subprocess.run([*HOTLIST, *_args(data_dir, file)], capture_output=True, text=True)
    assert piped.returncode == 0
    assert "importing" not in piped.stdout + piped.stderr
    assert piped.stdout.startswith("3,000 lines: 0 added, 3,000 duplicates, 0 refused")


def test_an_interrupted_import_says_how_to_complete_it(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hotlist.server.entries import service

    file = tmp_path / "list.txt"
    file.write_text("".join(f"http://site{n}.example/{n}.html\n" for n in range(5)))
    real = service.create_many
    calls: list[int] = []

    def interrupted(session: Any, decisions: Any) -> list[int]:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(session, decisions)

    monkeypatch.setattr(service, "create_many", interrupted)
    result = _import(data_dir, file, "--batch-size", "2")
    assert result.exit_code == 130
    assert "run the same command again" in result.stderr
    assert _entries(data_dir) == 2
    monkeypatch.setattr(service, "create_many", real)
    assert "5 lines: 3 added, 2 duplicates" in _import(data_dir, file).stdout


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--reason", ""], "the reason is not usable: String should have at least 1 character"),
        (["--reason", "nul\x00"], "the reason is not usable"),
        (["--scope-reason", "x" * 4_001], "the scope reason is not usable"),
    ],
)
def test_an_unusable_reason_imports_nothing(
    data_dir: Path, tmp_path: Path, extra: list[str], message: str
) -> None:
    file = tmp_path / "list.txt"
    file.write_text("http://a.example/1.html\n")
    result = _import(data_dir, file, *extra)
    assert isinstance(result.exception, InvalidRequest)
    assert message in result.exception.message
    assert _entries(data_dir) == 0
