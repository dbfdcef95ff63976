"""The token bucket: bursts, refill, Retry-After, a bound on memory, off at rate 0."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI

from hotlist.errors import RateLimited
from hotlist.server.kit.deps import limit_by_client_address
from hotlist.server.kit.ratelimit import TokenBucketLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_burst_then_refill(clock: FakeClock) -> None:
    limiter = TokenBucketLimiter(rate=2.0, burst=3, clock=clock)
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("a") == pytest.approx(0.5)
    assert limiter.take("b") == 0.0
    clock.now += 0.5
    assert limiter.take("a") == 0.0
    assert limiter.take("a") > 0


def test_check_raises_with_retry_after(clock: FakeClock) -> None:
    limiter = TokenBucketLimiter(rate=0.1, burst=1, clock=clock)
    limiter.check("a")
    with pytest.raises(RateLimited) as caught:
        limiter.check("a")
    assert caught.value.retry_after == 10


def test_rate_zero_is_off(clock: FakeClock) -> None:
    limiter = TokenBucketLimiter(rate=0, burst=1, clock=clock)
    assert not limiter.enabled
    for _ in range(100):
        limiter.check("a")
    assert len(limiter) == 0


def test_memory_is_bounded(clock: FakeClock) -> None:
    limiter = TokenBucketLimiter(rate=1, burst=1, max_clients=10, clock=clock)
    for n in range(100):
        limiter.take(f"client-{n}")
    assert len(limiter) == 10
    assert limiter.take("client-0") == 0.0  # forgotten, so it starts full


@pytest.mark.parametrize(("rate", "burst", "clients"), [(-1, 1, 1), (1, 0, 1), (1, 1, 0)])
def test_bad_parameters(rate: float, burst: int, clients: int) -> None:
    with pytest.raises(ValueError, match="rate"):
        TokenBucketLimiter(rate=rate, burst=burst, max_clients=clients)


def test_dependency_answers_429_problem(
    make_app: Callable[..., FastAPI], client_for: Callable[..., Any]
) -> None:
    app = make_app(rate_limit_per_second=0.01, rate_limit_burst=2)

    @app.post("/test/limited")
    def limited(_: Annotated[None, Depends(limit_by_client_address)]) -> dict[str, bool]:
        return {"ok": True}

    with client_for(app) as client:
        assert [client.post("/test/limited").status_code for _ in range(2)] == [200, 200]
        response = client.post("/test/limited")
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) >= 1
    assert "wait" in response.json()["detail"]
