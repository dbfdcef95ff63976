"""Keys: random, prefixed, stored as a slow hash; the verification cache expires and forgets."""

from __future__ import annotations

from argon2 import PasswordHasher

from hotlist.server.accounts.keys import (
    KEY_PREFIX,
    VerificationCache,
    generate_key,
    looks_like_key,
    lookup_prefix,
    verify_key,
)

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def test_generated_key_verifies_and_is_not_stored() -> None:
    new = generate_key(CHEAP)
    assert new.secret.startswith(KEY_PREFIX)
    assert new.lookup_prefix == lookup_prefix(new.secret)
    assert new.secret not in new.key_hash
    assert new.key_hash.startswith("$argon2id$")
    assert verify_key(new.key_hash, new.secret)
    assert not verify_key(new.key_hash, new.secret + "x")
    assert not verify_key("not a hash", new.secret)


def test_keys_differ() -> None:
    assert len({generate_key(CHEAP).secret for _ in range(20)}) == 20


def test_default_hasher_is_argon2id() -> None:
    assert generate_key().key_hash.startswith("$argon2id$")


def test_looks_like_key() -> None:
    assert looks_like_key(generate_key(CHEAP).secret)
    for bad in [
        "",
        "hk_",
        "hk_short",
        "Bearer hk_abcdefghijk",
        "hk_" + "é" * 20,
        "hk_" + "a" * 200,
    ]:
        assert not looks_like_key(bad)


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
