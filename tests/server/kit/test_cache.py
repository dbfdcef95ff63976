"""The timed cache: a value is made once per key for a while, then again; a full cache starts
over."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from hotlist.server.kit.cache import TimedCache


def test_values_are_cached_per_key_for_a_while() -> None:
    made: list[datetime] = []

    def make(start: datetime) -> Callable[[], str]:
        def run() -> str:
            made.append(start)
            return f"figures from {start.date()}"

        return run

    first = datetime(2026, 1, 1, tzinfo=UTC)
    second = datetime(2026, 1, 2, tzinfo=UTC)
    cache = TimedCache(ttl=60, size=1)
    a = cache.get((first, first, 7), make(first))
    assert cache.get((first, first, 7), make(first)) is a
    cache.get((second, second, 7), make(second))
    assert made == [first, second]
    cache.get((second, second, 7), make(second))
    assert made == [first, second]
    expired = TimedCache(ttl=0, size=64)
    expired.get((first, first, 7), make(first))
    expired.get((first, first, 7), make(first))
    assert made == [first, second, first, first]


def test_a_value_is_made_again_once_its_time_is_up() -> None:
    now = [100.0]
    cache = TimedCache(ttl=60, size=8, clock=lambda: now[0])
    made: list[int] = []

    def make() -> int:
        made.append(len(made))
        return len(made)

    assert cache.get("period", make) == 1
    now[0] += 59.9
    assert cache.get("period", make) == 1
    now[0] += 0.1
    assert cache.get("period", make) == 2
    assert made == [0, 1]
