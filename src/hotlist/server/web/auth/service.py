"""Setting a person's password and TOTP key, and signing in with both.

A sign-in needs the user's id, the password and a current TOTP code. Each failure counts against
the account; at :data:`MAX_FAILURES` in a row it is locked for :data:`LOCK_MINUTES`, during which
even the right credentials are refused. The message of a failure never says which part was wrong.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from hotlist.errors import AccountLocked, Conflict, LoginFailed
from hotlist.server.accounts.models import User
from hotlist.server.db.base import utcnow
from hotlist.server.web.auth import totp
from hotlist.server.web.auth.models import UserLogin
from hotlist.server.web.auth.passwords import PASSWORD_HASHER, hash_password, verify_password
from hotlist.text import plural

MAX_FAILURES = 5
LOCK_MINUTES = 15
FAILED = "the user id, password or code is wrong; check them and try again"


@dataclass(frozen=True)
class Enrollment:
    """A new TOTP key for a person: shown once, to be put into their authenticator app."""

    secret: str
    uri: str


def _login_row(session: Session, user: User) -> UserLogin:
    row = session.get(UserLogin, user.id)
    if row is None:
        row = UserLogin(user_id=user.id, failed_count=0)
        session.add(row)
    return row


def set_password(
    session: Session, user: User, password: str, hasher: PasswordHasher = PASSWORD_HASHER
) -> None:
    """Give ``user`` a new password (replacing any) and clear a lock-out."""
    if user.disabled_at is not None:
        raise Conflict(f"user {user.id} is disabled; enable them before setting a password")
    row = _login_row(session, user)
    row.password_hash = hash_password(password, hasher)
    row.password_set_at = utcnow()
    row.failed_count = 0
    row.locked_until = None
    session.flush()


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
        secret, totp.provisioning_uri(secret, f"user {user.id} ({user.name})", issuer)
    )


def can_sign_in(session: Session, user_id: int) -> bool:
    """Whether the person has both a password and a TOTP key."""
    row = session.get(UserLogin, user_id)
    return row is not None and row.password_hash is not None and row.totp_secret is not None


def _locked_for(row: UserLogin, now: datetime) -> int:
    if row.locked_until is None or row.locked_until <= now:
        return 0
    return max(1, math.ceil((row.locked_until - now).total_seconds()))


def sign_in(
    session: Session,
    user_id: int,
    password: str,
    code: str,
    clock: Callable[[], datetime] = utcnow,
) -> User:
    """The person signing in, or :class:`LoginFailed` / :class:`AccountLocked`.

    The caller commits in both cases: a failure's count must be kept.
    """
    now = clock()
    user = session.get(User, user_id) if 0 < user_id < 2**31 else None
    row = session.get(UserLogin, user_id, with_for_update=True) if user is not None else None
    if row is not None:
        wait = _locked_for(row, now)
        if wait:
            raise AccountLocked(
                "too many failed sign-ins: this account is locked for "
                f"{plural(math.ceil(wait / 60), 'more minute', 'more minutes')}; wait, or ask an "
                "admin to set a new password",
                retry_after=wait,
            )
    password_ok = verify_password(row.password_hash if row is not None else None, password)
    step = None
    if row is not None and row.totp_secret is not None and password_ok:
        step = totp.accepted_step(row.totp_secret, code, now.timestamp(), row.totp_last_step)
    if user is None or row is None or user.disabled_at is not None or step is None:
        if row is not None:
            _count_failure(row, now)
            session.flush()
        raise LoginFailed(FAILED)
    row.failed_count = 0
    row.locked_until = None
    row.totp_last_step = step
    row.last_login_at = now
    session.flush()
    return user


def _count_failure(row: UserLogin, now: datetime) -> None:
    row.failed_count = (row.failed_count or 0) + 1
    if row.failed_count >= MAX_FAILURES:
        row.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        row.failed_count = 0
