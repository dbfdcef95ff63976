"""Rate limits: the contract every limiter inherits (a refusal says when to come back, one
key never refuses another); bursts, refill, Retry-After, a bound on memory, off at rate 0, a
shared storage counting a client once across processes, and the address kept nowhere."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Annotated, Any, ClassVar

import pytest
from fastapi import Depends, FastAPI
from limits.storage import MemoryStorage

from hotlist.errors import ConfigError, RateLimited
from hotlist.server.kit.deps import limit_by_client_address
from hotlist.server.kit.ratelimit import Limiter, NoLimit, RateLimiter

ADDRESS = "192.0.2.1"


class SharedStorage(MemoryStorage):
    """A storage every limiter of a test shares, as processes share Redis (the scheme
    registers itself with ``limits``)."""

    STORAGE_SCHEME: ClassVar[list[str]] = ["hotlist-test-shared"]
    instance: ClassVar[SharedStorage | None] = None

    def __new__(cls, *args: Any, **kwargs: Any) -> SharedStorage:
        if cls.instance is None:
            cls.instance = super().__new__(cls)
            MemoryStorage.__init__(cls.instance)
        return cls.instance

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass  # made once, in __new__


@pytest.fixture
def shared() -> Iterator[SharedStorage]:
    storage = SharedStorage()
    yield storage
    storage.reset()
    SharedStorage.instance = None


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


class TestRateLimiter(LimiterContract):
    def make(self) -> Limiter:
        return RateLimiter(rate=0.01, burst=3)


class TestNoLimit(LimiterContract):
    limits = False

    def make(self) -> Limiter:
        return NoLimit()


def test_burst_then_refill() -> None:
    limiter = RateLimiter(rate=2.0, burst=2)
    assert [limiter.take(ADDRESS) for _ in range(2)] == [0.0, 0.0]
    wait = limiter.take(ADDRESS)
    assert 0 < wait <= 1.0
    assert limiter.take("198.51.100.7") == 0.0  # another client has its own burst
    time.sleep(wait + 0.05)
    assert limiter.take(ADDRESS) == 0.0


def test_check_raises_with_retry_after() -> None:
    limiter = RateLimiter(rate=0.1, burst=1)
    limiter.check(ADDRESS)
    with pytest.raises(RateLimited) as caught:
        limiter.check(ADDRESS)
    assert caught.value.retry_after == 10


def test_rate_zero_is_off() -> None:
    limiter = RateLimiter(rate=0, burst=1)
    assert not limiter.enabled
    for _ in range(100):
        limiter.check(ADDRESS)
    assert len(limiter) == 0


def test_memory_is_bounded() -> None:
    limiter = RateLimiter(rate=1, burst=1, max_clients=10)
    for n in range(100):
        limiter.take(f"client-{n}")
    assert len(limiter) == 10
    assert limiter.take("client-0") == 0.0  # forgotten, so it starts full
    assert limiter.take("client-99") > 0  # remembered


@pytest.mark.parametrize(("rate", "burst", "clients"), [(-1, 1, 1), (1, 0, 1), (1, 1, 0)])
def test_bad_parameters(rate: float, burst: int, clients: int) -> None:
    with pytest.raises(ValueError, match="rate"):
        RateLimiter(rate=rate, burst=burst, max_clients=clients)


def test_each_process_counts_alone_in_memory() -> None:
    one, other = RateLimiter(rate=0.01, burst=1), RateLimiter(rate=0.01, burst=1)
    assert one.take(ADDRESS) == 0.0
    assert other.take(ADDRESS) == 0.0  # N processes: N times the rate, as documented


def test_a_shared_storage_counts_a_client_once_and_never_holds_the_address(
    shared: SharedStorage,
) -> None:
    def process() -> RateLimiter:
        return RateLimiter(
            rate=0.01, burst=2, storage_uri="hotlist-test-shared://", shared_key="ab" * 32
        )

    one, other = process(), process()
    assert one.take(ADDRESS) == 0.0
    assert other.take(ADDRESS) == 0.0
    assert one.take(ADDRESS) > 0
    assert other.take(ADDRESS) > 0
    assert shared.events
    assert not any(ADDRESS in key for key in [*shared.events, *shared.storage])


def test_a_shared_storage_needs_the_session_key(shared: SharedStorage) -> None:
    with pytest.raises(ConfigError, match="HOTLIST_SESSION_KEY"):
        RateLimiter(rate=1, burst=1, storage_uri="hotlist-test-shared://")


@pytest.mark.parametrize(
    "uri", ["bogus://example.invalid", "redis://redis.example.invalid:6379", "memory"]
)
def test_a_storage_that_cannot_be_used_is_a_config_error(uri: str) -> None:
    with pytest.raises(ConfigError, match="HOTLIST_RATE_LIMIT_STORAGE_URI"):
        RateLimiter(rate=1, burst=1, storage_uri=uri, shared_key="ab" * 32)


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


def test_the_app_refuses_a_storage_it_cannot_use(make_app: Callable[..., FastAPI]) -> None:
    with pytest.raises(ConfigError, match="rate_limit_storage_uri"):
        make_app(rate_limit_storage_uri="bogus://example.invalid")
