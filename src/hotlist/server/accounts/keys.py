"""API keys: generation and the slow hash stored for them (the verification cache is the kit's:
:mod:`hotlist.server.kit.keycache`).

A key is ``hk_`` + 32 random bytes (URL-safe base64). Only its first characters (the prefix,
used to find the row) and an Argon2id hash of the whole key are stored; the key is shown once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

KEY_PREFIX = "hk_"
LOOKUP_PREFIX_LENGTH = 12
"""Characters of the key kept in clear for lookup: ``hk_`` + 9 random ones (54 bits)."""

DEFAULT_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
"""Argon2id at OWASP's minimum: about 20 ms a verification, paid once per cache period."""


@dataclass(frozen=True)
class NewKey:
    """A freshly generated key: ``secret`` is shown to its holder once and never stored."""

    secret: str
    lookup_prefix: str
    key_hash: str


def generate_key(hasher: PasswordHasher = DEFAULT_HASHER) -> NewKey:
    """A new random key with its lookup prefix and slow hash."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    return NewKey(secret=secret, lookup_prefix=lookup_prefix(secret), key_hash=hasher.hash(secret))


def lookup_prefix(secret: str) -> str:
    """The part of a key stored in clear to find its row."""
    return secret[:LOOKUP_PREFIX_LENGTH]


def looks_like_key(secret: str) -> bool:
    """Whether ``secret`` has the shape of one of our keys (cheap check before any lookup)."""
    return (
        secret.startswith(KEY_PREFIX)
        and len(secret) > LOOKUP_PREFIX_LENGTH
        and len(secret) <= 128
        and secret.isascii()
    )


def verify_key(key_hash: str, secret: str) -> bool:
    """Whether ``secret`` is the key ``key_hash`` was made from (constant time, slow)."""
    try:
        return PasswordHasher().verify(key_hash, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
