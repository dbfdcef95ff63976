"""A published list served over loopback HTTP by a plain static file server, and an edge store.

The server is ``http.server`` serving the repository directory as static files, plus one API-key
check: what any web server or CDN does. That is the proof that the repository needs nothing else.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from hotlist.edge.config import EdgeConfig
from hotlist.edge.store import Store
from hotlist.publish.keys import KeyRing
from hotlist.publish.publisher import Publisher, PublishResult
from hotlist.publish.repository import PublishSettings
from hotlist.publish.synthetic import synthetic_records

API_KEY = "member-test-key"


class RepoServer:
    """Serves ``root`` read-only on 127.0.0.1; ``truncate`` cuts target files in half;
    ``trickle`` = (name, seconds) sends files whose path ends with name one byte at a time,
    that many seconds apart (the headers too when ``trickle_headers``)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.truncate = False
        self.trickle: tuple[str, float] | None = None
        self.trickle_headers = False
        self.requests: list[str] = []
        owner = self

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(owner.root), **kwargs)

            def do_GET(self) -> None:
                owner.requests.append(self.path)
                if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                    self.send_error(401, "API key required")
                    return
                if owner.truncate and self.path.startswith("/targets/"):
                    data = Path(self.translate_path(self.path)).read_bytes()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.close_connection = True
                    return
                if owner.trickle is not None and self.path.endswith(owner.trickle[0]):
                    self.send_slowly(owner.trickle[1])
                    return
                super().do_GET()

            def send_slowly(self, delay: float) -> None:
                try:
                    data = Path(self.translate_path(self.path)).read_bytes()
                except OSError:
                    self.send_error(404)
                    return
                head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(data)}\r\n\r\n".encode()
                self.close_connection = True
                if not owner.trickle_headers:
                    self.wfile.write(head)
                    head = b""
                try:
                    for byte in head + data:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(delay)
                except OSError:
                    pass  # the client gave up: what the tests expect

            def do_HEAD(self) -> None:
                self.send_error(405)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        self.running = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def stop(self) -> None:
        if self.running:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join()
            self.running = False


@dataclass
class World:
    """Keys, a repository, its server and one member's store."""

    tmp: Path
    keys: Path
    repo: Path
    publisher: Publisher
    server: RepoServer
    store: Store

    def publish(self, start: int = 0, count: int = 50) -> PublishResult:
        """Publish expressions ``start .. start+count-1`` as the next version."""
        return self.publisher.publish(synthetic_records(count, start=start))

    def new_store(self, name: str, **config: Any) -> Store:
        """Another member's store trusting the repository's first root."""
        settings: dict[str, Any] = {
            "server": self.server.url,
            "key": "file:key",
            "list_name": "main",
        }
        settings.update(config)
        return Store.create(
            self.tmp / name,
            EdgeConfig(**settings),
            (self.repo / "metadata" / "1.root.json").read_bytes(),
            api_key=API_KEY,
        )


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    keys = tmp_path / "keys"
    KeyRing.init(keys)
    repo = tmp_path / "repo"
    publisher = Publisher(repo, keys, "main", PublishSettings(keep_deltas=3))
    publisher.publish(synthetic_records(50))
    server = RepoServer(repo)
    try:
        world = World(tmp_path, keys, repo, publisher, server, Store(tmp_path / "unused"))
        world.store = world.new_store("store", max_age_s=3600)
        yield world
    finally:
        server.stop()
