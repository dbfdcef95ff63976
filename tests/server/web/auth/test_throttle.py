"""Growing delays per key, and the burst alarm, on a settable clock."""

from __future__ import annotations

import pytest

from hotlist.errors import RateLimited
from hotlist.server.web.auth.throttle import BurstAlarm, FailureThrottle, growing_delay


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_delay_doubles_after_the_free_failures_up_to_the_cap() -> None:
    delays = [growing_delay(n, free=3, base_s=2, cap_s=30) for n in range(9)]
    assert delays == [0, 0, 0, 2, 4, 8, 16, 30, 30]
    assert growing_delay(10_000, free=0, base_s=1, cap_s=60) == 60


def test_a_key_waits_longer_after_each_failure_and_a_success_clears_it() -> None:
    clock = Clock()
    throttle = FailureThrottle(free=2, base_s=1, cap_s=8, clock=clock)
    for _ in range(2):
        throttle.failed("192.0.2.1")
    assert throttle.wait("192.0.2.1") == 1
    with pytest.raises(RateLimited) as caught:
        throttle.check("192.0.2.1")
    assert caught.value.retry_after == 1
    throttle.check("198.51.100.2")  # another key is not slowed
    clock.now += 1
    throttle.check("192.0.2.1")
    throttle.failed("192.0.2.1")
    assert throttle.wait("192.0.2.1") == 2
    throttle.succeeded("192.0.2.1")
    assert throttle.wait("192.0.2.1") == 0


def test_keys_are_bounded_and_forgotten() -> None:
    clock = Clock()
    throttle = FailureThrottle(free=0, base_s=1, cap_s=1, forget_s=60, max_keys=3, clock=clock)
    for number in range(5):
        throttle.failed(f"203.0.113.{number}")
    assert len(throttle) == 3
    clock.now += 61
    assert throttle.wait("203.0.113.4") == 0
    assert len(throttle) == 2


def test_the_alarm_rings_once_per_window() -> None:
    clock = Clock()
    alarm = BurstAlarm(threshold=3, window_s=60, clock=clock)
    rings = []
    for _ in range(10):
        rings.append(alarm.failed("user 7"))
        clock.now += 1
    assert rings == [None, None, 3, None, None, None, None, None, None, None]
    clock.now += 60
    assert [alarm.failed("user 7") for _ in range(3)] == [None, None, 3]


@pytest.mark.parametrize(
    "settings", [{"free": -1, "base_s": 1, "cap_s": 1}, {"free": 1, "base_s": 2, "cap_s": 1}]
)
def test_bad_settings(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="are required"):
        FailureThrottle(**settings)  # type: ignore[arg-type]
