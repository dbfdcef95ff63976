"""Real Squid with ``hotlist edge squid-helper`` as its url_rewrite_program, driven with curl.

Squid listens on a loopback port; a ``hosts_file`` maps the test names to 127.0.0.1, where a tiny
origin server answers, so no DNS and no outside network is involved. A listed URL gets Squid's
302 to the block page naming the entry; an unlisted one the origin's content; after a sync that
removes the entry the same URL passes, Squid never restarted. Run once with channel IDs
(``concurrency=8``) and once without, with the same helper command line.

Squid started as root runs its helpers as an unprivileged user; the test then starts Squid as
``nobody`` with the one capability to read files anywhere (CAP_DAC_READ_SEARCH, ambient), so the
helper can run this interpreter wherever it is installed (often under /root).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from hotlist.edge.store import utc_now
from hotlist.urls import Scope

from .conftest import EdgeWorld, Listed, require_program

LISTED = "http://www.blocked.example:{port}/gallery/Set%2042/index.html?page=2"
UNLISTED = "http://www.example.com:{port}/news/today.html"
ENTRY = Listed(
    "http://www.blocked.example/gallery/Set%2042/index.html?page=2", Scope.PAGE, 0xC0FFEE
)
HOST_ENTRY = Listed("http://host.blocked.example/", Scope.HOST, 0xBEEF, category=2)
BLOCK_PAGE = "http://block.example/blocked?entry={entry_id}&category={category}"
NAMES = ("www.blocked.example", "host.blocked.example", "www.example.com")
START_TIMEOUT_S = 60.0


class Origin:
    """The origin web server on 127.0.0.1: answers every GET with a page naming its path."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        paths = self.paths

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                paths.append(self.path)
                body = f"origin content for {self.path}".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port: int = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Squid:
    """A running Squid and what the test needs to talk to it."""

    process: subprocess.Popen[bytes]
    port: int
    folder: Path
    name: str

    @property
    def cache_log(self) -> str:
        path = self.folder / "cache.log"
        return path.read_text(errors="replace") if path.exists() else ""


def squid_conf(folder: Path, port: int, store: Path, concurrency: int) -> str:
    # The installed command, not `python -m`: Squid runs a helper with argv[0] set to
    # "(python)", from which a virtual environment's interpreter cannot find itself.
    command = Path(sys.executable).parent / "hotlist"
    if not command.exists():
        command = Path(require_program("hotlist"))
    helper = f"{command} edge squid-helper --store {store} --block-page {BLOCK_PAGE} --interval 0.1"
    return f"""
http_port 127.0.0.1:{port}
visible_hostname hotlist-test
pid_filename {folder}/squid.pid
cache_log {folder}/cache.log
access_log {folder}/access.log
cache_store_log none
coredump_dir {folder}
cache deny all
cache_mem 4 MB
pinger_enable off
hosts_file {folder}/hosts
dns_nameservers 127.0.0.1
http_access allow localhost
http_access deny all
url_rewrite_program {helper}
url_rewrite_children 2 startup=1 idle=1 concurrency={concurrency}
shutdown_lifetime 1 seconds
"""


def start_squid(store: Path, concurrency: int) -> Squid:
    folder = Path(tempfile.mkdtemp(prefix="hotlist-squid-"))
    port = free_port()
    (folder / "hosts").write_text("".join(f"127.0.0.1 {name}\n" for name in NAMES))
    (folder / "squid.conf").write_text(squid_conf(folder, port, store, concurrency))
    # A service name of its own: Squid names its shared memory segments after it.
    name = f"hotlist{os.getpid()}x{concurrency}"
    command = [require_program("squid"), "-N", "-n", name, "-f", str(folder / "squid.conf")]
    if os.geteuid() == 0:
        # Squid refuses to run as root; as nobody, the helper still reads this interpreter.
        for path in (folder, *folder.iterdir()):
            shutil.chown(path, "nobody")
        capability = ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
        user = ["--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        command = [require_program("setpriv"), *user, *capability, *command]
    with (folder / "squid.out").open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    return Squid(process, port, folder, name)


def stop_squid(squid: Squid) -> None:
    if squid.process.poll() is None:
        squid.process.send_signal(signal.SIGTERM)
        try:
            squid.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            squid.process.kill()
            squid.process.wait()
    shutil.rmtree(squid.folder, ignore_errors=True)
    # Squid run with -N leaves its shared memory segments behind.
    for segment in Path("/dev/shm").glob(f"{squid.name}-*"):  # noqa: S108  # our own names
        segment.unlink(missing_ok=True)


@dataclass(frozen=True)
class Response:
    status: int
    location: str
    body: str


def fetch(squid: Squid, url: str) -> Response:
    """``curl -x`` through Squid: status, Location header and body."""
    curl = require_program("curl")
    proxy = f"http://127.0.0.1:{squid.port}"
    write_out = "\n%{http_code} %{redirect_url}"
    result = subprocess.run(
        [curl, "-sS", "--max-time", "20", "--noproxy", "", "-x", proxy, "-w", write_out, url],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"curl failed ({result.returncode}): {result.stderr}")
    body, _, tail = result.stdout.rpartition("\n")
    status, _, location = tail.partition(" ")
    return Response(int(status), location, body)


def tunnel(squid: Squid, url: str) -> str:
    """What curl says when it asks Squid for a CONNECT tunnel to ``url``'s host and port."""
    curl = require_program("curl")
    proxy = f"http://127.0.0.1:{squid.port}"
    result = subprocess.run(
        [curl, "-sS", "--max-time", "20", "--noproxy", "", "-x", proxy, "-k", url],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0, "the origin speaks no TLS: no tunnel can succeed"
    return result.stderr


def make_stale(world: EdgeWorld) -> None:
    """Make the list in force look unconfirmed for three hours (max age is two)."""
    store = world.store
    synced_at = (utc_now() - timedelta(hours=3)).isoformat()
    store.write_state(store.state()._replace(synced_at=synced_at))


def wait_until_serving(squid: Squid, url: str) -> Response:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if squid.process.poll() is not None:
            pytest.fail(f"squid exited with {squid.process.returncode}:\n{squid.cache_log[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", squid.port), timeout=1):
                pass
            return fetch(squid, url)
        except (OSError, AssertionError):
            if time.monotonic() > deadline:
                pytest.fail(f"squid did not serve within {START_TIMEOUT_S} s:\n{squid.cache_log}")
            time.sleep(0.2)


@pytest.fixture
def origin() -> Iterator[Origin]:
    server = Origin()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.slow
@pytest.mark.parametrize("concurrency", [0, 8], ids=["one-at-a-time", "channel-ids"])
def test_squid_blocks_a_listed_url_until_a_sync_removes_it(
    edge_world: EdgeWorld, origin: Origin, concurrency: int
) -> None:
    require_program("squid")
    require_program("curl")
    edge_world.publish([ENTRY, HOST_ENTRY])
    assert edge_world.sync().version == 2
    listed = LISTED.format(port=origin.port)
    unlisted = UNLISTED.format(port=origin.port)

    squid = start_squid(edge_world.store.path, concurrency)
    try:
        first = wait_until_serving(squid, unlisted)
        assert (first.status, first.body) == (200, "origin content for /news/today.html")

        blocked = fetch(squid, listed)
        assert blocked.status == 302
        assert blocked.location == (
            "http://block.example/blocked?entry=0000000000c0ffee&category=1"
        )
        host_blocked = fetch(squid, f"http://host.blocked.example:{origin.port}/any/page")
        assert host_blocked.status == 302
        assert host_blocked.location.endswith("entry=000000000000beef&category=2")
        assert not any(path.startswith(("/gallery/", "/any/")) for path in origin.paths)

        edge_world.publish([HOST_ENTRY])  # the listed page is gone: its entry is removed
        assert edge_world.sync().version == 3
        deadline = time.monotonic() + 30
        passed = fetch(squid, listed)
        while passed.status != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
            passed = fetch(squid, listed)
        assert passed.status == 200, squid.cache_log[-3000:]
        assert passed.body == "origin content for /gallery/Set%2042/index.html?page=2"
        assert fetch(squid, f"http://host.blocked.example:{origin.port}/x").status == 302
        assert squid.process.poll() is None, "squid stopped"
        log = squid.cache_log
        assert "list main version 3 in force" in log
        assert "Reconfiguring" not in log
        assert "exited" not in log  # no helper was restarted either
        assert "FATAL" not in log

        # HTTPS through the proxy: CONNECT host:port, checked at host scope only.
        assert "response 302" in tunnel(squid, f"https://host.blocked.example:{origin.port}/")
        assert "response 302" not in tunnel(squid, f"https://www.example.com:{origin.port}/")

        # Stale under fail mode closed: BH for every line; Squid logs it and lets requests pass.
        make_stale(edge_world)
        deadline = time.monotonic() + 30
        while fetch(squid, f"http://host.blocked.example:{origin.port}/y").status != 200:
            assert time.monotonic() < deadline, squid.cache_log[-3000:]
            time.sleep(0.1)
        assert "is stale" in squid.cache_log
        assert "fail mode closed" in squid.cache_log
        assert squid.process.poll() is None, "squid stopped"
    finally:
        stop_squid(squid)
