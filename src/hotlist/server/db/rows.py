"""Reading rows the same way in every feature: one by id (NotFound naming it when there is
none), and a page of rows after an id, oldest first, narrowed by the filters given."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from hotlist.errors import NotFound

T = TypeVar("T")


def get_or_missing(
    session: Session, model: type[T], row_id: int, missing: str, *, for_update: bool = False
) -> T:
    """The ``model`` row with id ``row_id``; NotFound saying ``missing`` when there is none.
    ``for_update`` locks the row (PostgreSQL) until the transaction ends."""
    row = session.get(model, row_id, with_for_update=for_update)
    if row is None:
        raise NotFound(missing)
    return row


def where_given(query: Select[T], *filters: tuple[InstrumentedAttribute[Any], object]) -> Select[T]:
    """``query`` narrowed to rows whose column equals the value, for each value not None."""
    for column, value in filters:
        if value is not None:
            query = query.where(column == value)
    return query


def page_after(
    session: Session,
    query: Select[T],
    id_column: InstrumentedAttribute[int],
    after_id: int,
    limit: int,
) -> Sequence[T]:
    """At most ``limit`` rows of ``query`` with an id above ``after_id``, in id order."""
    return session.scalars(query.where(id_column > after_id).order_by(id_column).limit(limit)).all()
