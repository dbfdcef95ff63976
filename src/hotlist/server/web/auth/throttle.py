"""Growing delays after failed sign-ins, and an alarm for bursts of them.

A hard lock-out lets anyone lock anyone out: a few wrong passwords suffice. Here failures make
the next attempt wait, longer after each one (:func:`growing_delay`), and nothing ever refuses a
person for ever. The same rule serves two keys:

- a client address (:class:`FailureThrottle`, in memory per process; the address is a dict key
  and nothing else, never logged or stored): after ``free`` failures in a row each attempt from
  it waits, doubling, up to a cap; a success from it clears it;
- an account, in the database (``user_logins``), counting only the failures with the right
  password and a wrong code: only someone who holds the password can slow its owner down (see
  :mod:`hotlist.server.web.auth.service`).

:class:`BurstAlarm` counts an account's failures over a window, for one error-level log line
when someone seems to be guessing its password.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from hotlist.errors import RateLimited

DEFAULT_MAX_KEYS = 100_000
ADDRESS_FREE_FAILURES = 10
ADDRESS_WAIT_BASE_S = 1.0
ADDRESS_WAIT_CAP_S = 300.0
"""Sign-in per address: 10 failures in a row freely (a shared office address), then a wait of
1 s doubling after each failure, at most 5 minutes; a success from the address clears it."""


def growing_delay(failures: int, free: int, base_s: float, cap_s: float) -> float:
    """Seconds to wait after ``failures`` in a row: none for the first ``free`` of them, then
    ``base_s``, doubling with each further failure, at most ``cap_s``."""
    if failures < free:
        return 0.0
    return min(cap_s, base_s * 2.0 ** min(failures - free, 62))


class FailureThrottle:
    """Failures per key (a client address) and the wait they impose, in memory.

    At most ``max_keys`` keys are kept, the least recently failed dropped first; a key whose
    wait is over and that has not failed for ``forget_s`` is dropped too.
    """

    def __init__(
        self,
        *,
        free: int,
        base_s: float,
        cap_s: float,
        forget_s: float = 3600.0,
        max_keys: int = DEFAULT_MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if free < 0 or base_s <= 0 or cap_s < base_s or max_keys < 1:
            raise ValueError("free >= 0, 0 < base_s <= cap_s and max_keys >= 1 are required")
        self.free, self.base_s, self.cap_s, self.forget_s = free, base_s, cap_s, forget_s
        self._max_keys = max_keys
        self._clock = clock
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._failures)

    def wait(self, key: str) -> float:
        """Seconds ``key`` must still wait before its next attempt (0: go ahead)."""
        now = self._clock()
        with self._lock:
            found = self._failures.get(key)
            if found is None:
                return 0.0
            count, last = found
            remaining = last + growing_delay(count, self.free, self.base_s, self.cap_s) - now
            if remaining <= 0 and now - last > self.forget_s:
                del self._failures[key]
            return max(0.0, remaining)

    def check(self, key: str) -> None:
        """RateLimited (429, with ``Retry-After``) while ``key`` must wait."""
        wait = self.wait(key)
        if wait > 0:
            raise RateLimited(
                f"too many failed sign-ins from your address: wait {math.ceil(wait)} s and try "
                "again",
                retry_after=max(1, math.ceil(wait)),
            )

    def failed(self, key: str) -> int:
        """Count a failure of ``key``; returns its failures in a row."""
        now = self._clock()
        with self._lock:
            count = self._failures.pop(key, (0, now))[0] + 1
            self._failures[key] = (count, now)
            while len(self._failures) > self._max_keys:
                self._failures.popitem(last=False)
        return count

    def succeeded(self, key: str) -> None:
        """``key`` signed someone in: its failures are forgotten."""
        with self._lock:
            self._failures.pop(key, None)


class BurstAlarm:
    """Failures per key over the last ``window_s`` seconds; :meth:`failed` says when a key's
    count reaches ``threshold`` (once per window), to raise the alarm."""

    def __init__(
        self,
        *,
        threshold: int,
        window_s: float,
        max_keys: int = DEFAULT_MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if threshold < 1 or window_s <= 0 or max_keys < 1:
            raise ValueError("threshold >= 1, window_s > 0 and max_keys >= 1 are required")
        self.threshold, self.window_s = threshold, window_s
        self._max_keys = max_keys
        self._clock = clock
        self._times: OrderedDict[str, deque[float]] = OrderedDict()
        self._raised: dict[str, float] = {}
        self._lock = threading.Lock()

    def failed(self, key: str) -> int | None:
        """Count a failure of ``key``; its count in the window when the alarm is to be raised
        now, else None."""
        now = self._clock()
        with self._lock:
            times = self._times.pop(key, None) or deque()
            times.append(now)
            while times and times[0] <= now - self.window_s:
                times.popleft()
            self._times[key] = times
            while len(self._times) > self._max_keys:
                dropped, _ = self._times.popitem(last=False)
                self._raised.pop(dropped, None)
            raised = self._raised.get(key)
            if len(times) < self.threshold or (raised is not None and now - raised < self.window_s):
                return None
            self._raised[key] = now
            return len(times)


def address_throttle() -> FailureThrottle:
    """The sign-in throttle per client address (one per process)."""
    return FailureThrottle(
        free=ADDRESS_FREE_FAILURES, base_s=ADDRESS_WAIT_BASE_S, cap_s=ADDRESS_WAIT_CAP_S
    )
