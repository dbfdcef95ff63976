"""Keys: random, prefixed, stored as a slow hash; and look like keys."""

from __future__ import annotations

from argon2 import PasswordHasher

from hotlist.server.accounts.keys import (
    KEY_PREFIX,
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
