"""A person's sign-in credentials and failure counter (one row per user who may sign in)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hotlist.server.db.base import Base, UTCDateTime


class UserLogin(Base):
    """How ``user_id`` signs in to the pages.

    ``login_name`` is what the person types to sign in: their name's first letters and ten
    random characters (``ada.k7m2q9xd4h``), made by the server, so that nobody can list the
    accounts by counting user ids.
    ``password_hash`` is Argon2id; ``totp_secret`` the base32 TOTP key; ``totp_last_step`` the
    time step of the last accepted code (a code is never accepted twice). ``failed_count``
    counts wrong codes given with the right password since the last success (wrong passwords are
    not counted: anyone can send them); past a few, sign-ins wait until ``locked_until``, longer
    after each (see :mod:`hotlist.server.web.auth.service`).
    """

    __tablename__ = "user_logins"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    login_name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    password_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    totp_secret: Mapped[str | None] = mapped_column(String(64), default=None)
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    totp_last_step: Mapped[int | None] = mapped_column(default=None)
    failed_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
