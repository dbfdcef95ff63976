"""Key rotation and the root key kept offline: members follow every rotation, and a rotation
that cannot finish (root offline, a failed write) changes nothing on disk."""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hotlist.errors import ConfigError, PublishError
from hotlist.publish.keys import ROLES, KeyRing, Role
from hotlist.publish.publisher import Publisher
from hotlist.publish.synthetic import synthetic_records

from .conftest import Ceremony

# -- Root offline: publishing goes on -----------------------------------------------------------


def test_publish_and_refresh_need_no_root_key(ceremony: Ceremony) -> None:
    ceremony.root_offline()
    repository = ceremony.publisher.repository
    before = repository.timestamp().signed.version
    assert ceremony.publish(start=1) == 2
    assert ceremony.publisher.refresh() > before + 1
    assert ceremony.synced() == 2
    assert not (ceremony.keys / "root.pem").exists()
    assert sorted(p.name for p in (ceremony.repo / "metadata").glob("*.root.json")) == [
        "1.root.json"
    ]


def test_creating_a_repository_needs_the_root_key(tmp_path: Path) -> None:
    KeyRing.init(tmp_path / "keys")
    (tmp_path / "keys" / "root.pem").unlink()
    publisher = Publisher(tmp_path / "repo", tmp_path / "keys")
    with pytest.raises(ConfigError, match=r"put root\.pem back"):
        publisher.publish(synthetic_records(3))
    assert not (tmp_path / "repo" / "metadata" / "timestamp.json").exists()


# -- Rotation with root online ------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_rotation_is_followed_by_members(ceremony: Ceremony, role: Role) -> None:
    old = ceremony.key_id(role)
    assert ceremony.publisher.repository.rotate(role) == 2
    new = ceremony.key_id(role)
    assert new != old
    assert ceremony.trusted(role) == [new]
    assert (ceremony.keys / "retired" / f"{role}-{old[:16]}.pem").stat().st_mode & 0o777 == 0o600
    # The rotated role's metadata is re-signed at once: a member syncs before the next publish.
    assert ceremony.synced() == 1
    trusted = json.loads((ceremony.store.trusted_dir / "root.json").read_text())
    assert trusted["signed"]["version"] == 2
    assert ceremony.publish(start=1) == 2
    assert ceremony.synced() == 2
    # A member joining later, holding only root 1, follows the chain too.
    assert ceremony.synced(ceremony.new_store("late")) == 2


@pytest.mark.parametrize("role", ROLES)
def test_the_documented_ceremony_root_offline_in_between(ceremony: Ceremony, role: Role) -> None:
    ceremony.root_offline()
    assert ceremony.publish(start=1) == 2
    ceremony.root_back()
    ceremony.publisher.repository.rotate(role)
    ceremony.root_offline()
    assert ceremony.publish(start=2) == 3
    ceremony.publisher.refresh()
    assert ceremony.synced() == 3
    if role == "root":
        # The root that was taken offline is the new one: the next ceremony uses it.
        ceremony.root_back()
        assert KeyRing(ceremony.keys).public_key("root").keyid in ceremony.trusted("root")


def test_rotations_in_a_row(ceremony: Ceremony) -> None:
    repository = ceremony.publisher.repository
    for version, role in enumerate([*ROLES, *ROLES], start=2):
        assert repository.rotate(role) == version
        ceremony.publish(start=version)
    assert ceremony.synced() == 9
    assert len(list((ceremony.keys / "retired").glob("*.pem"))) == 8


def test_a_lost_online_key_can_be_rotated(ceremony: Ceremony) -> None:
    old = ceremony.key_id("targets")
    (ceremony.keys / "targets.pem").unlink()
    ceremony.publisher.repository.rotate("targets")
    assert ceremony.trusted("targets") == [ceremony.key_id("targets")] != [old]
    assert not (ceremony.keys / "retired").exists()
    assert ceremony.publish(start=1) == 2
    assert ceremony.synced() == 2


# -- Rotation refused: nothing changes ---------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_rotation_with_root_offline_is_refused_and_changes_nothing(
    ceremony: Ceremony, role: Role
) -> None:
    ceremony.root_offline()
    before = ceremony.state()
    with pytest.raises(ConfigError) as refused:
        ceremony.publisher.repository.rotate(role)
    assert refused.value.message == (
        f"rotating the {role} key needs the root key: put root.pem back in {ceremony.keys}"
    )
    assert ceremony.state() == before
    assert ceremony.publish(start=1) == 2
    assert ceremony.synced() == 2


@pytest.mark.parametrize("role", ["targets", "snapshot", "timestamp"])
def test_a_key_root_does_not_trust_stops_publishing_until_it_is_rotated(
    ceremony: Ceremony, role: Role
) -> None:
    # What a rotation with root offline used to leave behind: a new key no root trusts.
    stranger = ceremony.tmp / "stranger"
    KeyRing.init(stranger)
    shutil.copy2(stranger / f"{role}.pem", ceremony.keys / f"{role}.pem")
    before = ceremony.state()
    untrusted = rf"{role}\.pem \(key \w+\) is not the {role} key root\.json trusts"
    with pytest.raises(PublishError, match=rf"cannot sign the {role} metadata: .*{untrusted}"):
        ceremony.publish(start=1)
    with pytest.raises(PublishError, match=untrusted):
        ceremony.publisher.refresh()
    assert ceremony.state() == before
    assert ceremony.synced() == 1
    # The repair: rotate that role with root online (the stray key goes to retired/).
    ceremony.publisher.repository.rotate(role)
    assert ceremony.publish(start=1) == 2
    assert ceremony.synced() == 2


@pytest.mark.parametrize(("role", "other"), [("targets", "snapshot"), ("snapshot", "timestamp")])
def test_an_untrusted_key_for_the_re_signing_is_refused(
    ceremony: Ceremony, role: Role, other: Role
) -> None:
    stranger = ceremony.tmp / "stranger"
    KeyRing.init(stranger)
    shutil.copy2(stranger / f"{other}.pem", ceremony.keys / f"{other}.pem")
    before = ceremony.state()
    with pytest.raises(ConfigError, match=rf"rotating the {role} key re-signs {other} metadata"):
        ceremony.publisher.repository.rotate(role)
    assert ceremony.state() == before


def test_a_wrong_root_key_is_refused(ceremony: Ceremony) -> None:
    stranger = ceremony.tmp / "stranger"
    KeyRing.init(stranger)
    shutil.copy2(stranger / "root.pem", ceremony.keys / "root.pem")
    before = ceremony.state()
    with pytest.raises(ConfigError, match=r"root\.pem .* is not the root key root\.json trusts"):
        ceremony.publisher.repository.rotate("timestamp")
    assert ceremony.state() == before


def test_a_missing_key_for_the_re_signing_is_refused(ceremony: Ceremony) -> None:
    (ceremony.keys / "snapshot.pem").unlink()
    before = ceremony.state()
    with pytest.raises(ConfigError, match="no snapshot key"):
        ceremony.publisher.repository.rotate("targets")
    assert ceremony.state() == before


# -- A failure in the middle leaves the old state ------------------------------------------------


def fail_once(monkeypatch: pytest.MonkeyPatch, name: str, call: str = "replace") -> list[str]:
    """Make the first ``os.<call>`` of a file called ``name`` fail with a full disk."""
    real: Callable[..., Any] = getattr(os, call)
    failed: list[str] = []

    def flaky(*args: Any, **kwargs: Any) -> Any:
        target = Path(args[-1] if call == "replace" else args[0]).name
        if not failed and (target == name or (call == "open" and target.startswith(f".{name}."))):
            failed.append(target)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, call, flaky)
    return failed


FAILURES = [
    (role, name, call)
    for role in ROLES
    for name, call in [
        ("root.json", "open"),  # writing the new root.json (before any file is renamed)
        ("root.json", "replace"),  # renaming it into place (after the key file was)
        (f"{role}.pem", "replace"),  # renaming the new key file into place (the first rename)
        ("timestamp.json", "replace"),  # the last rename of the re-signed metadata
    ]
    if not (role == "root" and name == "timestamp.json")  # a root rotation re-signs no other role
]


@pytest.mark.parametrize(("role", "name", "call"), FAILURES)
def test_a_failed_write_mid_rotation_leaves_the_old_state(
    ceremony: Ceremony, monkeypatch: pytest.MonkeyPatch, role: Role, name: str, call: str
) -> None:
    before = ceremony.state()
    failed = fail_once(monkeypatch, name, call)
    with pytest.raises(PublishError, match=f"rotating the {role} key failed.*nothing changed"):
        ceremony.publisher.repository.rotate(role)
    monkeypatch.undo()
    assert failed
    assert ceremony.state() == before
    assert ceremony.publish(start=1) == 2
    assert ceremony.synced() == 2
    # And the ceremony can simply be run again.
    assert ceremony.publisher.repository.rotate(role) == 2
    assert ceremony.publish(start=2) == 3
    assert ceremony.synced() == 3
