"""The key ring: one Ed25519 key per role, private files, messages that say what to do."""

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


def test_a_missing_key_says_what_to_do(tmp_path: Path) -> None:
    empty = KeyRing(tmp_path / "none")
    assert not empty.holds_keys()
    for role in ("root", "targets"):
        with pytest.raises(ConfigError, match="run `hotlist keys init"):
            empty.signer(role)
    ring = KeyRing.init(tmp_path / "keys")
    ring.key_path("root").unlink()
    ring.key_path("snapshot").unlink()
    assert ring.holds_keys()
    with pytest.raises(ConfigError, match=r"kept offline between ceremonies; put root\.pem back"):
        ring.signer("root")
    with pytest.raises(ConfigError, match="put it back, or rotate the snapshot key"):
        ring.signer("snapshot")


def test_retired_keys_alone_still_count_as_keys(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path / "keys")
    ring.retired_path("timestamp", "ab" * 32).parent.mkdir(parents=True)
    ring.retired_path("timestamp", "ab" * 32).write_bytes(b"old key")
    assert ring.retired_path("timestamp", "ab" * 32).name == "timestamp-abababababababab.pem"
    assert ring.holds_keys()


def test_unknown_roles_are_refused() -> None:
    assert check_role("root") == "root"
    with pytest.raises(ConfigError, match="unknown role"):
        check_role("admin")
