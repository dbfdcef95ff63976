"""The contact ciphers: each keeps what it was given and stores nothing in clear (the contract
both inherit); the Fernet one takes its key from settings or a 0600 key file made on first use."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from hotlist.errors import ConfigError, StorageError
from hotlist.server.kit.contacts import (
    KEY_FILE_NAME,
    ContactCipher,
    FernetContactCipher,
    InMemoryContactCipher,
)

CONTACT = "reporter@example.org"


class ContactCipherContract:
    """What every :class:`ContactCipher` does; an implementation's tests inherit this."""

    def make(self) -> ContactCipher:
        raise NotImplementedError

    def test_a_contact_comes_back_as_given(self) -> None:
        cipher = self.make()
        for contact in (CONTACT, "Zoë Müller <zoe@example.org>", "☎ +49 30 0000000"):
            assert cipher.decrypt(cipher.encrypt(contact)) == contact

    def test_the_stored_form_holds_no_contact_in_clear(self) -> None:
        token = self.make().encrypt(CONTACT)
        assert b"reporter" not in token
        assert CONTACT.encode() not in token

    def test_the_same_contact_is_stored_differently_each_time(self) -> None:
        cipher = self.make()
        assert cipher.encrypt(CONTACT) != cipher.encrypt(CONTACT)

    def test_another_ciphers_token_is_a_storage_error(self) -> None:
        token = self.make().encrypt(CONTACT)
        with pytest.raises(StorageError, match="cannot be decrypted"):
            self.make().decrypt(token)


class TestFernetContactCipher(ContactCipherContract):
    def make(self) -> ContactCipher:
        return FernetContactCipher(Fernet.generate_key())


class TestInMemoryContactCipher(ContactCipherContract):
    def make(self) -> ContactCipher:
        return InMemoryContactCipher()


def test_key_file_is_created_owner_only_and_reused(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = FernetContactCipher.from_settings(None, data_dir)
    token = first.encrypt(CONTACT)
    key_file = data_dir / KEY_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = FernetContactCipher.from_settings(None, data_dir)
    assert again.decrypt(token) == CONTACT
    assert b"reporter" not in token


def test_configured_key_wins_over_the_file(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    cipher = FernetContactCipher.from_settings(key, tmp_path)
    assert FernetContactCipher(key).decrypt(cipher.encrypt("x@example.org")) == "x@example.org"
    assert not (tmp_path / KEY_FILE_NAME).exists()


def test_no_key_and_no_data_dir_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="HOTLIST_CONTACT_KEY"):
        FernetContactCipher.from_settings(None, None)


def test_a_malformed_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not a Fernet key"):
        FernetContactCipher("too-short")


def test_a_changed_key_cannot_decrypt(tmp_path: Path) -> None:
    token = FernetContactCipher(Fernet.generate_key()).encrypt("x@example.org")
    with pytest.raises(StorageError, match="cannot be decrypted"):
        FernetContactCipher(Fernet.generate_key()).decrypt(token)
