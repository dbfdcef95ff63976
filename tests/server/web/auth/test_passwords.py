"""Password rules and hashes."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from hotlist.errors import InvalidRequest
from hotlist.server.web.auth.passwords import hash_password, verify_password

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def test_a_hash_verifies_its_password_only() -> None:
    stored = hash_password("correct horse battery", FAST)
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "correct horse batterx")


def test_no_stored_hash_never_verifies() -> None:
    assert not verify_password(None, "anything at all here")
    assert not verify_password("not a hash", "anything at all here")


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "shorter than 12"), ("x" * 300, "longer than 256"), (" padded password ", "space")],
)
def test_rules(password: str, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        hash_password(password, FAST)
