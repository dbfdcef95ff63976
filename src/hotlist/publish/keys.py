"""Signing keys of the list's TUF repository: one Ed25519 key per role, files mode 0600.

Layout of a keys directory (mode 0700)::

    root.pem  targets.pem  snapshot.pem  timestamp.pem    the keys in use (PKCS#8 PEM)
    retired/<role>-<keyid prefix>.pem                     keys replaced by a rotation

The root key signs only new root versions (init and rotation): keep it offline between
ceremonies (docs/keys.md). The other three sign on every publish or timestamp refresh.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# The package re-exports these names without marking them public; mypy --strict wants the mark.
from securesystemslib.signer import CryptoSigner, SSlibKey  # type: ignore[attr-defined]

from hotlist.errors import ConfigError, StorageError
from hotlist.publish.files import atomic_write
from hotlist.publish.roles import ROLES, Role, check_role

__all__ = ["ROLES", "KeyRing", "Role", "check_role", "new_key", "signer_from_pem"]


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class KeyRing:
    """The keys directory: create keys, load signers (a rotation is :meth:`Repository.rotate`)."""

    def __init__(self, keys_dir: Path | str) -> None:
        self.path = Path(keys_dir)

    def key_path(self, role: Role) -> Path:
        """Where the key in use for ``role`` lives."""
        return self.path / f"{role}.pem"

    @classmethod
    def init(cls, keys_dir: Path | str) -> KeyRing:
        """Make a new key for every role; refuses a directory that already holds keys."""
        ring = cls(keys_dir)
        existing = [role for role in ROLES if ring.key_path(role).exists()]
        if existing:
            raise ConfigError(
                f"{ring.path} already holds keys ({', '.join(existing)}); use `hotlist keys "
                "rotate` to replace one, or another directory"
            )
        try:
            ring.path.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(ring.path, 0o700)
        except OSError as exc:
            raise StorageError(f"cannot create {ring.path}: {exc.strerror}") from exc
        for role in ROLES:
            atomic_write(ring.key_path(role), new_key()[0], mode=0o600)
        return ring

    def retired_path(self, role: Role, keyid: str) -> Path:
        """Where a rotation keeps ``role``'s replaced key ``keyid``."""
        return self.path / "retired" / f"{role}-{keyid[:16]}.pem"

    def holds_keys(self) -> bool:
        """Whether any key of a role, in use or retired, is here (root offline still counts)."""
        if any(self.key_path(role).exists() for role in ROLES):
            return True
        return any((self.path / "retired").glob("*.pem"))

    def signer(self, role: Role) -> CryptoSigner:
        """The signer for ``role``; a missing or unreadable key is a ConfigError."""
        path = self.key_path(role)
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise ConfigError(self._missing(role)) from exc
        except OSError as exc:
            raise ConfigError(f"cannot read the {role} key {path}: {exc.strerror}") from exc
        if os.stat(path).st_mode & 0o077:
            raise ConfigError(f"{path} is readable by others: run `chmod 600 {path}`")
        return signer_from_pem(data, str(path))

    def _missing(self, role: Role) -> str:
        path = self.key_path(role)
        if not self.holds_keys():
            return f"no {role} key at {path}: run `hotlist keys init --keys {self.path}`"
        if role == "root":
            return (
                f"no root key at {path}: it is kept offline between ceremonies; put root.pem "
                f"back in {self.path} for this one (docs/keys.md)"
            )
        return (
            f"no {role} key at {path}: put it back, or rotate the {role} key with root online "
            "(`hotlist keys rotate`, docs/keys.md)"
        )

    def public_key(self, role: Role) -> SSlibKey:
        """The public half of ``role``'s key in use."""
        key: SSlibKey = self.signer(role).public_key
        return key


def new_key() -> tuple[bytes, CryptoSigner]:
    """A new Ed25519 key: its PEM file content and its signer."""
    pem = _pem(Ed25519PrivateKey.generate())
    return pem, signer_from_pem(pem, "the new key")


def signer_from_pem(data: bytes, origin: str) -> CryptoSigner:
    """The signer for an unencrypted PKCS#8 Ed25519 key; ConfigError for anything else."""
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except ValueError as exc:
        raise ConfigError(f"{origin} is not a PEM private key") from exc
    if not isinstance(private, Ed25519PrivateKey):
        raise ConfigError(f"{origin} is not an Ed25519 key")
    public = SSlibKey.from_crypto(private.public_key())
    return CryptoSigner(private, public)
