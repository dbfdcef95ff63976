"""The edge store: atomic writes, the previous list kept, clear errors."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from hotlist.edge.config import EdgeConfig
from hotlist.edge.store import Store, StoreState, atomic_write
from hotlist.errors import ConfigError, StorageError, VerificationError
from hotlist.publish.format import Snapshot
from hotlist.publish.synthetic import synthetic_records

CONFIG = EdgeConfig(server="http://127.0.0.1:9/", key="file:key", list_name="test")


def snapshot(version: int, count: int = 20) -> Snapshot:
    return Snapshot.from_records("test", version, synthetic_records(count, start=version))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.create(tmp_path / "store", CONFIG, b'{"root": 1}', api_key="k-test")


def test_a_new_store_has_config_key_and_root(store: Store) -> None:
    assert store.config() == CONFIG
    assert store.api_key() == "k-test"
    assert (store.key_path.stat().st_mode & 0o777) == 0o600
    assert (store.trusted_dir / "root.json").read_bytes() == b'{"root": 1}'
    assert store.load_current() is None
    assert store.state() == StoreState()


def test_a_store_is_not_created_twice(store: Store) -> None:
    with pytest.raises(ConfigError, match="already holds an edge store"):
        Store.create(store.path, CONFIG, b"{}")


def test_a_missing_store_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="hotlist edge init"):
        Store(tmp_path / "nowhere").config()


def test_install_keeps_the_previous_list(store: Store) -> None:
    store.install(snapshot(1), StoreState(version=1))
    store.install(snapshot(2), StoreState(version=2))
    assert store.load_current() == snapshot(2)
    assert store.load_previous() == snapshot(1)
    assert store.state().version == 2


def test_a_full_disk_leaves_the_list_in_force(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.install(snapshot(1), StoreState(version=1))

    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(StorageError, match="the disk is full"):
        store.install(snapshot(2), StoreState(version=2))
    monkeypatch.undo()
    assert store.load_current() == snapshot(1)
    assert store.state().version == 1
    assert not [p for p in store.path.iterdir() if p.name.endswith(".tmp")]


def test_a_failed_fsync_is_a_storage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "file"
    target.write_bytes(b"old")

    def failing(fd: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", failing)
    with pytest.raises(StorageError, match="previous version stays"):
        atomic_write(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"


def test_a_corrupt_current_list_is_refused(store: Store) -> None:
    store.install(snapshot(1), StoreState(version=1))
    data = bytearray(store.current_path.read_bytes())
    data[100] ^= 1
    store.current_path.write_bytes(bytes(data))
    with pytest.raises(VerificationError):
        store.load_current()


def test_a_corrupt_state_is_a_storage_error(store: Store) -> None:
    store.state_path.write_text("{not json")
    with pytest.raises(StorageError, match="corrupt"):
        store.state()


def test_errors_are_recorded_without_touching_the_list(store: Store) -> None:
    store.install(snapshot(1), StoreState(version=1, synced_at="2026-01-01T00:00:00+00:00"))
    store.record_error("server down")
    state = store.state()
    assert state.version == 1
    assert state.last_error == "server down"
    assert state.synced_at == "2026-01-01T00:00:00+00:00"


@pytest.mark.parametrize(
    "changes",
    [{"server": "ftp://x.example/"}, {"key": "plain"}, {"fail_mode": "maybe"}, {"max_age_s": 0}],
)
def test_bad_settings_are_config_errors(changes: dict[str, object]) -> None:
    fields: dict[str, object] = {"server": "http://127.0.0.1/", "key": "env:K"}
    fields.update(changes)
    with pytest.raises(ConfigError):
        EdgeConfig(**fields)  # type: ignore[arg-type]


def test_a_key_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = EdgeConfig(server="http://127.0.0.1/", key="env:HOTLIST_TEST_KEY")
    monkeypatch.delenv("HOTLIST_TEST_KEY", raising=False)
    with pytest.raises(ConfigError, match="not set"):
        config.api_key(tmp_path)
    monkeypatch.setenv("HOTLIST_TEST_KEY", "secret-test")
    assert config.api_key(tmp_path) == "secret-test"
