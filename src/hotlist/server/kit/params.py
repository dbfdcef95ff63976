"""The path parameters routes share: row ids, entry ids and receipts, each checked the same way
everywhere (a malformed one is a 422 before any lookup)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import BeforeValidator

from hotlist.publish.wire import ENTRY_ID_PATTERN
from hotlist.server.db.base import MAX_ID
from hotlist.server.kit.types import RECEIPT

RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
"""A row's id (an appeal, an objection, a sample, a key): 1 to the largest id a database holds."""

EntryRefPath = Annotated[
    str, Path(pattern=ENTRY_ID_PATTERN, description="The entry's public id: 16 hex digits.")
]
"""An entry's public id in a path, as members and the block page show it."""


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


PageEntryRef = Annotated[
    str,
    BeforeValidator(_lower),
    Path(pattern=ENTRY_ID_PATTERN, description="The entry's public id: 16 hex digits."),
]
"""An entry's public id in a page's path, where a person may type it: either case is taken and
lowered to the wire's form before it is checked."""

ReceiptPath = Annotated[str, Path(pattern=RECEIPT)]
"""A report's or an appeal's receipt in a path."""
