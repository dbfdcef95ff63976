"""Signing in: password and code together, failures counted, lock-out, no code reused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from hotlist.errors import AccountLocked, Conflict, LoginFailed
from hotlist.server.accounts.models import User
from hotlist.server.db.base import utcnow
from hotlist.server.kit.permissions import Role
from hotlist.server.web.auth import service, totp

PASSWORD = "a long enough password"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class Clock:
    """A settable clock for the service."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 9, 0, 7, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def person(session: Session, make_user: Callable[..., User]) -> tuple[User, str]:
    """An analyst with a password and a TOTP key (the secret returned)."""
    user = session.merge(make_user(Role.ANALYST))
    service.set_password(session, user, PASSWORD, FAST)
    secret = service.enroll_totp(session, user).secret
    session.commit()
    return user, secret


def code(secret: str, clock: Clock, offset_s: int = 0) -> str:
    return totp.code_at(secret, clock().timestamp() + offset_s)


def test_right_password_and_code_sign_in(session: Session, person: tuple[User, str]) -> None:
    user, secret = person
    clock = Clock()
    assert service.can_sign_in(session, user.id)
    signed = service.sign_in(session, user.id, PASSWORD, code(secret, clock), clock)
    assert signed.id == user.id


@pytest.mark.parametrize("wrong", ["password", "code", "user"])
def test_any_wrong_part_fails_with_the_same_message(
    session: Session, person: tuple[User, str], wrong: str
) -> None:
    user, secret = person
    clock = Clock()
    user_id = user.id + 1000 if wrong == "user" else user.id
    password = PASSWORD + "x" if wrong == "password" else PASSWORD
    given = "000000" if wrong == "code" else code(secret, clock)
    if wrong == "code" and given == code(secret, clock):
        given = "000001"
    with pytest.raises(LoginFailed) as caught:
        service.sign_in(session, user_id, password, given, clock)
    assert caught.value.message == service.FAILED


def test_five_failures_lock_the_account_for_fifteen_minutes(
    session: Session, person: tuple[User, str]
) -> None:
    user, secret = person
    clock = Clock()
    for _ in range(service.MAX_FAILURES):
        with pytest.raises(LoginFailed):
            service.sign_in(session, user.id, "wrong password!!", code(secret, clock), clock)
        session.commit()
    with pytest.raises(AccountLocked) as locked:
        service.sign_in(session, user.id, PASSWORD, code(secret, clock), clock)
    assert 14 * 60 < locked.value.retry_after <= 15 * 60
    assert "locked for 15 more minutes;" in locked.value.message
    clock.now += timedelta(minutes=14, seconds=30)
    with pytest.raises(AccountLocked) as last:
        service.sign_in(session, user.id, PASSWORD, code(secret, clock), clock)
    assert "locked for 1 more minute;" in last.value.message
    clock.now += timedelta(seconds=31)
    assert service.sign_in(session, user.id, PASSWORD, code(secret, clock), clock).id == user.id


def test_success_resets_the_failure_count(session: Session, person: tuple[User, str]) -> None:
    user, secret = person
    clock = Clock()
    for _ in range(service.MAX_FAILURES - 1):
        with pytest.raises(LoginFailed):
            service.sign_in(session, user.id, "wrong password!!", code(secret, clock), clock)
    service.sign_in(session, user.id, PASSWORD, code(secret, clock), clock)
    clock.now += timedelta(seconds=30)
    with pytest.raises(LoginFailed):
        service.sign_in(session, user.id, "wrong password!!", code(secret, clock), clock)
    clock.now += timedelta(seconds=30)
    assert service.sign_in(session, user.id, PASSWORD, code(secret, clock), clock)


def test_a_code_cannot_be_replayed(session: Session, person: tuple[User, str]) -> None:
    user, secret = person
    clock = Clock()
    used = code(secret, clock)
    service.sign_in(session, user.id, PASSWORD, used, clock)
    with pytest.raises(LoginFailed):
        service.sign_in(session, user.id, PASSWORD, used, clock)


def test_a_new_password_clears_a_lock_out(session: Session, person: tuple[User, str]) -> None:
    user, secret = person
    clock = Clock()
    for _ in range(service.MAX_FAILURES):
        with pytest.raises(LoginFailed):
            service.sign_in(session, user.id, "wrong password!!", code(secret, clock), clock)
    service.set_password(session, user, "another long password", FAST)
    assert service.sign_in(session, user.id, "another long password", code(secret, clock), clock)


def test_without_a_code_key_nobody_signs_in(
    session: Session, make_user: Callable[..., User]
) -> None:
    user = session.merge(make_user(Role.SUPERVISOR))
    service.set_password(session, user, PASSWORD, FAST)
    assert not service.can_sign_in(session, user.id)
    with pytest.raises(LoginFailed):
        service.sign_in(session, user.id, PASSWORD, "123456")


def test_a_disabled_person_cannot_sign_in_or_get_credentials(
    session: Session, person: tuple[User, str]
) -> None:
    user, secret = person
    user.disabled_at = utcnow()
    session.flush()
    clock = Clock()
    with pytest.raises(LoginFailed):
        service.sign_in(session, user.id, PASSWORD, code(secret, clock), clock)
    with pytest.raises(Conflict):
        service.set_password(session, user, PASSWORD, FAST)
    with pytest.raises(Conflict):
        service.enroll_totp(session, user)
