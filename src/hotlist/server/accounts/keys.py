"""API keys: generation, the slow hash stored for them, and a short-lived verification cache.

A key is ``hk_`` + 32 random bytes (URL-safe base64). Only its first characters (the prefix,
used to find the row) and an Argon2id hash of the whole key are stored; the key is shown once.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

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


def cache_key(secret: str) -> str:
    """The cache's name for a key: its SHA-256, so the cache never holds a key itself."""
    return hashlib.sha256(secret.encode()).hexdigest()


V = TypeVar("V")


class VerificationCache(Generic[V]):
    """Successful verifications for ``ttl`` seconds, keyed by the key's SHA-256.

    Saves the slow hash on every request. Revoking a key drops it here at once in this process;
    other worker processes forget it within ``ttl``.
    """

    def __init__(self, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[str, tuple[float, int, V]] = {}
        self._lock = threading.Lock()

    def get(self, secret: str) -> V | None:
        """The cached value for ``secret``, or ``None`` if absent or expired."""
        name = cache_key(secret)
        with self._lock:
            found = self._entries.get(name)
            if found is None:
                return None
            expires, _key_id, value = found
            if expires <= self._clock():
                del self._entries[name]
                return None
            return value

    def put(self, secret: str, key_id: int, value: V) -> None:
        """Remember that ``secret`` (the key with row id ``key_id``) verified as ``value``."""
        if self._ttl <= 0:
            return
        with self._lock:
            self._entries[cache_key(secret)] = (self._clock() + self._ttl, key_id, value)

    def drop_key_id(self, key_id: int) -> None:
        """Forget every cached verification of the key with row id ``key_id``."""
        with self._lock:
            for name in [n for n, (_, kid, _) in self._entries.items() if kid == key_id]:
                del self._entries[name]

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()
