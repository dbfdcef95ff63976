"""Sync end to end over loopback HTTP, and every fail-closed case: the previous list stays."""

from __future__ import annotations

import errno
import json
import logging
import os
import random
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hotlist.edge.config import EdgeConfig
from hotlist.edge.store import Store
from hotlist.edge.sync import next_wait, run, sync
from hotlist.errors import (
    ConfigError,
    PermissionDenied,
    StorageError,
    SyncError,
    VerificationError,
)
from hotlist.publish.keys import KeyRing
from hotlist.publish.publisher import Publisher
from hotlist.publish.repository import PublishSettings
from hotlist.publish.synthetic import synthetic_expression, synthetic_records

from .conftest import World


def flip_byte(path: Path, at: int = -40) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def targets(world: World, pattern: str) -> list[Path]:
    return sorted((world.repo / "targets").rglob(pattern))


def assert_in_force(store: Store, version: int | None) -> None:
    current = store.load_current()
    assert (None if current is None else current.version) == version
    assert store.state().version == version


# -- Happy paths ----------------------------------------------------------------------------


def test_first_sync_takes_the_snapshot_then_deltas(world: World) -> None:
    first = sync(world.store)
    assert (first.version, first.method, first.count) == (1, "snapshot", 50)
    assert world.store.load_current() == world.publisher.current()

    world.publish(start=3)
    second = sync(world.store)
    assert (second.version, second.method, second.deltas_applied) == (2, "delta", 1)
    assert second.bytes_downloaded < first.bytes_downloaded
    assert world.store.load_current() == world.publisher.current()
    previous = world.store.load_previous()
    assert previous is not None
    assert previous.version == 1
    state = world.store.state()
    assert state.synced_at is not None
    assert state.last_error is None


def test_a_chain_of_deltas_is_applied(world: World) -> None:
    sync(world.store)
    for start in (1, 2, 3):
        world.publish(start=start)
    result = sync(world.store)
    assert (result.version, result.method, result.deltas_applied) == (4, "delta", 3)
    assert world.store.load_current() == world.publisher.current()


def test_a_member_too_far_behind_takes_the_snapshot(world: World) -> None:
    sync(world.store)
    for start in range(1, 6):  # keep_deltas=3: the delta from version 1 is pruned
        world.publish(start=start)
    result = sync(world.store)
    assert (result.version, result.method) == (6, "snapshot")
    assert world.store.load_current() == world.publisher.current()


def test_nothing_new_only_confirms_the_list(world: World) -> None:
    sync(world.store)
    before = world.store.state().synced_at
    world.publish(start=0)  # no change: the timestamp is refreshed, no new version
    world.server.requests.clear()
    result = sync(world.store)
    assert (result.version, result.method) == (1, "current")
    after = world.store.state().synced_at
    assert before is not None
    assert after is not None
    assert after >= before
    # A sync with nothing new costs three small requests: the next root, timestamp, list.json.
    names = [r.rsplit("/", 1)[-1] for r in world.server.requests]
    assert names[:2] == ["2.root.json", "timestamp.json"]
    assert len(names) == 3
    assert names[2].endswith(".list.json")
    assert result.bytes_downloaded < 4096


def test_root_rotation_is_followed(world: World) -> None:
    sync(world.store)
    world.publisher.repository.rotate("root")
    world.publisher.repository.rotate("timestamp")
    world.publish(start=2)
    assert sync(world.store).version == 2


def test_a_wrong_api_key_is_refused(world: World) -> None:
    world.store.key_path.write_text("wrong-key\n")
    with pytest.raises(PermissionDenied, match="refused this member's API key"):
        sync(world.store)
    assert "API key" in (world.store.state().last_error or "")


# -- Fail closed ----------------------------------------------------------------------------


def test_a_tampered_snapshot_byte_is_refused(world: World) -> None:
    flip_byte(targets(world, "*.1.snapshot")[0])
    with pytest.raises(VerificationError, match="does not match its signed hash"):
        sync(world.store)
    assert_in_force(world.store, None)
    assert world.store.state().last_error


def test_a_tampered_delta_and_snapshot_leave_the_list_in_force(world: World) -> None:
    sync(world.store)
    world.publish(start=3)
    for path in [*targets(world, "*.2.snapshot"), *targets(world, "*.1-2.delta")]:
        flip_byte(path)
    with pytest.raises(VerificationError):
        sync(world.store)
    assert_in_force(world.store, 1)


def test_a_corrupt_delta_falls_back_to_the_snapshot(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    sync(world.store)
    world.publish(start=3)
    world.publish(start=4)
    (corrupt,) = targets(world, "*.2-3.delta")
    flip_byte(corrupt)  # one bad file on the server: members behind must not be stuck
    result = sync(world.store)
    assert (result.version, result.method) == (3, "snapshot")
    assert world.store.load_current() == world.publisher.current()
    assert world.store.state().last_error is None
    assert any(
        "2-3.delta" in r.getMessage() and "snapshot" in r.getMessage() for r in caplog.records
    )


@pytest.mark.parametrize("role", ["timestamp", "snapshot", "targets"])
def test_tampered_metadata_is_refused(world: World, role: str) -> None:
    sync(world.store)
    world.publish(start=3)
    metadata = world.repo / "metadata"
    versions = [int(p.name.split(".")[0]) for p in metadata.glob(f"[0-9]*.{role}.json")]
    path = metadata / (f"{max(versions)}.{role}.json" if versions else f"{role}.json")
    document = json.loads(path.read_text())
    document["signed"]["expires"] = "2099-01-01T00:00:00Z"
    path.write_text(json.dumps(document))
    with pytest.raises(VerificationError, match="signature check failed"):
        sync(world.store)
    assert_in_force(world.store, 1)


def test_an_expired_timestamp_is_a_freeze(world: World) -> None:
    sync(world.store)
    past = datetime.now(UTC) - timedelta(days=2)
    frozen = Publisher(world.repo, world.keys, "main", clock=lambda: past)
    frozen.publish(synthetic_records(50, start=3))
    with pytest.raises(VerificationError, match="freeze attack"):
        sync(world.store)
    assert_in_force(world.store, 1)


def test_an_older_version_served_again_is_a_rollback(world: World) -> None:
    sync(world.store)
    old = world.tmp / "old-metadata"
    shutil.copytree(world.repo / "metadata", old)
    world.publish(start=3)
    sync(world.store)
    shutil.copy(old / "timestamp.json", world.repo / "metadata" / "timestamp.json")
    with pytest.raises(VerificationError, match="rollback"):
        sync(world.store)
    assert_in_force(world.store, 2)


def test_an_older_list_is_refused_even_with_fresh_metadata(world: World) -> None:
    sync(world.store)
    world.publish(start=3)
    sync(world.store)
    # The member loses its TUF state; a second repository with the same keys offers version 1.
    shutil.rmtree(world.store.trusted_dir)
    world.store.trusted_dir.mkdir()
    shutil.copy(world.repo / "metadata" / "1.root.json", world.store.trusted_dir / "root.json")
    other = world.tmp / "other-repo"
    Publisher(other, world.keys, "main").publish(synthetic_records(50))
    world.server.root = other
    with pytest.raises(VerificationError, match="refusing a rollback"):
        sync(world.store)
    assert_in_force(world.store, 2)


def test_a_delta_for_another_base_is_refused(world: World) -> None:
    sync(world.store)
    # Same keys, another history: version 1 had other contents, so its delta 1->2 does not fit.
    other = world.tmp / "other-repo"
    forked = Publisher(other, world.keys, "main")
    forked.publish(synthetic_records(50, start=100))
    forked.publish(synthetic_records(50, start=103))
    world.server.root = other
    with pytest.raises(VerificationError, match="different contents"):
        sync(world.store)
    assert_in_force(world.store, 1)


def test_a_truncated_download_is_refused(world: World) -> None:
    sync(world.store)
    world.publish(start=3)
    world.server.truncate = True
    with pytest.raises(SyncError, match="cut short"):
        sync(world.store)
    assert_in_force(world.store, 1)


def test_a_truncated_download_says_how_many_bytes_arrived(world: World) -> None:
    world.server.truncate = True  # the first target fetched, list.json: half of it is sent
    (index,) = targets(world, "*.list.json")
    size = index.stat().st_size
    with pytest.raises(SyncError) as caught:
        sync(world.store)
    assert f"cut short after {size // 2} of {size} bytes" in caught.value.message


def test_the_server_down_is_a_sync_error(world: World) -> None:
    sync(world.store)
    world.server.stop()
    with pytest.raises(SyncError, match=r"is it down.*the list in force \(version 1\) stays"):
        sync(world.store)
    assert_in_force(world.store, 1)
    assert "is it down" in (world.store.state().last_error or "")


def test_a_first_sync_that_fails_says_no_list_is_in_force(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.server.stop()
    with pytest.raises(SyncError, match="no list is in force") as caught:
        sync(world.store)
    assert "previous" not in caught.value.message
    assert str(caught.value) == caught.value.message
    assert "is it down" not in caplog.text  # raised, not also logged: said once


def test_a_full_disk_while_writing_the_store(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    sync(world.store)
    world.publish(start=3)

    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(StorageError, match="disk is full"):
        sync(world.store)
    monkeypatch.undo()
    assert_in_force(world.store, 1)
    assert sync(world.store).version == 2


def test_no_downloadable_file_holds_a_plaintext_expression(world: World) -> None:
    world.publish(start=7)
    sync(world.store)
    expressions = [synthetic_expression(i) for i in range(60)]
    needles = {e.encode() for e in expressions} | {e.split("/")[0].encode() for e in expressions}
    files = [p for p in world.repo.rglob("*") if p.is_file() and p.name != ".lock"]
    files += [p for p in world.store.path.rglob("*") if p.is_file()]
    assert len(files) > 10
    for path in files:
        data = path.read_bytes()
        for needle in needles:
            assert needle not in data, f"{path} holds {needle!r}"
        assert b".example" not in data, path


# -- The run loop ---------------------------------------------------------------------------


def test_run_backs_off_after_errors_with_jitter(world: World) -> None:
    world.server.stop()
    waits: list[float] = []
    failures = run(world.store, max_cycles=4, jitter=0.1, sleep=waits.append, rng=random.Random(3))
    assert failures == 4
    interval = world.store.config().interval_s
    assert 0 <= waits[0] <= 0.1 * interval
    backoff = waits[1:]
    assert len(backoff) == 3
    assert backoff == sorted(backoff)
    assert interval * 2 <= backoff[0] <= interval * 2 * 1.1
    assert interval * 8 <= backoff[2] <= interval * 8 * 1.1


def test_run_says_a_store_that_never_synced_has_no_list_not_a_stale_one(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.server.stop()
    with caplog.at_level(logging.WARNING, logger="hotlist.edge"):
        assert run(world.store, max_cycles=1, sleep=lambda _: None) == 1
    assert "never synced, no list in force yet" in caplog.text
    assert "stale" not in caplog.text
    # The loop reports each failed sync (sync itself only raises: a command prints it once).
    assert caplog.text.count("failed: cannot connect") == 1


def test_run_syncs_on_schedule(world: World) -> None:
    waits: list[float] = []
    assert run(world.store, max_cycles=2, jitter=0.0, sleep=waits.append) == 0
    assert waits == [0.0, float(world.store.config().interval_s)]
    assert_in_force(world.store, 1)


def test_jitter_spreads_members() -> None:
    rng = random.Random(5)
    waits = {round(next_wait(300, 0, 0.2, rng), 3) for _ in range(100)}
    assert len(waits) > 90
    assert all(300 <= w <= 360 for w in waits)
    assert next_wait(300, 20, 0.0, rng) == 300 * 64


def test_keys_are_needed_to_publish(tmp_path: Path) -> None:
    settings = PublishSettings()
    KeyRing.init(tmp_path / "keys")
    (tmp_path / "keys" / "timestamp.pem").unlink()
    with pytest.raises(ConfigError, match="no timestamp key"):
        Publisher(tmp_path / "repo", tmp_path / "keys", "main", settings).publish([])


def test_a_lost_list_file_still_refuses_an_older_version(world: World) -> None:
    sync(world.store)
    world.publish(start=3)
    sync(world.store)
    world.store.current_path.write_bytes(b"garbage")
    other = world.tmp / "other-repo"
    Publisher(other, world.keys, "main").publish(synthetic_records(50))
    shutil.rmtree(world.store.trusted_dir)
    world.store.trusted_dir.mkdir()
    shutil.copy(world.repo / "metadata" / "1.root.json", world.store.trusted_dir / "root.json")
    world.server.root = other
    with pytest.raises(VerificationError, match="refusing a rollback"):
        sync(world.store)


def test_a_corrupt_list_file_is_replaced_by_a_fresh_snapshot(world: World) -> None:
    sync(world.store)
    world.store.current_path.write_bytes(b"garbage")
    result = sync(world.store)
    assert (result.version, result.method) == (1, "snapshot")
    assert world.store.load_current() == world.publisher.current()


def test_a_signed_but_malformed_index_is_refused(world: World) -> None:
    sync(world.store)
    world.publisher.repository.update_targets(
        {"list.json": b'{"format": 1, "list": "main", "version": "two"}'},
        frozenset({"list.json"}),
    )
    with pytest.raises(VerificationError, match=r"list\.json is not valid"):
        sync(world.store)
    assert_in_force(world.store, 1)


def test_an_index_for_another_list_is_refused(world: World) -> None:
    other = world.new_store("other", list_name="other")
    with pytest.raises(VerificationError, match="this store follows 'other'"):
        sync(other)


def test_one_sync_at_a_time(world: World) -> None:
    with world.store.lock(), pytest.raises(SyncError, match="another sync"):
        sync(world.store)


def test_a_root_signed_by_unknown_keys_is_refused(world: World) -> None:
    sync(world.store)
    # An attacker with keys of their own makes a whole new repository, root version 2 included.
    evil_keys = world.tmp / "evil-keys"
    KeyRing.init(evil_keys)
    evil = Publisher(world.tmp / "evil-repo", evil_keys, "main")
    evil.publish(synthetic_records(50, start=500))
    evil.repository.rotate("timestamp")
    world.server.root = world.tmp / "evil-repo"
    with pytest.raises(VerificationError, match="signature check failed"):
        sync(world.store)
    assert_in_force(world.store, 1)


# -- Time limits: a slow or trickling server cannot hold a sync --------------------------------


def timed_sync(store: Store) -> tuple[Exception, float]:
    started = time.monotonic()
    with pytest.raises(SyncError) as caught:
        sync(store)
    return caught.value, time.monotonic() - started


def test_a_trickle_below_the_minimum_rate_is_cut_off(world: World) -> None:
    store = world.new_store("slow", min_rate_bytes_s=100, rate_window_s=0.5)
    world.server.trickle = ("timestamp.json", 0.05)  # 20 bytes/s, each byte within read timeout
    error, seconds = timed_sync(store)
    assert "bytes/s" in str(error)
    assert "min_rate_bytes_s" in str(error)
    assert 0.5 <= seconds < 3
    assert "bytes/s" in (store.state().last_error or "")
    world.server.trickle = None
    assert sync(store).version == 1  # the lock was released


def test_a_download_over_the_request_deadline_is_cut_off(world: World) -> None:
    store = world.new_store("slow", request_timeout_s=0.5, min_rate_bytes_s=1, rate_window_s=0.2)
    world.server.trickle = ("timestamp.json", 0.02)  # fast enough for the rate, not the deadline
    error, seconds = timed_sync(store)
    assert "request_timeout_s" in str(error)
    assert 0.5 <= seconds < 3
    assert "request_timeout_s" in (store.state().last_error or "")


def test_trickled_headers_are_cut_off_by_the_request_deadline(world: World) -> None:
    store = world.new_store("slow", request_timeout_s=0.5)
    world.server.trickle = ("timestamp.json", 0.05)
    world.server.trickle_headers = True
    error, seconds = timed_sync(store)
    assert "request_timeout_s" in str(error)
    assert 0.5 <= seconds < 3


def test_a_sync_over_its_deadline_is_cut_off(world: World) -> None:
    store = world.new_store("slow", sync_timeout_s=0.5, min_rate_bytes_s=1, rate_window_s=0.2)
    world.server.trickle = ("timestamp.json", 0.02)
    error, seconds = timed_sync(store)
    assert "sync_timeout_s" in str(error)
    assert 0.5 <= seconds < 3
    assert "sync_timeout_s" in (store.state().last_error or "")
    world.server.trickle = None
    assert sync(store).version == 1


@pytest.mark.parametrize(
    "setting",
    [
        {"request_timeout_s": 0},
        {"sync_timeout_s": -1},
        {"min_rate_bytes_s": -1},
        {"rate_window_s": 0},
    ],
)
def test_time_limits_are_checked(setting: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        EdgeConfig(server="https://hotline.example/v1/tuf/", key="env:KEY", **setting)  # type: ignore[arg-type]


def test_time_limits_have_defaults_and_are_read_from_config_json(tmp_path: Path) -> None:
    default = EdgeConfig(server="https://hotline.example/v1/tuf/", key="env:KEY")
    assert 60 <= default.request_timeout_s <= default.sync_timeout_s <= 3600
    assert default.min_rate_bytes_s > 0
    settings = json.loads(default.to_json())
    assert settings["sync_timeout_s"] == default.sync_timeout_s
    settings["sync_timeout_s"] = 2.5
    read = EdgeConfig.from_json(json.dumps(settings), tmp_path / "config.json")
    assert read.sync_timeout_s == 2.5
