"""Rate limits per client address, a seam: :class:`Limiter` is what a route asks of one;
:class:`RateLimiter` (the ``limits`` library) is the real one, applied by
:func:`hotlist.server.kit.deps.limit_by_client_address`; :class:`NoLimit` never refuses (tests
swap it in with ``app.dependency_overrides``).

A limiter allows ``burst`` requests from one address in any window of ``burst / rate`` seconds
(rounded up to a whole second; the defaults, 2 a second and a burst of 30, are 30 in any 15 s): a
moving window, so the average stays at most ``rate`` a second and ``burst`` may come at once.

The address itself is never kept: the counters are keyed by an HMAC of it, under a key that
lives only in memory (``memory://``, the default) or comes from the session key (a shared
storage, ``rate_limit_storage_uri``, so that every process counts the same client as one).
Nothing is logged. With ``memory://`` each process limits on its own, so N workers give a
client up to N times the rate, and at most :data:`DEFAULT_MAX_CLIENTS` addresses are counted,
the least recently seen forgotten first (a forgotten client starts again with a full burst).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from collections import OrderedDict
from typing import Protocol

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.errors import ConfigurationError
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from hotlist.errors import ConfigError, RateLimited
from hotlist.server.config import Settings

DEFAULT_MAX_CLIENTS = 100_000
MEMORY = "memory://"
_KEY_CONTEXT = b"hotlist rate limit v1"


class Limiter(Protocol):
    """Says whether one more request under ``key`` (a client address) may go on now."""

    def check(self, key: str) -> None:
        """Return when it may; raise :class:`RateLimited` (with ``retry_after``) when not."""
        ...


class NoLimit:
    """A limiter that never refuses (a test that sends many requests on purpose)."""

    def check(self, key: str) -> None:
        """Always allowed."""


class RateLimiter:
    """``rate`` requests a second per address on average, bursts up to ``burst``; ``rate == 0``
    turns limiting off. ``storage_uri`` is a ``limits`` storage (``memory://``, ``redis://...``,
    ``memcached://...``); a shared one needs ``shared_key``, the same in every process."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        storage_uri: str = MEMORY,
        shared_key: str | None = None,
        max_clients: int = DEFAULT_MAX_CLIENTS,
    ) -> None:
        if rate < 0 or burst < 1 or max_clients < 1:
            raise ValueError("rate must be >= 0, burst and max_clients >= 1")
        self.rate = rate
        self.burst = burst
        self._item: RateLimitItem = RateLimitItemPerSecond(
            burst, max(1, math.ceil(burst / rate)) if rate > 0 else 1
        )
        try:
            storage = storage_from_string(storage_uri)
        except ConfigurationError as exc:
            raise ConfigError(
                f"rate_limit_storage_uri ({Settings.env_name('rate_limit_storage_uri')}): {exc}"
            ) from exc
        self._in_memory = storage_uri.partition("://")[0] == MEMORY.partition("://")[0]
        if self._in_memory:
            self._key = secrets.token_bytes(32)
        elif not shared_key:
            raise ConfigError(
                "a shared rate limit storage needs the session key (HOTLIST_SESSION_KEY, the same "
                "in every process) to key its counters: set it, or use memory://"
            )
        else:
            self._key = hmac.new(shared_key.encode(), _KEY_CONTEXT, hashlib.sha256).digest()
        self._limiter = MovingWindowRateLimiter(storage)
        self._max_clients = max_clients
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        """The public reports' and appeals' limiter for ``settings``."""
        return cls(
            settings.rate_limit_per_second,
            settings.rate_limit_burst,
            storage_uri=settings.rate_limit_storage_uri,
            shared_key=settings.session_key,
        )

    @property
    def enabled(self) -> bool:
        """Whether the limiter limits anything."""
        return self.rate > 0

    def __len__(self) -> int:
        """How many clients this process counts (``memory://``; 0 for a shared storage)."""
        return len(self._seen)

    def _identifier(self, address: str) -> str:
        return hmac.new(self._key, address.encode(), hashlib.sha256).hexdigest()[:32]

    def take(self, address: str) -> float:
        """Count a request from ``address``: 0.0 if allowed, else the seconds until one is."""
        if not self.enabled:
            return 0.0
        identifier = self._identifier(address)
        if self._in_memory:
            self._remember(identifier)
        if self._limiter.hit(self._item, identifier):
            return 0.0
        reset = self._limiter.get_window_stats(self._item, identifier).reset_time
        return max(reset - time.time(), 0.001)

    def _remember(self, identifier: str) -> None:
        """Keep the memory bounded: forget the least recently seen client past the limit."""
        with self._lock:
            self._seen[identifier] = None
            self._seen.move_to_end(identifier)
            while len(self._seen) > self._max_clients:
                forgotten, _ = self._seen.popitem(last=False)
                self._limiter.clear(self._item, forgotten)

    def check(self, address: str) -> None:
        """Raise :class:`RateLimited` (429, with ``Retry-After``) when ``address`` is over."""
        wait = self.take(address)
        if wait > 0:
            raise RateLimited(
                "too many requests from your address; wait and try again",
                retry_after=max(1, math.ceil(wait)),
            )
