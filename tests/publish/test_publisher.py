"""The publisher and its TUF repository: versions, immutability, pruning, refresh, rotation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hotlist.errors import ConfigError, PublishError
from hotlist.publish.format import decode_snapshot
from hotlist.publish.keys import KeyRing
from hotlist.publish.publisher import Publisher
from hotlist.publish.repository import PublishSettings
from hotlist.publish.synthetic import synthetic_records
from hotlist.publish.wire import delta_target, snapshot_target


@pytest.fixture
def publisher(tmp_path: Path) -> Publisher:
    KeyRing.init(tmp_path / "keys")
    return Publisher(tmp_path / "repo", tmp_path / "keys", "main", PublishSettings(keep_deltas=2))


def test_versions_count_up_with_deltas(publisher: Publisher) -> None:
    first = publisher.publish(synthetic_records(30))
    assert (first.published, first.version, first.added, first.delta_bytes) == (True, 1, 30, 0)
    second = publisher.publish(synthetic_records(30, start=2))
    assert (second.version, second.added, second.removed, second.changed) == (2, 2, 2, 0)
    assert 0 < second.delta_bytes < second.snapshot_bytes
    index = publisher.index()
    assert index is not None
    assert (index["version"], index["count"]) == (2, 30)
    assert index["deltas"] == [
        {"from": 1, "to": 2, "path": "deltas/1-2.delta", "length": second.delta_bytes}
    ]
    data = publisher.repository.read_target(snapshot_target(2))
    assert data is not None
    assert decode_snapshot(data).digest.hex() == index["digest"]


def test_no_change_publishes_nothing_but_refreshes_the_timestamp(publisher: Publisher) -> None:
    publisher.publish(synthetic_records(10))
    before = publisher.repository.timestamp().signed.version
    result = publisher.publish(reversed(synthetic_records(10)))
    assert (result.published, result.version) == (False, 1)
    assert publisher.repository.timestamp().signed.version == before + 1


def test_published_files_never_change(publisher: Publisher) -> None:
    publisher.publish(synthetic_records(10))
    files = {p: p.read_bytes() for p in publisher.repository.path.rglob("*.snapshot")}
    publisher.publish(synthetic_records(10, start=1))
    for path, data in files.items():
        assert path.read_bytes() == data
    with pytest.raises(PublishError, match="already published"):
        publisher.repository.update_targets({snapshot_target(2): b"x"}, frozenset())


def test_old_deltas_and_snapshots_are_pruned(publisher: Publisher) -> None:
    for start in range(5):
        publisher.publish(synthetic_records(10, start=start))
    index = publisher.index()
    assert index is not None
    assert [d["path"] for d in index["deltas"]] == [delta_target(3, 4), delta_target(4, 5)]
    listed = set(publisher.repository.targets().signed.targets)
    assert delta_target(1, 2) not in listed
    assert snapshot_target(1) not in listed
    on_disk = {p.name.split(".", 1)[1] for p in publisher.repository.targets_dir.rglob("*.delta")}
    assert "1-2.delta" not in on_disk


def test_old_metadata_versions_are_pruned(publisher: Publisher) -> None:
    for start in range(14):
        publisher.publish(synthetic_records(10, start=start))
    metadata = publisher.repository.metadata_dir
    assert len(list(metadata.glob("*.targets.json"))) == 10
    assert len(list(metadata.glob("*.snapshot.json"))) == 10
    assert (metadata / "1.root.json").exists()
    assert publisher.repository.targets().signed.version == 15


def test_a_new_publisher_continues_from_the_repository(publisher: Publisher) -> None:
    publisher.publish(synthetic_records(10))
    again = Publisher(publisher.repository.path, publisher.repository.keys.path, "main")
    assert again.publish(synthetic_records(10, start=4)).version == 2
    other = Publisher(publisher.repository.path, publisher.repository.keys.path, "other")
    with pytest.raises(PublishError, match="publishes list 'main'"):
        other.publish(synthetic_records(3))


def test_refresh_resigns_targets_near_their_expiry(tmp_path: Path) -> None:
    KeyRing.init(tmp_path / "keys")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    clock = [now]
    publisher = Publisher(
        tmp_path / "repo", tmp_path / "keys", "main", PublishSettings(), clock=lambda: clock[0]
    )
    publisher.publish(synthetic_records(5))
    repo = publisher.repository
    targets_version = repo.targets().signed.version
    publisher.refresh()
    assert repo.targets().signed.version == targets_version
    assert repo.timestamp().signed.expires == now + timedelta(hours=24)
    clock[0] = now + timedelta(days=29)
    publisher.refresh()
    assert repo.targets().signed.version == targets_version + 1
    assert repo.targets().signed.expires == clock[0] + timedelta(days=30)


def test_refresh_needs_a_first_version(tmp_path: Path) -> None:
    KeyRing.init(tmp_path / "keys")
    with pytest.raises(PublishError, match="no list yet"):
        Publisher(tmp_path / "repo", tmp_path / "keys").refresh()


def test_root_rotation_is_signed_by_old_and_new_root_keys(publisher: Publisher) -> None:
    publisher.publish(synthetic_records(5))
    repo = publisher.repository
    old_root = repo.root()
    version = repo.rotate("root")
    new_root = repo.root()
    assert version == new_root.signed.version == 2
    assert len(new_root.signatures) == 2
    # Members holding root 1 accept root 2: root 1's keys sign it, and so do root 2's own.
    old_root.signed.verify_delegate("root", new_root.signed_bytes, new_root.signatures)
    new_root.signed.verify_delegate("root", new_root.signed_bytes, new_root.signatures)
    assert json.loads((repo.metadata_dir / "2.root.json").read_text())["signed"]["version"] == 2


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ConfigError, match="positive"):
        PublishSettings(timestamp_expiry=timedelta(0))
    with pytest.raises(ConfigError, match="at least 1"):
        PublishSettings(keep_deltas=0)
