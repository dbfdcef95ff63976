"""``hotlist checks`` as a user runs it: one URL checked against a loopback origin, and a tick of
the schedule on a data directory's database."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotlist.cli.main import app


class Origin:
    """A loopback origin: ``/old`` redirects to ``/new.jpg``, which serves; what was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        origin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

            def do_HEAD(self) -> None:
                origin.asked.append(self.path)
                if self.path == "/old":
                    self.send_response(301)
                    self.send_header("Location", "/new.jpg")
                else:
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.send_header("ETag", '"e"')
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def origin() -> Iterator[Origin]:
    made = Origin()
    thread = threading.Thread(target=made.server.serve_forever, daemon=True)
    thread.start()
    yield made
    made.server.shutdown()
    made.server.server_close()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data directory with a hotline, its analyst (user 1), and one imported entry of a
    documentation address (refused by the checker: it is not public)."""
    for name in ("HOTLIST_DATA_DIR", "HOTLIST_DATABASE_URL", "HOTLIST_POLICY_FILE"):
        monkeypatch.delenv(name, raising=False)
    directory = tmp_path / "data"
    listed = tmp_path / "urls.txt"
    listed.write_text("http://192.0.2.1/a/page.html\n", encoding="utf-8")
    for args in (
        ["db", "upgrade"],
        ["admin", "create-org", "Example Hotline", "--kind", "hotline"],
        ["admin", "create-user", "Ada Analyst", "--org", "Example Hotline", "--role", "analyst"],
        [
            *("entries", "import", str(listed), "--scope", "page", "--category", "csam"),
            *("--reason", "Listed by the previous system.", "--as", "1"),
        ],
    ):
        result = CliRunner().invoke(app, [*args, "--data-dir", str(directory)])
        assert result.exit_code == 0, result.output
    return directory


def test_url_prints_what_the_check_found(origin: Origin) -> None:
    result = CliRunner().invoke(app, ["checks", "url", origin.url("/old"), "--unsafe-loopback"])
    assert result.exit_code == 0, result.output
    assert f"present (moved): 200 {origin.url('/new.jpg')}" in result.output
    assert f"301 {origin.url('/old')} (127.0.0.1)" in result.output
    assert 'etag: "e"' in result.output


def test_url_json_and_loopback_refused_without_the_flag(
    origin: Origin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOTLIST_UNSAFE_LOOPBACK_CHECKS", raising=False)
    result = CliRunner().invoke(app, ["checks", "url", origin.url("/p"), "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["outcome"] == "refused"
    assert origin.asked == []
    allowed = CliRunner().invoke(
        app, ["checks", "url", origin.url("/p"), "--json", "--unsafe-loopback"]
    )
    assert json.loads(allowed.output)["outcome"] == "present"


def test_run_due_checks_the_new_entry(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["checks", "run-due", "--data-dir", str(data_dir), "--json"])
    assert result.exit_code == 0, result.output
    tick = json.loads(result.output)
    assert (tick["enrolled"], tick["checked"], tick["outcomes"]) == (1, 1, {"refused": 1})
    again = CliRunner().invoke(app, ["checks", "run-due", "--data-dir", str(data_dir)])
    assert again.exit_code == 0, again.output
    assert "enrolled 0, checked 0" in again.output
