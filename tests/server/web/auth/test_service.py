"""Signing in: password and code together, no lock-out by strangers, growing waits after wrong
codes, alarms on bursts, no code reused."""

from __future__ import annotations

import logging
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
from hotlist.server.web.auth.names import normalise
from hotlist.server.web.auth.throttle import BurstAlarm

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


def login(session: Session, user: User) -> str:
    name = service.login_name(session, user.id)
    assert name is not None
    return name


def code(secret: str, clock: Clock, offset_s: int = 0) -> str:
    return totp.code_at(secret, clock().timestamp() + offset_s)


def test_right_password_and_code_sign_in(session: Session, person: tuple[User, str]) -> None:
    user, secret = person
    clock = Clock()
    assert service.can_sign_in(session, user.id)
    signed = service.sign_in(session, login(session, user), PASSWORD, code(secret, clock), clock)
    assert signed.id == user.id


@pytest.mark.parametrize("wrong", ["password", "code", "user"])
def test_any_wrong_part_fails_with_the_same_message(
    session: Session, person: tuple[User, str], wrong: str
) -> None:
    user, secret = person
    clock = Clock()
    name = "nobody.abcdefghjk" if wrong == "user" else login(session, user)
    password = PASSWORD + "x" if wrong == "password" else PASSWORD
    given = "000000" if wrong == "code" else code(secret, clock)
    if wrong == "code" and given == code(secret, clock):
        given = "000001"
    with pytest.raises(LoginFailed) as caught:
        service.sign_in(session, name, password, given, clock)
    assert caught.value.message == service.FAILED


def wrong_code(secret: str, clock: Clock) -> str:
    near = {code(secret, clock, offset) for offset in (-30, 0, 30)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


def test_wrong_passwords_never_lock_the_account(session: Session, person: tuple[User, str]) -> None:
    """Anyone can send wrong passwords for a user id: that must not keep its owner out."""
    user, secret = person
    clock = Clock()
    for _ in range(50):
        with pytest.raises(LoginFailed) as caught:
            service.sign_in(
                session, login(session, user), "wrong password!!", code(secret, clock), clock
            )
        assert caught.value.message == service.FAILED
        session.commit()
    assert (
        service.sign_in(session, login(session, user), PASSWORD, code(secret, clock), clock).id
        == user.id
    )


def test_wrong_codes_after_the_right_password_wait_longer_each_time(
    session: Session, person: tuple[User, str]
) -> None:
    """Only who holds the password can slow the account down, and then with growing waits."""
    user, secret = person
    clock = Clock()
    for _ in range(service.FREE_CODE_FAILURES):
        with pytest.raises(LoginFailed):
            service.sign_in(
                session, login(session, user), PASSWORD, wrong_code(secret, clock), clock
            )
        session.commit()
    with pytest.raises(AccountLocked) as first:
        service.sign_in(session, login(session, user), PASSWORD, code(secret, clock), clock)
    assert first.value.retry_after == service.CODE_WAIT_BASE_S
    clock.now += timedelta(seconds=service.CODE_WAIT_BASE_S + 1)
    with pytest.raises(LoginFailed):
        service.sign_in(session, login(session, user), PASSWORD, wrong_code(secret, clock), clock)
    with pytest.raises(AccountLocked) as second:
        service.sign_in(session, login(session, user), PASSWORD, code(secret, clock), clock)
    assert second.value.retry_after == 2 * service.CODE_WAIT_BASE_S
    clock.now += timedelta(seconds=2 * service.CODE_WAIT_BASE_S + 1)
    assert (
        service.sign_in(session, login(session, user), PASSWORD, code(secret, clock), clock).id
        == user.id
    )
    clock.now += timedelta(seconds=30)
    with pytest.raises(LoginFailed):  # the success cleared the count: no wait after one more
        service.sign_in(session, login(session, user), PASSWORD, wrong_code(secret, clock), clock)
    clock.now += timedelta(seconds=30)
    assert service.sign_in(session, login(session, user), PASSWORD, code(secret, clock), clock)


def test_the_wait_shows_only_to_who_holds_the_password(
    session: Session, person: tuple[User, str]
) -> None:
    user, secret = person
    clock = Clock()
    for _ in range(service.FREE_CODE_FAILURES):
        with pytest.raises(LoginFailed):
            service.sign_in(
                session, login(session, user), PASSWORD, wrong_code(secret, clock), clock
            )
    with pytest.raises(LoginFailed) as caught:  # a guesser learns nothing, not even the wait
        service.sign_in(
            session, login(session, user), "wrong password!!", code(secret, clock), clock
        )
    assert caught.value.message == service.FAILED


def test_bursts_raise_an_alarm_for_the_admins(
    session: Session, person: tuple[User, str], caplog: pytest.LogCaptureFixture
) -> None:
    user, secret = person
    clock = Clock()
    alarm = BurstAlarm(threshold=10, window_s=900, clock=lambda: clock().timestamp())
    with caplog.at_level(logging.ERROR, logger="hotlist.server"):
        for _ in range(25):
            with pytest.raises(LoginFailed):
                service.sign_in(
                    session, login(session, user), "wrong password!!", "123456", clock, alarm
                )
        for _ in range(service.FREE_CODE_FAILURES):
            with pytest.raises(LoginFailed):
                service.sign_in(
                    session, login(session, user), PASSWORD, wrong_code(secret, clock), clock
                )
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(messages) == 2, messages  # one per burst, not one per failure
    assert f"user {user.id}" in messages[0]
    assert "guessing" in messages[0]
    assert "right password" in messages[1]


def test_success_resets_the_failure_count(session: Session, person: tuple[User, str]) -> None:
    user, secret = person
    clock = Clock()
    for _ in range(service.FREE_CODE_FAILURES - 1):
        with pytest.raises(LoginFailed):
            service.sign_in(
                session, login(session, user), PASSWORD, wrong_code(secret, clock), clock
            )
    service.sign_in(session, login(session, user), PASSWORD, code(secret, clock), clock)
    clock.now += timedelta(seconds=30)
    with pytest.raises(LoginFailed):
        service.sign_in(session, login(session, user), PASSWORD, wrong_code(secret, clock), clock)
    clock.now += timedelta(seconds=30)
    assert service.sign_in(session, login(session, user), PASSWORD, code(secret, clock), clock)


def test_a_code_cannot_be_replayed(session: Session, person: tuple[User, str]) -> None:
    user, secret = person
    clock = Clock()
    used = code(secret, clock)
    service.sign_in(session, login(session, user), PASSWORD, used, clock)
    with pytest.raises(LoginFailed):
        service.sign_in(session, login(session, user), PASSWORD, used, clock)


def test_a_new_password_clears_the_wait(session: Session, person: tuple[User, str]) -> None:
    user, secret = person
    clock = Clock()
    for _ in range(service.FREE_CODE_FAILURES):
        with pytest.raises(LoginFailed):
            service.sign_in(
                session, login(session, user), PASSWORD, wrong_code(secret, clock), clock
            )
    service.set_password(session, user, "another long password", FAST)
    assert service.sign_in(
        session, login(session, user), "another long password", code(secret, clock), clock
    )


def test_without_a_code_key_nobody_signs_in(
    session: Session, make_user: Callable[..., User]
) -> None:
    user = session.merge(make_user(Role.SUPERVISOR))
    service.set_password(session, user, PASSWORD, FAST)
    assert not service.can_sign_in(session, user.id)
    with pytest.raises(LoginFailed):
        service.sign_in(session, login(session, user), PASSWORD, "123456")


def test_a_disabled_person_cannot_sign_in_or_get_credentials(
    session: Session, person: tuple[User, str]
) -> None:
    user, secret = person
    user.disabled_at = utcnow()
    session.flush()
    clock = Clock()
    with pytest.raises(LoginFailed):
        service.sign_in(session, login(session, user), PASSWORD, code(secret, clock), clock)
    with pytest.raises(Conflict):
        service.set_password(session, user, PASSWORD, FAST)
    with pytest.raises(Conflict):
        service.enroll_totp(session, user)


def test_login_names_are_made_by_the_server_and_not_guessable(
    session: Session, make_user: Callable[..., User]
) -> None:
    names = set()
    for _ in range(20):
        user = session.merge(make_user(Role.ANALYST, name="Zoë Ångström-Ödegaard"))
        names.add(service.set_password(session, user, PASSWORD, FAST))
        session.commit()
    assert len(names) == 20
    for name in names:
        prefix, _, random_part = name.partition(".")
        assert prefix == "zoe-angstrom"
        assert len(random_part) == 10
        assert normalise(name.upper()) == name


def test_the_numeric_user_id_no_longer_signs_in(session: Session, person: tuple[User, str]) -> None:
    user, secret = person
    clock = Clock()
    with pytest.raises(LoginFailed):
        service.sign_in(session, str(user.id), PASSWORD, code(secret, clock), clock)
    signed = service.sign_in(
        session, f"  {login(session, user).upper()} ", PASSWORD, code(secret, clock), clock
    )
    assert signed.id == user.id
