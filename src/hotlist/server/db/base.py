"""The declarative base every model derives from, and the time type every model uses.

The naming convention gives every constraint and index a predictable name, so Alembic
migrations read the same on SQLite and PostgreSQL and can drop what they created.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from hotlist.errors import Conflict

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MAX_ID = 2**31 - 1
"""The largest integer primary key on every database (PostgreSQL ``integer``): bound API ids."""


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database.

    PostgreSQL keeps ``timestamp with time zone``; SQLite has no zone, so the value is stored as
    naive UTC and given its zone back on load. A naive datetime is refused on the way in, since
    its zone would be a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} given; use a timezone-aware one")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {type(value).__name__}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base of every hotlist model; its metadata carries the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def refuse(
    model: type[Base], message: str, *, on: tuple[str, ...] = ("before_update", "before_delete")
) -> None:
    """Make the ORM refuse ``on`` (by default: changing or deleting a row) of ``model`` with a
    :class:`~hotlist.errors.Conflict` saying ``message``: how a model is made append-only."""

    def listener(_mapper: Any, _connection: Any, _target: Any) -> None:
        raise Conflict(message)

    for name in on:
        event.listen(model, name, listener)
