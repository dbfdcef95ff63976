"""The whole way to a member's edge: the app on a loopback port, publishing, and edge stores.

``live_server`` runs the test app with uvicorn in a thread on 127.0.0.1 (the edge syncs over
real HTTP from ``/v1/tuf/``); ``publish_now`` publishes what is in force; ``member_store(name,
**config)`` makes an edge store with the member's key that trusts the repository's first root.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from hotlist.edge.config import EdgeConfig
from hotlist.edge.store import Store
from hotlist.publish.publisher import PublishResult
from hotlist.server.config import Settings
from hotlist.server.kit.paths import repository_paths
from hotlist.server.publishing.service import make_publisher, publish

__all__ = ["live_server", "member_store", "publish_now"]


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:
        """A server in a thread leaves the signals to the test runner."""


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[str]:
    """The app served on a free loopback port; its base URL."""
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def publish_now(settings: Settings, sessions: sessionmaker[Session]) -> Callable[[], PublishResult]:
    """``publish_now()``: publish the entries in force as the next list version."""
    publisher = make_publisher(settings, create_keys=True)

    def run() -> PublishResult:
        return publish(sessions, publisher, public_url=settings.public_url)

    return run


@pytest.fixture
def member_store(
    live_server: str,
    settings: Settings,
    api_key: Callable[[str], str],
    tmp_path: Path,
) -> Callable[..., Store]:
    """``member_store(name, **config)``: an edge store of the member, after the first publish."""

    def make(name: str, **config: Any) -> Store:
        root = repository_paths(settings).repository / "metadata" / "1.root.json"
        edge_config = EdgeConfig(server=f"{live_server}/v1/tuf/", key="file:key", **config)
        return Store.create(
            tmp_path / name, edge_config, root.read_bytes(), api_key=api_key("member")
        )

    return make
