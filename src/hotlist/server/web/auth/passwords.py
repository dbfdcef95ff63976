"""Password rules and the Argon2id hash kept for each password."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from hotlist.errors import InvalidRequest

MIN_LENGTH = 12
MAX_LENGTH = 256

PASSWORD_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
"""Argon2id at OWASP's minimum (19 MiB, 2 passes), as for API keys: a whole sign-in measured
40 ms (benchmarks/bench_staff_pages.py), a hash up to 0.15 s on a busy 2-core machine where 64 MiB
and 3 passes took 0.6 s."""


@functools.cache
def _unknown_user_hash() -> str:
    return PASSWORD_HASHER.hash("not a password of anyone's")


def check_rules(password: str) -> None:
    """Refuse a password that is too short or too long, with a message saying which."""
    if len(password) < MIN_LENGTH:
        raise InvalidRequest(f"the password is shorter than {MIN_LENGTH} characters; choose longer")
    if len(password) > MAX_LENGTH:
        raise InvalidRequest(f"the password is longer than {MAX_LENGTH} characters; shorten it")
    if password != password.strip():
        raise InvalidRequest("the password starts or ends with a space; remove it")


def hash_password(password: str, hasher: PasswordHasher = PASSWORD_HASHER) -> str:
    """The Argon2id hash to store for ``password`` (after :func:`check_rules`)."""
    check_rules(password)
    return hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored``; with no stored hash, a dummy hash is checked so
    an unknown account takes as long to refuse as a wrong password."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return (
            PasswordHasher().verify(stored or _unknown_user_hash(), password) and stored is not None
        )
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
