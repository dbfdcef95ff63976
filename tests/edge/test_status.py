"""Status: age since the last confirmed sync, stale past the maximum, fail mode honoured."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hotlist.edge.config import EdgeConfig
from hotlist.edge.status import read_status
from hotlist.edge.store import Store, StoreState
from hotlist.errors import NotFound, StaleList
from hotlist.publish.format import Snapshot
from hotlist.publish.synthetic import synthetic_records

SYNCED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def make_store(tmp_path: Path, fail_mode: str = "closed") -> Store:
    config = EdgeConfig(
        server="http://127.0.0.1:9/",
        key="env:UNUSED",
        list_name="main",
        max_age_s=3600,
        fail_mode=fail_mode,  # type: ignore[arg-type]
    )
    store = Store.create(tmp_path / fail_mode, config, b"{}")
    snapshot = Snapshot.from_records("main", 4, synthetic_records(10))
    store.install(
        snapshot,
        StoreState(version=4, count=10, synced_at=SYNCED.isoformat(), published_at="x"),
    )
    return store


def test_a_fresh_list(tmp_path: Path) -> None:
    status = read_status(make_store(tmp_path), now=SYNCED + timedelta(minutes=30))
    assert (status.version, status.count, status.stale, status.exit_code) == (4, 10, False, 0)
    assert status.state == "fresh"
    assert status.age_s == 1800
    assert status.to_dict()["synced"] is True


def test_an_old_list_is_stale_with_its_exit_code(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    store.record_error("server down")
    status = read_status(store, now=SYNCED + timedelta(hours=2))
    assert status.stale
    assert status.state == "stale"
    assert status.exit_code == StaleList.exit_code
    assert status.last_error == "server down"


def test_a_store_never_synced(tmp_path: Path) -> None:
    config = EdgeConfig(server="http://127.0.0.1:9/", key="env:UNUSED")
    store = Store.create(tmp_path / "s", config, b"{}")
    status = read_status(store)
    assert not status.synced
    assert status.stale  # a monitor must not read a store with no list as healthy
    assert status.state == "never_synced"
    assert status.to_dict()["state"] == "never_synced"
    assert status.exit_code == NotFound.exit_code
