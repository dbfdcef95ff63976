"""Signed tree heads: the log's size and root at a time, signed with the log's Ed25519 key.

The signature covers fixed canonical bytes (a domain tag, then sorted-key JSON of size, root hash
and time), built from the head's values, never a re-serialised document. A signed head travels as
JSON::

    {"key_id": "<sha256 of the raw public key, hex>", "root_hash": "<hex>",
     "signature": "<base64>", "size": 12, "timestamp": "2026-11-24T07:30:00Z"}

The log key lives in ``<keys_dir>/log.pem`` (PKCS#8 PEM, mode 0600); its public half is published
as ``log/key.pub`` (SubjectPublicKeyInfo PEM) beside each list version.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hotlist.errors import ConfigError, InvalidLogEvent, StorageError, VerificationError
from hotlist.publish.files import atomic_write
from hotlist.publish.log.events import format_time, parse_time
from hotlist.publish.log.merkle import verify_consistency
from hotlist.publish.wire import HASH_SIZE

SIGNING_TAG = b"hotlist tree head v1\n"
"""Prefix of the signed bytes, so a head signature can never pass for another document's."""

LOG_KEY_FILE = "log.pem"
_FIELDS = frozenset({"key_id", "root_hash", "signature", "size", "timestamp"})


@dataclass(frozen=True)
class TreeHead:
    """The log's size and Merkle root at ``timestamp`` (UTC, to the second)."""

    size: int
    root_hash: bytes
    timestamp: datetime

    def __post_init__(self) -> None:
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 0:
            raise ValueError(f"a tree head's size must be a whole number, not {self.size!r}")
        if len(self.root_hash) != HASH_SIZE:
            raise ValueError(f"a tree head's root is {HASH_SIZE} bytes, not {len(self.root_hash)}")
        object.__setattr__(self, "timestamp", parse_time(format_time(self.timestamp)))

    def signing_bytes(self) -> bytes:
        """The exact bytes the log key signs."""
        body = {
            "root_hash": self.root_hash.hex(),
            "size": self.size,
            "timestamp": format_time(self.timestamp),
        }
        return SIGNING_TAG + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    def describe(self) -> str:
        """``size N root <hex>``: how errors name a head."""
        return f"size {self.size} root {self.root_hash.hex()}"


@dataclass(frozen=True)
class SignedTreeHead:
    """A tree head with the log key's signature over :meth:`TreeHead.signing_bytes`."""

    head: TreeHead
    key_id: str
    signature: bytes

    def to_json(self) -> bytes:
        """The head file's bytes (sorted keys, one line, a final newline)."""
        document = {
            "key_id": self.key_id,
            "root_hash": self.head.root_hash.hex(),
            "signature": base64.b64encode(self.signature).decode("ascii"),
            "size": self.head.size,
            "timestamp": format_time(self.head.timestamp),
        }
        return json.dumps(document, sort_keys=True, separators=(",", ":")).encode() + b"\n"

    @classmethod
    def from_json(cls, data: bytes | str, origin: str = "the tree head") -> SignedTreeHead:
        """Parse a head file; anything malformed is a VerificationError naming ``origin``."""
        try:
            document = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise VerificationError(f"{origin} is not JSON: {exc}") from exc
        if not isinstance(document, dict) or set(document) != _FIELDS:
            raise VerificationError(f"{origin} must hold exactly {', '.join(sorted(_FIELDS))}")
        size, root, stamp = document["size"], document["root_hash"], document["timestamp"]
        key_id, signature = document["key_id"], document["signature"]
        if not all(isinstance(value, str) for value in (root, stamp, key_id, signature)):
            raise VerificationError(f"{origin}: root_hash, timestamp, key_id, signature are text")
        try:
            head = TreeHead(size=size, root_hash=bytes.fromhex(root), timestamp=parse_time(stamp))
            raw_signature = base64.b64decode(signature, validate=True)
        except (ValueError, InvalidLogEvent, binascii.Error) as exc:
            raise VerificationError(f"{origin} is malformed: {exc}") from exc
        return cls(head=head, key_id=key_id, signature=raw_signature)

    def verify(self, public_key: Ed25519PublicKey) -> TreeHead:
        """The head, once its signature checks with ``public_key``; else VerificationError."""
        expected = key_id(public_key)
        if self.key_id != expected:
            raise VerificationError(
                f"the tree head ({self.head.describe()}) is signed by key {self.key_id}, "
                f"not the log key {expected}"
            )
        try:
            public_key.verify(self.signature, self.head.signing_bytes())
        except InvalidSignature as exc:
            raise VerificationError(
                f"the tree head's signature does not verify ({self.head.describe()})"
            ) from exc
        return self.head


def key_id(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, hex: how a head names the key that signed it."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def sign_head(head: TreeHead, private_key: Ed25519PrivateKey) -> SignedTreeHead:
    """``head`` signed with the log key."""
    signature = private_key.sign(head.signing_bytes())
    return SignedTreeHead(head=head, key_id=key_id(private_key.public_key()), signature=signature)


def public_key_pem(public_key: Ed25519PublicKey) -> bytes:
    """The public key as published (``log/key.pub``): SubjectPublicKeyInfo PEM."""
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public_key(data: bytes, origin: str = "the log key") -> Ed25519PublicKey:
    """An Ed25519 public key from PEM; anything else is a VerificationError."""
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise VerificationError(f"{origin} is not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise VerificationError(f"{origin} is not an Ed25519 key")
    return key


def ensure_log_key(keys_dir: Path) -> Path:
    """``<keys_dir>/log.pem``, made (mode 0600) if missing; its path."""
    path = keys_dir / LOG_KEY_FILE
    if not path.exists():
        key = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        atomic_write(path, key, mode=0o600)
    return path


def load_log_key(keys_dir: Path) -> Ed25519PrivateKey:
    """The log's private key from ``<keys_dir>/log.pem``; ConfigError when missing or unsafe."""
    path = keys_dir / LOG_KEY_FILE
    try:
        data = path.read_bytes()
        mode = os.stat(path).st_mode
    except FileNotFoundError as exc:
        raise ConfigError(
            f"no log key at {path}: run `hotlist keys init --keys {keys_dir}`"
        ) from exc
    except OSError as exc:
        raise StorageError(f"cannot read the log key {path}: {exc.strerror}") from exc
    if mode & 0o077:
        raise ConfigError(f"{path} is readable by others: run `chmod 600 {path}`")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except ValueError as exc:
        raise ConfigError(f"{path} is not a PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{path} is not an Ed25519 key")
    return key


def check_heads_consistent(held: TreeHead, offered: TreeHead, proof: list[bytes]) -> None:
    """Check that ``offered`` extends ``held`` (RFC 9162 consistency with ``proof``).

    A smaller offered tree, two different roots of one size, or a proof that fails is a fork:
    VerificationError naming both heads (size and root hash).
    """
    heads = f"the head held here ({held.describe()}) and the offered head ({offered.describe()})"
    if offered.size < held.size:
        raise VerificationError(f"the log shrank (a fork or a rollback): {heads}")
    try:
        verify_consistency(held.size, offered.size, held.root_hash, offered.root_hash, proof)
    except VerificationError as exc:
        raise VerificationError(f"the log forked: {heads} are not consistent ({exc})") from exc
