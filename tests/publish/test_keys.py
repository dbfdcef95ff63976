"""The key ring: one Ed25519 key per role, private files, rotation keeps the old key."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotlist.errors import ConfigError
from hotlist.publish.keys import ROLES, KeyRing, check_role


def test_init_makes_private_keys_per_role(tmp_path: Path) -> None:
    ring = KeyRing.init(tmp_path / "keys")
    assert ring.path.stat().st_mode & 0o777 == 0o700
    ids = {ring.public_key(role).keyid for role in ROLES}
    assert len(ids) == 4
    for role in ROLES:
        assert ring.key_path(role).stat().st_mode & 0o777 == 0o600
        assert ring.public_key(role).keytype == "ed25519"


def test_a_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    ring = KeyRing.init(tmp_path / "keys")
    ring.key_path("targets").chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        ring.signer("targets")


def test_a_key_that_is_not_a_key_is_refused(tmp_path: Path) -> None:
    ring = KeyRing.init(tmp_path / "keys")
    ring.key_path("snapshot").write_bytes(b"not a key")
    with pytest.raises(ConfigError, match="not a PEM private key"):
        ring.signer("snapshot")


def test_rotate_replaces_the_key_and_retires_the_old(tmp_path: Path) -> None:
    ring = KeyRing.init(tmp_path / "keys")
    old, new = ring.rotate("timestamp")
    assert old.public_key.keyid != new.public_key.keyid
    assert ring.public_key("timestamp").keyid == new.public_key.keyid
    retired = list((ring.path / "retired").iterdir())
    assert [p.name for p in retired] == [f"timestamp-{old.public_key.keyid[:16]}.pem"]
    assert retired[0].stat().st_mode & 0o777 == 0o600


def test_unknown_roles_are_refused() -> None:
    assert check_role("root") == "root"
    with pytest.raises(ConfigError, match="unknown role"):
        check_role("admin")
