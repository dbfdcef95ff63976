"""The verification cache expires, forgets a revoked key, and is off at a zero ttl."""

from __future__ import annotations

from hotlist.server.kit.keycache import VerificationCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_cache_expires() -> None:
    clock = Clock()
    cache: VerificationCache[str] = VerificationCache(ttl=10, clock=clock)
    cache.put("hk_secret", 1, "alice")
    assert cache.get("hk_secret") == "alice"
    assert cache.get("hk_other") is None
    clock.now = 10.0
    assert cache.get("hk_secret") is None


def test_cache_forgets_a_revoked_key_and_everything_on_clear() -> None:
    cache: VerificationCache[str] = VerificationCache(ttl=60)
    cache.put("hk_one", 1, "alice")
    cache.put("hk_two", 2, "bob")
    cache.drop_key_id(1)
    assert cache.get("hk_one") is None
    assert cache.get("hk_two") == "bob"
    cache.clear()
    assert cache.get("hk_two") is None


def test_cache_off_at_zero_ttl() -> None:
    cache: VerificationCache[str] = VerificationCache(ttl=0)
    cache.put("hk_one", 1, "alice")
    assert cache.get("hk_one") is None
