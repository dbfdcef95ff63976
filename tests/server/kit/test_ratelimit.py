"""The rate limiters: a refusal says when to come back and one key never refuses another (the
contract both inherit); the token bucket's bursts, refill, Retry-After, bound on memory, off at
rate 0."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI

from hotlist.errors import RateLimited
from hotlist.server.kit.deps import limit_by_client_address
from hotlist.server.kit.ratelimit import Limiter, NoLimit, TokenBucketLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def first_refusal(limiter: Limiter, key: str, tries: int = 50) -> RateLimited | None:
    """The first refusal of ``tries`` checks of ``key`` in a row, if any."""
    for _ in range(tries):
        try:
            limiter.check(key)
        except RateLimited as refused:
            return refused
    return None


class LimiterContract:
    """What every :class:`Limiter` does; an implementation's tests inherit this.
    ``limits``: whether 50 requests in a row from one address are refused at some point."""

    limits = True

    def make(self) -> Limiter:
        raise NotImplementedError

    def test_a_first_request_of_any_key_goes_on(self) -> None:
        limiter = self.make()
        for key in ("192.0.2.1", "2001:db8::1", "unknown", "", "x" * 1000):
            limiter.check(key)

    def test_a_refusal_says_when_to_come_back(self) -> None:
        refused = first_refusal(self.make(), "198.51.100.7")
        assert (refused is not None) == self.limits
        if refused is not None:
            assert refused.retry_after >= 1
            assert "wait" in refused.message

    def test_one_key_never_refuses_another(self) -> None:
        limiter = self.make()
        first_refusal(limiter, "198.51.100.7")
        limiter.check("203.0.113.9")


class TestTokenBucketLimiter(LimiterContract):
    def make(self) -> Limiter:
        return TokenBucketLimiter(rate=0.01, burst=3, clock=FakeClock())


class TestNoLimit(LimiterContract):
    limits = False

    def make(self) -> Limiter:
        return NoLimit()


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
