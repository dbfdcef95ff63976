"""A short-lived cache of verified API keys, so the slow hash is paid once per key per period.

``require`` (:mod:`hotlist.server.kit.deps`) looks here before asking the accounts feature to
verify a key; revoking a key drops it here at once in this process.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar


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
