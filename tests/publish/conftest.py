"""Factories for list records and snapshots; a key ceremony with a member syncing over HTTP."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from edge.conftest import API_KEY, RepoServer
from hotlist.edge.config import EdgeConfig
from hotlist.edge.store import Store
from hotlist.edge.sync import sync
from hotlist.publish.format import Snapshot
from hotlist.publish.keys import KeyRing, Role
from hotlist.publish.publisher import Publisher
from hotlist.publish.synthetic import synthetic_records

SnapshotFactory = Callable[..., Snapshot]


@pytest.fixture
def make_snapshot() -> SnapshotFactory:
    """Build a snapshot of expressions ``start .. start+count-1`` at ``version``."""

    def make(count: int = 40, *, version: int = 1, start: int = 0, name: str = "test") -> Snapshot:
        return Snapshot.from_records(name, version, synthetic_records(count, start=start))

    return make


def tree_state(*directories: Path) -> dict[str, tuple[str, int]]:
    """SHA-256 and mode of every file under ``directories`` (temporary files included)."""
    state: dict[str, tuple[str, int]] = {}
    for directory in directories:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                state[str(path)] = (digest, path.stat().st_mode & 0o777)
    return state


@dataclass
class Ceremony:
    """Keys, a repository with version 1 published, a server for it, one member's store."""

    tmp: Path
    keys: Path
    repo: Path
    publisher: Publisher
    server: RepoServer
    store: Store

    @property
    def offline(self) -> Path:
        return self.tmp / "offline" / "root.pem"

    def root_offline(self) -> None:
        """What docs/keys.md says: copy root.pem to offline storage, remove it from the server."""
        self.offline.parent.mkdir(exist_ok=True)
        shutil.copy2(self.keys / "root.pem", self.offline)
        (self.keys / "root.pem").unlink()

    def root_back(self) -> None:
        """Bring root.pem back for a ceremony (mode 0600)."""
        shutil.copy2(self.offline, self.keys / "root.pem")
        (self.keys / "root.pem").chmod(0o600)

    def publish(self, start: int) -> int:
        return self.publisher.publish(synthetic_records(20, start=start)).version

    def synced(self, store: Store | None = None) -> int:
        result = sync(store or self.store)
        assert result.version is not None
        return result.version

    def new_store(self, name: str) -> Store:
        """A member who joins now, trusting only root version 1."""
        return Store.create(
            self.tmp / name,
            EdgeConfig(server=self.server.url, key="file:key", list_name="main"),
            (self.repo / "metadata" / "1.root.json").read_bytes(),
            api_key=API_KEY,
        )

    def key_id(self, role: Role) -> str:
        return KeyRing(self.keys).public_key(role).keyid

    def trusted(self, role: Role) -> list[str]:
        root = json.loads((self.repo / "metadata" / "root.json").read_text())["signed"]
        keyids: list[str] = root["roles"][role]["keyids"]
        return keyids

    def state(self) -> dict[str, tuple[str, int]]:
        return tree_state(self.keys, self.repo)


@pytest.fixture
def ceremony(tmp_path: Path) -> Iterator[Ceremony]:
    keys, repo = tmp_path / "keys", tmp_path / "repo"
    KeyRing.init(keys)
    publisher = Publisher(repo, keys, "main")
    publisher.publish(synthetic_records(20))
    server = RepoServer(repo)
    try:
        made = Ceremony(tmp_path, keys, repo, publisher, server, Store(tmp_path / "unused"))
        made.store = made.new_store("store")
        assert made.synced() == 1
        yield made
    finally:
        server.stop()
