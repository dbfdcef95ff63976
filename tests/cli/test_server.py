"""``hotlist serve`` and ``hotlist db upgrade``: an empty data directory initialises itself,
and no client address reaches the logs or the database."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hotlist.cli.main import app
from hotlist.cli.server import own_url, public_url_warning
from hotlist.server.config import Settings
from hotlist.server.db.engine import make_engine
from hotlist.server.db.upgrade import current_revision, head_revision

HOTLIST = str(Path(sys.executable).parent / "hotlist")


def test_db_upgrade_creates_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOTLIST_DATABASE_URL", raising=False)
    data_dir = tmp_path / "new"
    result = CliRunner().invoke(app, ["db", "upgrade", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert head_revision() in result.output
    engine = make_engine(f"sqlite:///{data_dir / 'hotlist.db'}")
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _http(port: int, request: bytes) -> tuple[int, bytes, int]:
    """Send a raw request; return the status, the body and the client's own port."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        client_port = int(sock.getsockname()[1])
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head[9:12]), body, client_port


def _post_report(port: int, url: str) -> tuple[int, bytes, int]:
    body = json.dumps({"url": url}).encode()
    return _http(
        port,
        b"POST /v1/reports HTTP/1.1\r\nHost: hotlist.test\r\nConnection: close\r\n"
        b"Content-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body,
    )


@pytest.mark.slow
def test_serve_initialises_an_empty_data_dir_and_logs_no_client_address(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLIST_")}
    env["HOTLIST_PUBLISH_INTERVAL_S"] = "0"  # no list to publish here (and no public URL)
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [HOTLIST, "serve", "--data-dir", str(data_dir), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    status, _, _ = _http(
                        port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    )
                    if status == 200:
                        break
                except OSError:
                    pass
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
            status, body, client_port = _post_report(port, "http://www.example.com/page.html")
            assert status == 201, body
            assert "receipt" in json.loads(body)
            status, _, other_port = _http(
                port, b"GET /v1/orgs HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
            assert status == 401
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
    text = log.read_text()
    # No --public-url: the server's own address, said at start to be one nobody else can open.
    said = " ".join(text.split())
    assert (
        "warning: no --public-url (HOTLIST_PUBLIC_URL): members will see a loopback address, "
        f"http://127.0.0.1:{port}, as the appeal link on their block pages" in said
    )
    assert "so the list is not published" in said
    assert f"serving on http://127.0.0.1:{port}/ with 1 worker\n" in text
    for port_seen in (client_port, other_port):
        assert f":{port_seen}" not in text
    assert '"POST /v1/reports' not in text
    stored = b"".join(path.read_bytes() for path in data_dir.iterdir() if path.is_file())
    assert b"127.0.0.1" not in stored
    assert b"www.example.com" in stored


def _health(port: int) -> tuple[int, dict[str, Any]]:
    status, body, _ = _http(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    return status, json.loads(body)


@pytest.mark.slow
def test_serve_publishes_with_root_offline_and_says_when_it_cannot(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLIST_")}
    env["HOTLIST_PUBLIC_URL"] = "https://hotline.example"
    for command in ("db", "upgrade"), ("publish",):
        done = subprocess.run(
            [HOTLIST, *command, "--data-dir", str(data_dir)], env=env, capture_output=True
        )
        assert done.returncode == 0, done.stderr
    keys = data_dir / "keys"
    (keys / "root.pem").rename(tmp_path / "root.pem")  # offline, as docs/keys.md says
    (keys / "timestamp.pem").rename(tmp_path / "timestamp.pem")  # and, by mistake, this one
    env.update(HOTLIST_PUBLISH_INTERVAL_S="0.2", HOTLIST_PUBLISH_POLL_S="0.2")
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [HOTLIST, "serve", "--data-dir", str(data_dir), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            health: dict[str, Any] = {}
            while health.get("publishing", {}).get("failures", 0) < 2:
                with contextlib.suppress(OSError, ValueError):
                    status, health = _health(port)
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, f"no failing publish reported: {health}"
                time.sleep(0.1)
            assert status == 503
            assert "no timestamp key" in health["detail"]
            (tmp_path / "timestamp.pem").rename(keys / "timestamp.pem")
            while (status := _health(port)[0]) != 200 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert status == 200
            assert _health(port)[1]["publishing"]["state"] == "ok"
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
    failed = [line for line in log.read_text().splitlines() if "scheduled publish failed" in line]
    assert len(failed) >= 2
    assert all(line.startswith("ERROR:") for line in failed)
    assert not (keys / "root.pem").exists()


def test_serve_help_names_the_public_url() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "--public-url" in text
    assert "HOTLIST_PUBLIC_URL" in text
    assert "HOTLIST_UNSAFE_LOOPBACK_PUBLIC_URL=1" in text


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8123, "http://127.0.0.1:8123"),
        ("0.0.0.0", 8000, "http://127.0.0.1:8000"),  # noqa: S104  # an argument, not a bind
        ("::", 8000, "http://[::1]:8000"),
        ("192.0.2.10", 80, "http://192.0.2.10:80"),
        ("2001:db8::1", 8000, "http://[2001:db8::1]:8000"),
    ],
)
def test_without_a_public_url_the_server_uses_its_own_address(
    host: str, port: int, url: str
) -> None:
    assert own_url(host, port) == url


@pytest.mark.parametrize(
    ("public_url", "given", "unsafe", "said"),
    [
        ("http://127.0.0.1:8000", False, False, "no --public-url (HOTLIST_PUBLIC_URL): members "),
        ("http://127.0.0.1:8000", True, False, "so the list is not published"),
        ("http://localhost:8000", True, True, "published anyway"),
        ("http://192.0.2.10:8000", False, False, "if people reach the server at another"),
        ("https://hotline.example", True, False, None),
    ],
)
def test_the_start_warns_about_a_public_url_members_cannot_open(
    tmp_path: Path, public_url: str, given: bool, unsafe: bool, said: str | None
) -> None:
    settings = Settings.load(
        tmp_path, environ={}, public_url=public_url, unsafe_loopback_public_url=unsafe
    )
    warning = public_url_warning(settings, given=given)
    if said is None:
        assert warning is None
    else:
        assert warning is not None
        assert said in warning
        assert public_url in warning


def test_the_serve_options_feed_the_declared_settings() -> None:
    import re

    import typer

    serve = typer.main.get_command(app).commands["serve"]  # type: ignore[attr-defined]
    options = {flag: param for param in serve.params for flag in param.opts}
    for name, field in Settings.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        if "option" not in extra:
            continue
        param = options[str(extra["option"])]
        assert param.envvar in (None, Settings.env_name(name)), name
        shown = re.search(r"\[default: ([^\]]+)\]", param.help or "")
        if shown is not None:
            assert float(shown.group(1)) == field.default, name
