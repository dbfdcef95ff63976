"""Sync checks the log's signed tree head: first one pinned, later ones proven consistent, a fork
fails the sync closed naming both heads, and the list in force stays."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hotlist.edge.config import EdgeConfig
from hotlist.edge.extras import ExtraContext
from hotlist.edge.log_head import held_head
from hotlist.edge.store import Store
from hotlist.edge.sync import sync
from hotlist.errors import VerificationError
from hotlist.publish.keys import KeyRing
from hotlist.publish.log.head import TreeHead, public_key_pem, sign_head
from hotlist.publish.log.merkle import consistency_proof, leaf_hash, root_hash
from hotlist.publish.publisher import Publisher
from hotlist.publish.repository import PublishSettings
from hotlist.publish.synthetic import synthetic_records
from hotlist.publish.wire import LOG_HEAD_EXTRA, LOG_KEY_EXTRA

API_KEY = "member-log-test-key"


@dataclass
class Hotline:
    """A repository under ``/v1/tuf/`` and a log answering ``/v1/log/proof/consistency``."""

    repo: Path
    publisher: Publisher
    log_key: Ed25519PrivateKey
    leaves: list[bytes] = field(default_factory=list)
    proof_requests: list[str] = field(default_factory=list)
    url: str = ""

    def append(self, *names: str) -> None:
        self.leaves.extend(leaf_hash(name.encode()) for name in names)

    def publish(
        self, start: int, key: Ed25519PrivateKey | None = None, size: int | None = None
    ) -> None:
        """Publish a list version carrying the head of the first ``size`` leaves (all)."""
        signer = key or self.log_key
        hashes = self.leaves[: len(self.leaves) if size is None else size]
        head = TreeHead(size=len(hashes), root_hash=root_hash(hashes), timestamp=datetime.now(UTC))
        extras = {
            LOG_HEAD_EXTRA: sign_head(head, signer).to_json(),
            LOG_KEY_EXTRA: public_key_pem(signer.public_key()),
        }
        assert self.publisher.publish(synthetic_records(20, start=start), extras=extras).published


def _serve(hotline: Hotline) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                self._send(401, b"{}")
                return
            parts = urlsplit(self.path)
            if parts.path.startswith("/v1/tuf/"):
                file = hotline.repo / parts.path.removeprefix("/v1/tuf/")
                self._send(200, file.read_bytes()) if file.is_file() else self._send(404, b"")
            elif parts.path == "/v1/log/proof/consistency":
                hotline.proof_requests.append(parts.query)
                query = {k: int(v[0]) for k, v in parse_qs(parts.query).items()}
                proof = consistency_proof(hotline.leaves[: query["second"]], query["first"])
                body = {"proof": [node.hex() for node in proof]}
                self._send(200, json.dumps(body).encode())
            else:
                self._send(404, b"")

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return httpd


@pytest.fixture
def hotline(tmp_path: Path) -> Iterator[Hotline]:
    keys = tmp_path / "keys"
    KeyRing.init(keys)
    repo = tmp_path / "repo"
    publisher = Publisher(repo, keys, "main", PublishSettings(keep_deltas=3))
    publisher.publish(synthetic_records(20))
    hotline = Hotline(repo, publisher, Ed25519PrivateKey.generate())
    httpd = _serve(hotline)
    hotline.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield hotline
    finally:
        httpd.shutdown()
        httpd.server_close()


def _store(hotline: Hotline, tmp_path: Path) -> Store:
    config = EdgeConfig(server=f"{hotline.url}/v1/tuf/", key="file:key", list_name="main")
    root = (hotline.repo / "metadata" / "1.root.json").read_bytes()
    return Store.create(tmp_path / "store", config, root, api_key=API_KEY)


@pytest.fixture
def synced(hotline: Hotline, tmp_path: Path) -> Store:
    """A store that holds a list whose log head has 3 leaves."""
    hotline.append("a", "b", "c")
    hotline.publish(start=1)
    store = _store(hotline, tmp_path)
    sync(store)
    head = held_head_of(store)
    assert head.size == 3
    return store


def held_head_of(store: Store) -> TreeHead:
    head = held_head(ExtraContext(store=store, api_base=None, api_key=API_KEY))
    assert head is not None
    return head


def test_a_consistent_log_passes_and_its_head_is_kept(hotline: Hotline, synced: Store) -> None:
    hotline.append("d", "e")
    hotline.publish(start=2)
    result = sync(synced)
    assert held_head_of(synced).size == 5
    assert result.version == 3
    assert hotline.proof_requests == ["first=3&second=5"]


def test_a_forked_log_fails_the_sync_naming_both_heads(hotline: Hotline, synced: Store) -> None:
    held = held_head_of(synced)
    hotline.leaves[2] = leaf_hash(b"rewritten")
    hotline.append("d", "e")
    hotline.publish(start=2)
    forked = root_hash(hotline.leaves)
    with pytest.raises(VerificationError, match="forked") as caught:
        sync(synced)
    assert f"size 3 root {held.root_hash.hex()}" in caught.value.message
    assert f"size 5 root {forked.hex()}" in caught.value.message
    assert synced.state().version == 2
    assert held_head_of(synced) == held
    assert "forked" in (synced.state().last_error or "")


def test_a_shrunk_log_or_another_root_of_the_same_size_fails(
    hotline: Hotline, synced: Store
) -> None:
    hotline.publish(start=2, size=2)
    with pytest.raises(VerificationError, match="shrank"):
        sync(synced)
    hotline.leaves[0] = leaf_hash(b"other")
    hotline.publish(start=3)
    with pytest.raises(VerificationError, match="forked"):
        sync(synced)
    assert synced.state().version == 2


def test_a_head_signed_by_another_key_is_refused(hotline: Hotline, synced: Store) -> None:
    hotline.append("d")
    hotline.publish(start=2, key=Ed25519PrivateKey.generate())
    with pytest.raises(VerificationError, match="log key changed"):
        sync(synced)


def test_a_version_without_the_head_is_refused(hotline: Hotline, synced: Store) -> None:
    assert hotline.publisher.publish(synthetic_records(20, start=5)).published
    with pytest.raises(VerificationError, match=r"drops log/head\.json"):
        sync(synced)
    assert synced.state().version == 2
