"""Encryption of reporters' and appellants' contact details, a seam.

:class:`ContactCipher` is what the reports and appeals services ask of one. The real one is
:class:`FernetContactCipher`: its key comes from ``HOTLIST_CONTACT_KEY`` or the file
``<data_dir>/contact.key``, created with mode 0600 on first use; losing the key loses the
contacts, nothing else. :class:`InMemoryContactCipher` keeps contacts in memory and stores only
random tokens (tests).
"""

from __future__ import annotations

import os
import secrets
import threading
from pathlib import Path
from typing import Protocol

from cryptography.fernet import Fernet, InvalidToken

from hotlist.errors import ConfigError, StorageError

KEY_FILE_NAME = "contact.key"


class ContactCipher(Protocol):
    """Turns a contact into what the database stores, and back."""

    def encrypt(self, contact: str) -> bytes:
        """The stored form: never the contact in clear."""
        ...

    def decrypt(self, token: bytes) -> str:
        """The contact again; StorageError when this cipher cannot read ``token``."""
        ...


class FernetContactCipher:
    """Encrypts and decrypts contact details with one Fernet key."""

    def __init__(self, key: str | bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError) as exc:
            raise ConfigError(
                "the contact key is not a Fernet key (32 url-safe base64-encoded bytes); "
                "make one with `python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`"
            ) from exc

    @classmethod
    def from_settings(cls, contact_key: str | None, data_dir: Path | None) -> FernetContactCipher:
        """The cipher for a server: the configured key, else the data directory's key file."""
        if contact_key:
            return cls(contact_key.strip())
        if data_dir is None:
            raise ConfigError(
                "no key to encrypt reporters' contacts: set HOTLIST_CONTACT_KEY or give --data-dir"
            )
        return cls(_key_file(data_dir / KEY_FILE_NAME))

    def encrypt(self, contact: str) -> bytes:
        """The encrypted form stored in the database."""
        return self._fernet.encrypt(contact.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        """The contact again; StorageError when the key does not fit (it was changed)."""
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except (InvalidToken, UnicodeDecodeError) as exc:
            raise StorageError(
                "a stored contact cannot be decrypted with the configured contact key"
            ) from exc


class InMemoryContactCipher:
    """Contacts kept in this process only; the database gets a random token for each (tests)."""

    def __init__(self) -> None:
        self._contacts: dict[bytes, str] = {}
        self._lock = threading.Lock()

    def encrypt(self, contact: str) -> bytes:
        """A new random token standing for ``contact``."""
        token = secrets.token_bytes(32)
        with self._lock:
            self._contacts[token] = contact
        return token

    def decrypt(self, token: bytes) -> str:
        """The contact ``token`` stands for; StorageError for a token this cipher never made."""
        with self._lock:
            contact = self._contacts.get(token)
        if contact is None:
            raise StorageError("a stored contact cannot be decrypted with this cipher")
        return contact


def _key_file(path: Path) -> bytes:
    """Read the key file, creating it (owner-only) with a new key when absent."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError as exc:
        raise ConfigError(f"cannot create the contact key file {path}: {exc}") from exc
    else:
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key())
            handle.flush()
            os.fsync(handle.fileno())
    try:
        return path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(f"cannot read the contact key file {path}: {exc}") from exc
