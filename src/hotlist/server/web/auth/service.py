"""Setting a person's password and TOTP key, and signing in with both.

A sign-in needs the person's login name (made by the server, not guessable:
:mod:`hotlist.server.web.auth.names`), the password and a current TOTP code. Wrong passwords
never lock an account: anyone can send them, and a lock-out would let anyone keep its owner out.
What an account counts are wrong codes given with the right password, which only someone holding
the password can cause: after :data:`FREE_CODE_FAILURES` of them in a row each attempt waits,
doubling from :data:`CODE_WAIT_BASE_S` up to :data:`CODE_WAIT_CAP_S`, and the wait is shown only
to an attempt with the right password (a guesser learns nothing from it). Guessing is slowed per
client address by the sign-in page (:class:`~hotlist.server.web.auth.throttle.FailureThrottle`).
A burst of failures on one account, and the first run of wrong codes, are logged at error level
for the admins. The message of a failure never says which part was wrong.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotlist.errors import AccountLocked, Conflict, LoginFailed
from hotlist.server.accounts.models import User
from hotlist.server.db.base import utcnow
from hotlist.server.web.auth import totp
from hotlist.server.web.auth.models import UserLogin
from hotlist.server.web.auth.names import new_login_name, normalise
from hotlist.server.web.auth.passwords import PASSWORD_HASHER, hash_password, verify_password
from hotlist.server.web.auth.throttle import BurstAlarm, growing_delay

logger = logging.getLogger(__name__)

FREE_CODE_FAILURES = 3
CODE_WAIT_BASE_S = 30
CODE_WAIT_CAP_S = 15 * 60
BURST_FAILURES = 20
BURST_WINDOW_S = 15 * 60
"""A burst: this many failed sign-ins on one account within this many seconds."""
FAILED = "the login name, password or code is wrong; check them and try again"


@dataclass(frozen=True)
class Enrollment:
    """A new TOTP key for a person: shown once, to be put into their authenticator app."""

    secret: str
    uri: str


def _login_row(session: Session, user: User) -> UserLogin:
    """The person's sign-in row, made (with a new login name) on first use."""
    row = session.get(UserLogin, user.id)
    if row is None:
        row = UserLogin(user_id=user.id, login_name=new_login_name(user.name), failed_count=0)
        session.add(row)
    return row


def login_name(session: Session, user_id: int) -> str | None:
    """The login name of the person, once a password or TOTP key was set."""
    row = session.get(UserLogin, user_id)
    return None if row is None else row.login_name


def set_password(
    session: Session, user: User, password: str, hasher: PasswordHasher = PASSWORD_HASHER
) -> str:
    """Give ``user`` a new password (replacing any) and clear a wait after wrong codes; returns
    the login name they sign in with."""
    if user.disabled_at is not None:
        raise Conflict(f"user {user.id} is disabled; enable them before setting a password")
    row = _login_row(session, user)
    row.password_hash = hash_password(password, hasher)
    row.password_set_at = utcnow()
    row.failed_count = 0
    row.locked_until = None
    session.flush()
    return row.login_name


def enroll_totp(session: Session, user: User, issuer: str = totp.ISSUER) -> Enrollment:
    """A new TOTP key for ``user`` (replacing any): the secret and ``otpauth://`` URI, once."""
    if user.disabled_at is not None:
        raise Conflict(f"user {user.id} is disabled; enable them before enrolling a code")
    row = _login_row(session, user)
    secret = totp.new_secret()
    row.totp_secret = secret
    row.totp_enrolled_at = utcnow()
    row.totp_last_step = None
    session.flush()
    return Enrollment(
        secret, totp.provisioning_uri(secret, f"{row.login_name} ({user.name})", issuer)
    )


def can_sign_in(session: Session, user_id: int) -> bool:
    """Whether the person has both a password and a TOTP key."""
    row = session.get(UserLogin, user_id)
    return row is not None and row.password_hash is not None and row.totp_secret is not None


def _locked_for(row: UserLogin, now: datetime) -> int:
    if row.locked_until is None or row.locked_until <= now:
        return 0
    return max(1, math.ceil((row.locked_until - now).total_seconds()))


def new_alarm() -> BurstAlarm:
    """The alarm for bursts of failed sign-ins on one account (one per process)."""
    return BurstAlarm(threshold=BURST_FAILURES, window_s=BURST_WINDOW_S)


def sign_in(
    session: Session,
    login: str,
    password: str,
    code: str,
    clock: Callable[[], datetime] = utcnow,
    alarm: BurstAlarm | None = None,
) -> User:
    """The person whose login name is ``login``, or :class:`LoginFailed` /
    :class:`AccountLocked`.

    :class:`AccountLocked` only to an attempt with the right password while the account waits
    after wrong codes. An unknown name costs the same password hash as a known one. The caller
    commits in every case: a failure's count must be kept.
    """
    now = clock()
    name = normalise(login)
    row = None
    if name is not None:
        query = select(UserLogin).where(UserLogin.login_name == name)
        row = session.scalar(query.with_for_update())
    user = session.get(User, row.user_id) if row is not None else None
    password_ok = verify_password(row.password_hash if row is not None else None, password)
    if user is None or row is None or user.disabled_at is not None or not password_ok:
        _alarm(alarm, user)
        raise LoginFailed(FAILED)
    # The password is right: whoever this is holds it.
    wait = _locked_for(row, now)
    if wait:
        raise AccountLocked(
            f"too many wrong codes: this account can sign in again in {wait} s. If you did not "
            "type them, someone else knows your password: tell an admin",
            retry_after=wait,
        )
    step = None
    if row.totp_secret is not None:
        step = totp.accepted_step(row.totp_secret, code, now.timestamp(), row.totp_last_step)
    if step is None:
        _count_code_failure(row, now)
        session.flush()
        _alarm(alarm, user)
        raise LoginFailed(FAILED)
    row.failed_count = 0
    row.locked_until = None
    row.totp_last_step = step
    row.last_login_at = now
    session.flush()
    return user


def _alarm(alarm: BurstAlarm | None, user: User | None) -> None:
    """Count the failure towards a burst on the account; log once when one is reached."""
    if alarm is None or user is None:
        return
    user_id = user.id
    count = alarm.failed(str(user_id))
    if count is not None:
        logger.error(
            "sign-in alarm: %d failed sign-ins on user %d in %d minutes: someone may be "
            "guessing its password (no account is locked; each address is slowed down)",
            count,
            user_id,
            alarm.window_s // 60,
        )


def _count_code_failure(row: UserLogin, now: datetime) -> None:
    """A wrong code with the right password: the next attempt waits, longer each time."""
    row.failed_count = (row.failed_count or 0) + 1
    delay = growing_delay(row.failed_count, FREE_CODE_FAILURES, CODE_WAIT_BASE_S, CODE_WAIT_CAP_S)
    row.locked_until = now + timedelta(seconds=delay) if delay else None
    if row.failed_count == FREE_CODE_FAILURES:
        logger.error(
            "sign-in alarm: %d wrong codes in a row with the right password on user %d: if it "
            "is not its owner, the password is known to someone else; sign-ins now wait",
            row.failed_count,
            row.user_id,
        )
