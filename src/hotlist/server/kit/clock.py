"""The server's clock, a seam: what time it is (to stamp and to decide by, such as an appeal's
due date or the figures' default period) and a monotonic count for rates and caches.

:class:`SystemClock` is the real one; :class:`ManualClock` moves only when told (tests). A test
swaps it with ``app.dependency_overrides[get_clock] = lambda: clock``.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Wall time in UTC and a monotonic count of seconds."""

    def now(self) -> datetime:
        """The time now, timezone-aware in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary start; never goes back (for intervals, not dates)."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        """The time now, timezone-aware in UTC."""
        return datetime.now(UTC)

    def monotonic(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()


class ManualClock:
    """A clock that stands still until :meth:`advance` moves it (both counts together)."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 1, 1, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("give the start time with a zone (UTC)")
        self._now = start.astimezone(UTC)
        self._elapsed = 0.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The time the clock shows."""
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        """Seconds advanced since the start."""
        with self._lock:
            return self._elapsed

    def advance(self, by: timedelta | float) -> None:
        """Move the clock forward by ``by`` (a timedelta, or seconds); never backwards."""
        step = by if isinstance(by, timedelta) else timedelta(seconds=by)
        if step < timedelta(0):
            raise ValueError("a clock only moves forward")
        with self._lock:
            self._now += step
            self._elapsed += step.total_seconds()
