"""The edge store: atomic writes, the previous list kept, clear errors."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from hotlist.edge.config import EdgeConfig
from hotlist.edge.store import Store, StoreState, atomic_write
from hotlist.errors import ConfigError, StorageError, VerificationError
from hotlist.publish.format import CHECKSUM_SIZE, Snapshot, decode_snapshot
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


def corrupt_an_entry_id(store: Store) -> None:
    """Flip a bit of the last entry id in the store's current list, in place, where only the
    checksum can tell: the id stays in range and the file's structure stays sound."""
    data = bytearray(store.current_path.read_bytes())
    count = decode_snapshot(bytes(data)).count
    data[-CHECKSUM_SIZE - count - 1] ^= 0x01  # its most significant byte
    store.current_path.write_bytes(bytes(data))


def test_a_list_loaded_without_its_checksum_is_verified_later_once(store: Store) -> None:
    store.install(snapshot(1), StoreState(version=1))
    reader = Store(store.path)
    loaded = reader.load_current(checksum=False)
    assert loaded == snapshot(1)
    assert reader.load_current(checksum=False) is loaded  # kept, still to verify
    assert reader.verify_checksum(loaded)
    assert not reader.verify_checksum(loaded)  # once
    assert reader.load_current() is loaded
    verified = Store(store.path)
    assert not verified.verify_checksum(verified.load_current())  # verified at load


def test_a_corrupt_list_loaded_without_its_checksum_fails_it_later(store: Store) -> None:
    store.install(snapshot(1), StoreState(version=1))
    corrupt_an_entry_id(store)
    reader = Store(store.path)
    loaded = reader.load_current(checksum=False)
    assert loaded is not None
    assert loaded.entry_ids[-1] == snapshot(1).entry_ids[-1] ^ (1 << 56)
    for _ in range(2):  # each time it is asked
        with pytest.raises(VerificationError, match="checksum mismatch"):
            reader.verify_checksum(loaded)
    with pytest.raises(VerificationError, match="checksum mismatch"):
        reader.load_current()  # forgotten: read again, verified


def test_a_kept_list_not_yet_verified_is_verified_when_asked_for_verified(store: Store) -> None:
    store.install(snapshot(1), StoreState(version=1))
    corrupt_an_entry_id(store)
    reader = Store(store.path)
    reader.load_current(checksum=False)
    with pytest.raises(VerificationError, match="checksum mismatch"):
        reader.load_current()


def test_a_corrupt_current_list_is_refused(store: Store) -> None:
    store.install(snapshot(1), StoreState(version=1))
    data = bytearray(store.current_path.read_bytes())
    data[100] ^= 1
    store.current_path.write_bytes(bytes(data))
    with pytest.raises(VerificationError):
        store.load_current()


def test_the_list_in_force_is_read_in_place_from_the_file(store: Store) -> None:
    store.install(snapshot(1), StoreState(version=1))
    loaded = Store(store.path).load_current()
    assert loaded == snapshot(1)
    assert isinstance(loaded.hashes, memoryview)
    assert loaded.hashes.readonly


@pytest.mark.parametrize("size", [0, 10])
def test_an_empty_or_truncated_list_file_is_refused(store: Store, size: int) -> None:
    store.install(snapshot(1), StoreState(version=1))
    data = store.current_path.read_bytes()
    store.current_path.write_bytes(data[:size])
    with pytest.raises(VerificationError, match="truncated"):
        Store(store.path).load_current()


def test_a_list_read_in_place_stays_whole_when_newer_ones_replace_its_file(store: Store) -> None:
    store.install(snapshot(1), StoreState(version=1))
    first = Store(store.path).load_current()
    for version in (2, 3):  # version 1's file is then neither current nor previous
        store.install(snapshot(version), StoreState(version=version))
    assert first == snapshot(1)
    assert Store(store.path).load_current() == snapshot(3)


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


def _contents(store: Store) -> dict[str, bytes]:
    """Every file of the store but its lock, by relative path."""
    return {
        path.relative_to(store.path).as_posix(): path.read_bytes()
        for path in sorted(store.path.rglob("*"))
        if path.is_file() and path.name != ".lock"
    }


@pytest.fixture
def two_versions(store: Store) -> dict[str, bytes]:
    """A store holding version 2 (extras a, b, dns/hosts) with version 1 as previous."""
    store.install(snapshot(1), StoreState(version=1), {"a.json": b"a1", "b.json": b"b1"})
    extras = {"a.json": b"a2", "b.json": b"b2", "dns/hosts.txt": b"h2"}
    store.install(snapshot(2), StoreState(version=2), extras)
    return _contents(store)


NEW_EXTRAS = {"a.json": b"a3", "dns/hosts.txt": b"h3", "log/head.json": b"l3"}
"""Version 3 changes a and hosts, drops b, adds the log head."""


@pytest.mark.parametrize("failing", range(1, 6))
def test_a_write_failing_midway_installs_nothing(
    store: Store, two_versions: dict[str, bytes], monkeypatch: pytest.MonkeyPatch, failing: int
) -> None:
    """The Nth file written fails (the list, three extras, the state): all of version 2
    stays, its extras and previous.snapshot included."""
    opened = 0
    doomed: int | None = None
    real_open, real_write = os.open, os.write

    def open_(path: str | os.PathLike[str], flags: int, *args: Any, **kwargs: Any) -> int:
        nonlocal opened, doomed
        fd = real_open(path, flags, *args, **kwargs)
        if flags & os.O_WRONLY and not str(path).endswith(".lock"):
            opened += 1
            if opened == failing:
                doomed = fd
        return fd

    def write(fd: int, data: bytes) -> int:
        if fd == doomed:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "write", write)
    with pytest.raises(StorageError, match="the disk is full"):
        store.install(snapshot(3), StoreState(version=3), NEW_EXTRAS)
    monkeypatch.undo()
    assert _contents(store) == two_versions
    assert store.load_previous() == snapshot(1)


@pytest.mark.parametrize("failing", range(1, 7))
def test_a_rename_failing_midway_is_undone(
    store: Store, two_versions: dict[str, bytes], monkeypatch: pytest.MonkeyPatch, failing: int
) -> None:
    """Every byte is written; the Nth of the six renames that put version 3 in place (three
    extras, previous, current, state) fails: those done are undone."""
    calls = 0
    real_replace = os.replace

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        nonlocal calls
        # Renames within the staging area write the new version; out of it, they install it.
        if ".install" in str(src) and ".install" not in str(dst):
            calls += 1
            if calls == failing:
                raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(StorageError, match="previous version stays"):
        store.install(snapshot(3), StoreState(version=3), NEW_EXTRAS)
    monkeypatch.undo()
    assert _contents(store) == two_versions


def test_a_complete_install_swaps_everything(store: Store, two_versions: dict[str, bytes]) -> None:
    store.install(snapshot(3), StoreState(version=3), NEW_EXTRAS)
    contents = _contents(store)
    assert contents["previous.snapshot"] == two_versions["current.snapshot"]
    assert {k: v for k, v in contents.items() if k.startswith("extras/")} == {
        f"extras/{name}": data for name, data in NEW_EXTRAS.items()
    }
    assert store.state().version == 3
    assert not [name for name in os.listdir(store.path) if name.startswith(".install")]


def test_the_host_filter_is_kept_beside_the_list_and_shared(store: Store) -> None:
    from hotlist.edge.matcher import Matcher

    store.install(snapshot(1, 200), StoreState(version=1))
    table = store.host_filter()
    assert table is not None
    assert table.readonly
    first = Matcher.from_store(store.path)
    assert first._index.filter_shared  # type: ignore[attr-defined]
    store.install(snapshot(2, 300), StoreState(version=2))
    assert first.reload_if_changed()
    assert first._index.filter_shared  # type: ignore[attr-defined]
    assert first.version == 2
