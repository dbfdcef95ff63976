"""A small cache of computed values for a while: for what costs a pass over many rows and may be
a few minutes old (the transparency figures of a period, whose routes are public)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

V = TypeVar("V")


class TimedCache:
    """Values by key for ``ttl`` seconds; at most ``size`` keys (all dropped when full).

    Keep one cache per kind of value: ``get`` returns what ``make`` made for the same key.
    """

    def __init__(self, ttl: float, size: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.size = size
        self._clock = clock
        self._items: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The cached value for ``key``, made with ``make`` when absent or too old."""
        now = self._clock()
        with self._lock:
            cached = self._items.get(key)
        if cached is not None and now - cached[0] < self.ttl:
            return cast(V, cached[1])
        value = make()
        with self._lock:
            if len(self._items) >= self.size:
                self._items.clear()
            self._items[key] = (now, value)
        return value
