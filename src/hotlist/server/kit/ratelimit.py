"""Rate limits, a seam: :class:`Limiter` is what a route asks of one; the real one is a
per-client-address token bucket held only in memory (:class:`TokenBucketLimiter`, applied by
:func:`hotlist.server.kit.deps.limit_by_client_address`); :class:`NoLimit` never refuses (tests
swap it in with ``app.dependency_overrides``).

The address is used as a dictionary key and nothing else: never logged, never stored, gone
when the process ends or the bucket refills. Each process limits on its own, so with N
workers a client gets up to N times the rate; that bound is documented, not hidden.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from hotlist.errors import RateLimited

DEFAULT_MAX_CLIENTS = 100_000


class Limiter(Protocol):
    """Says whether one more request under ``key`` (a client address) may go on now."""

    def check(self, key: str) -> None:
        """Return when it may; raise :class:`RateLimited` (with ``retry_after``) when not."""
        ...


class NoLimit:
    """A limiter that never refuses (a test that sends many requests on purpose)."""

    def check(self, key: str) -> None:
        """Always allowed."""


class TokenBucketLimiter:
    """``rate`` requests a second per key on average, bursts up to ``burst``.

    At most ``max_clients`` buckets are kept; the least recently seen one is dropped first (a
    dropped client starts again with a full bucket). ``rate == 0`` turns limiting off.
    """

    def __init__(
        self,
        rate: float,
        burst: int,
        max_clients: int = DEFAULT_MAX_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate < 0 or burst < 1 or max_clients < 1:
            raise ValueError("rate must be >= 0, burst and max_clients >= 1")
        self.rate = rate
        self.burst = burst
        self._max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether the limiter limits anything."""
        return self.rate > 0

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str) -> float:
        """Take a token for ``key``: 0.0 if allowed, else the seconds until one is available."""
        if not self.enabled:
            return 0.0
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
            while len(self._buckets) > self._max_clients:
                self._buckets.popitem(last=False)
        return wait

    def check(self, key: str) -> None:
        """Raise :class:`RateLimited` (429, with ``Retry-After``) when ``key`` is over its rate."""
        wait = self.take(key)
        if wait > 0:
            raise RateLimited(
                "too many requests from your address; wait and try again",
                retry_after=max(1, math.ceil(wait)),
            )
