"""Cursor pagination: opaque cursors and the generic :class:`Page` every list returns.

A cursor is the position after the last item of a page (for example its id), serialised as
JSON with a check value and base64url-encoded. The check catches a damaged or hand-edited
cursor with a clear 400; it is not a secret, and permissions never depend on it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from hotlist.errors import InvalidRequest

CursorValue = int | str

_CHECK_KEY = b"hotlist-cursor-v1"
_CHECK_SIZE = 8
MAX_CURSOR_LENGTH = 512

T = TypeVar("T")
R = TypeVar("R")


class Page(BaseModel, Generic[T]):
    """One page of a list; pass ``next_cursor`` as ``cursor`` to get the next (null: the end)."""

    items: list[T]
    next_cursor: str | None = Field(default=None, description="Opaque; null on the last page.")


Cursor = Annotated[
    str | None,
    Query(max_length=MAX_CURSOR_LENGTH, description="`next_cursor` of the previous page."),
]
Limit = Annotated[int, Query(ge=1, le=200, description="Items per page.")]


def _check(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, key=_CHECK_KEY, digest_size=_CHECK_SIZE).digest()


def encode_cursor(*values: CursorValue) -> str:
    """An opaque cursor holding ``values`` (ints and strings).

    Raises ValueError when the values make a cursor longer than :data:`MAX_CURSOR_LENGTH`:
    a position is a few ids or timestamps, never free text.
    """
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    cursor = base64.urlsafe_b64encode(_check(raw) + raw).decode().rstrip("=")
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise ValueError(f"a cursor of {len(cursor)} characters; keep positions short")
    return cursor


def _bad() -> InvalidRequest:
    return InvalidRequest(
        "the cursor is not one this server gave out; ask for the first page without a cursor"
    )


def decode_cursor(cursor: str, *types: type[int] | type[str]) -> tuple[CursorValue, ...]:
    """The values in ``cursor``, checked against ``types`` (one per value, in order)."""
    if len(cursor) > MAX_CURSOR_LENGTH or not cursor.isascii():
        raise _bad()
    try:
        blob = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError) as exc:
        raise _bad() from exc
    check, raw = blob[:_CHECK_SIZE], blob[_CHECK_SIZE:]
    if len(check) != _CHECK_SIZE or check != _check(raw):
        raise _bad()
    try:
        values = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad() from exc
    if not isinstance(values, list) or len(values) != len(types):
        raise _bad()
    for value, kind in zip(values, types, strict=True):
        if type(value) is not kind:
            raise _bad()
    return tuple(values)


def decode_id_cursor(cursor: str | None) -> int:
    """The id in a cursor made by ``encode_cursor(id)``; 0 (before the first) when absent."""
    if cursor is None:
        return 0
    (value,) = decode_cursor(cursor, int)
    if not isinstance(value, int) or not 0 <= value <= 2**31 - 1:
        raise _bad()
    return value


def split_page(
    rows: Sequence[R], limit: int, position: Callable[[R], tuple[CursorValue, ...]]
) -> tuple[Sequence[R], str | None]:
    """From ``rows`` fetched with ``limit + 1``: this page's rows and the next page's cursor.

    ``position`` gives the cursor values of a row (for example ``lambda r: (r.id,)``).
    """
    if len(rows) <= limit:
        return rows, None
    page = rows[:limit]
    return page, encode_cursor(*position(page[-1]))
