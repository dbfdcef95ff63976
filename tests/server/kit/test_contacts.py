"""The contact cipher: key from settings or a 0600 key file made on first use."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from hotlist.errors import ConfigError, StorageError
from hotlist.server.kit.contacts import KEY_FILE_NAME, ContactCipher


def test_key_file_is_created_owner_only_and_reused(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = ContactCipher.from_settings(None, data_dir)
    token = first.encrypt("reporter@example.org")
    key_file = data_dir / KEY_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = ContactCipher.from_settings(None, data_dir)
    assert again.decrypt(token) == "reporter@example.org"
    assert b"reporter" not in token


def test_configured_key_wins_over_the_file(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    cipher = ContactCipher.from_settings(key, tmp_path)
    assert ContactCipher(key).decrypt(cipher.encrypt("x@example.org")) == "x@example.org"
    assert not (tmp_path / KEY_FILE_NAME).exists()


def test_no_key_and_no_data_dir_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="HOTLIST_CONTACT_KEY"):
        ContactCipher.from_settings(None, None)


def test_a_malformed_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not a Fernet key"):
        ContactCipher("too-short")


def test_a_changed_key_cannot_decrypt(tmp_path: Path) -> None:
    token = ContactCipher(Fernet.generate_key()).encrypt("x@example.org")
    with pytest.raises(StorageError, match="cannot be decrypted"):
        ContactCipher(Fernet.generate_key()).decrypt(token)
