"""The list in force: loaded from the store, one rule for when verdicts may be given (no list,
an unreadable state, stale under fail mode closed), new versions put in force."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hotlist.edge.config import EdgeConfig
from hotlist.edge.in_force import ListInForce
from hotlist.edge.status import EdgeStatus
from hotlist.edge.store import Store
from hotlist.errors import HotlistError, NotFound, StaleList, StorageError, VerificationError
from hotlist.publish.format import Snapshot
from hotlist.publish.synthetic import synthetic_records

from .test_status import SYNCED, make_store
from .test_store import corrupt_an_entry_id


def enforceable(store: Store, now: datetime) -> EdgeStatus:
    """The status verdicts are given with at ``now``, or the refusal raised."""
    return ListInForce(store, now=lambda: now).enforceable()[1]


def test_a_store_never_synced_gives_no_verdicts(tmp_path: Path) -> None:
    config = EdgeConfig(server="http://127.0.0.1:9/", key="env:UNUSED")
    store = Store.create(tmp_path / "s", config, b"{}")
    with pytest.raises(NotFound, match="hotlist edge sync"):
        ListInForce(store).enforceable()


def test_the_stale_message_counts_minutes_in_words(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    store.config_path.write_text(store.config()._replace(max_age_s=60).to_json())
    with pytest.raises(StaleList, match="last confirmed 1 minute ago, maximum 1 minute;"):
        enforceable(store, SYNCED + timedelta(seconds=80))
    with pytest.raises(StaleList, match="last confirmed 2 minutes ago, maximum 1 minute;"):
        enforceable(store, SYNCED + timedelta(seconds=120))


def test_fail_closed_refuses_verdicts_from_a_stale_list(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = make_store(tmp_path, "closed")
    assert enforceable(store, SYNCED + timedelta(minutes=5)).version == 4
    with pytest.raises(StaleList, match="fail mode is closed"):
        enforceable(store, SYNCED + timedelta(hours=2))
    assert "is stale" in caplog.text


def test_fail_open_keeps_enforcing_a_stale_list_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = make_store(tmp_path, "open")
    status = enforceable(store, SYNCED + timedelta(hours=2))
    assert status.stale
    assert status.version == 4
    assert "is stale" in caplog.text


def test_an_unreadable_state_gives_no_verdicts(tmp_path: Path) -> None:
    store = make_store(tmp_path, "open")
    in_force = ListInForce(store, now=lambda: SYNCED)
    assert in_force.verdicts(["http://www.example.com/"])[0].list_version == 4
    store.state_path.write_text("{not json")
    with pytest.raises(StorageError, match="cannot read the store's state"):
        in_force.verdict("http://www.example.com/")


def test_a_new_version_goes_into_force_after_the_interval(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    clock = [0.0]
    in_force = ListInForce(store, reload_interval=5.0, clock=lambda: clock[0], now=lambda: SYNCED)
    assert in_force.refresh()
    assert in_force.verdict("http://www.example.com/").list_version == 4
    store.install(
        Snapshot.from_records("main", 5, synthetic_records(3)),
        store.state()._replace(version=5, count=3),
    )
    clock[0] = 1.0
    assert in_force.verdict("http://www.example.com/").list_version == 4  # not looked at yet
    clock[0] = 6.0
    assert in_force.verdict("http://www.example.com/").list_version == 5
    assert not in_force.refresh(force=True)  # nothing new since
    assert in_force.state.refusal is None


def test_a_stale_list_is_logged_once_while_it_stays_stale(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = make_store(tmp_path, "open")
    moment = [SYNCED + timedelta(hours=2)]
    in_force = ListInForce(store, now=lambda: moment[0])
    in_force.enforceable()
    in_force.enforceable()
    assert caplog.text.count("the stale list stays in force") == 1
    moment[0] = SYNCED  # a sync confirmed it again, then it went stale again
    in_force.enforceable()
    moment[0] = SYNCED + timedelta(hours=3)
    in_force.enforceable()
    assert caplog.text.count("the stale list stays in force") == 2


def test_a_list_corrupted_on_disk_is_refused_at_once_by_default(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    corrupt_an_entry_id(store)
    in_force = ListInForce(store, now=lambda: SYNCED)
    with pytest.raises(VerificationError, match="checksum mismatch"):
        in_force.enforceable()
    assert not in_force.verify_checksum()


def test_checksum_later_enforces_the_first_list_until_its_checksum_fails(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = make_store(tmp_path)
    corrupt_an_entry_id(store)
    errors: list[HotlistError] = []
    in_force = ListInForce(store, now=lambda: SYNCED, checksum_later=True, on_error=errors.append)
    assert in_force.enforceable()[1].version == 4  # in force: verified when it was installed
    assert not in_force.verify_checksum()
    assert [type(error) for error in errors] == [VerificationError]
    assert "list main version 4 failed its checksum and is no longer in force" in caplog.text
    with pytest.raises(VerificationError, match="checksum mismatch"):
        in_force.enforceable()
    in_force.refresh(force=True)  # read again, verified: only the first load was not
    with pytest.raises(VerificationError, match="checksum mismatch"):
        in_force.enforceable()
    assert not in_force.verify_checksum()


def test_checksum_later_verifies_a_sound_list_once(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    in_force = ListInForce(store, now=lambda: SYNCED, checksum_later=True)
    in_force.refresh()
    assert in_force.verify_checksum()
    assert not in_force.verify_checksum()
    assert in_force.enforceable()[1].version == 4
