"""The clocks: both tell UTC time and a monotonic count (the contract both inherit); the manual
one moves only when told, forward only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotlist.server.kit.clock import Clock, ManualClock, SystemClock


class ClockContract:
    """What every :class:`Clock` does; an implementation's tests inherit this."""

    def make(self) -> Clock:
        raise NotImplementedError

    def test_now_is_aware_and_in_utc(self) -> None:
        now = self.make().now()
        assert now.tzinfo is not None
        assert now.utcoffset() == timedelta(0)

    def test_neither_count_goes_back(self) -> None:
        clock = self.make()
        first, start = clock.now(), clock.monotonic()
        assert clock.now() >= first
        assert clock.monotonic() >= start


class TestSystemClock(ClockContract):
    def make(self) -> Clock:
        return SystemClock()

    def test_it_is_the_machines_time(self) -> None:
        before = datetime.now(UTC)
        now = SystemClock().now()
        assert before <= now <= datetime.now(UTC)


class TestManualClock(ClockContract):
    def make(self) -> Clock:
        return ManualClock()

    def test_it_stands_still_until_advanced(self) -> None:
        start = datetime(2026, 3, 1, 12, tzinfo=UTC)
        clock = ManualClock(start)
        assert (clock.now(), clock.monotonic()) == (start, 0.0)
        clock.advance(timedelta(days=4))
        clock.advance(30)
        assert clock.now() == start + timedelta(days=4, seconds=30)
        assert clock.monotonic() == 4 * 86_400 + 30

    def test_it_refuses_to_go_back_or_a_naive_start(self) -> None:
        with pytest.raises(ValueError, match="forward"):
            ManualClock().advance(-1)
        with pytest.raises(ValueError, match="zone"):
            ManualClock(datetime(2026, 1, 1))  # the naive time is the point
