"""Helpers for tests that drive real system programs (Squid, curl, ...) on loopback.

- :func:`require_program` finds a program, or skips the test saying which is missing; under
  ``CI=true`` a missing program fails the test instead, so CI cannot pass by skipping.
- The ``edge_world`` fixture is a real list end to end: signing keys, a TUF repository published
  with :mod:`hotlist.publish` from plaintext URLs and scopes, served by ``http.server`` on
  127.0.0.1 behind a bearer-key check, and a member's edge store synced from it (TUF verified).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from hotlist.edge.config import EdgeConfig
from hotlist.edge.store import Store
from hotlist.edge.sync import SyncResult, sync
from hotlist.publish.keys import KeyRing
from hotlist.publish.publisher import Publisher, PublishResult
from hotlist.publish.records import ListRecord
from hotlist.urls import Scope, entry_expression

MEMBER_KEY = "integration-member-key"


def require_program(name: str) -> str:
    """The path of program ``name``; skip the test when it is absent (fail under CI=true)."""
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path is not None:
        return path
    reason = f"{name} is not installed (CI installs it: see .ci/run)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true requires it", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class Listed:
    """A list entry as an analyst makes it: a URL, a scope, its public id and category."""

    url: str
    scope: Scope
    entry_id: int
    category: int = 1

    def record(self) -> ListRecord:
        """The record the server hands the publisher (hashes only)."""
        expression = entry_expression(self.url, self.scope)
        host = expression.split("/", 1)[0] + "/"
        return ListRecord(
            hashlib.sha256(expression.encode()).digest(),
            hashlib.sha256(host.encode()).digest(),
            self.category,
            self.entry_id,
        )


class StaticServer:
    """A directory served read-only on 127.0.0.1, answering 401 without the member's key."""

    def __init__(self, root: Path) -> None:
        directory = str(root)

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=directory, **kwargs)

            def do_GET(self) -> None:
                if self.headers.get("Authorization") != f"Bearer {MEMBER_KEY}":
                    self.send_error(401, "API key required")
                    return
                super().do_GET()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def stop(self) -> None:
        """Shut the server down."""
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@dataclass
class EdgeWorld:
    """A hotline's published list and one member's edge store synced from it."""

    publisher: Publisher
    store: Store

    def publish(self, entries: Sequence[Listed]) -> PublishResult:
        """Publish exactly ``entries`` as the list's next version."""
        return self.publisher.publish([entry.record() for entry in entries])

    def sync(self) -> SyncResult:
        """``hotlist edge sync``: fetch and verify the newest version into the store."""
        return sync(self.store)


@pytest.fixture
def edge_world(tmp_path: Path) -> Iterator[EdgeWorld]:
    """Keys, an empty published list (version 1), its server, and a store that synced it.

    The store lies in a folder of its own that any user can read, as a proxy's or resolver's
    unprivileged helper user must (pytest's own temporary folders are private to their owner).
    """
    shared = Path(tempfile.mkdtemp(prefix="hotlist-edge-"))
    shared.chmod(0o755)
    keys = tmp_path / "keys"
    KeyRing.init(keys)
    repo = tmp_path / "repo"
    publisher = Publisher(repo, keys, "main")
    publisher.publish([])
    server = StaticServer(repo)
    try:
        config = EdgeConfig(server=server.url, key="file:key", list_name="main")
        root = (repo / "metadata" / "1.root.json").read_bytes()
        store = Store.create(shared / "edge", config, root, api_key=MEMBER_KEY)
        world = EdgeWorld(publisher, store)
        world.sync()
        yield world
    finally:
        server.stop()
        shutil.rmtree(shared, ignore_errors=True)
