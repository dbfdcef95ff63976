"""The constrained types the API's schemas share, each defined once.

A reason is 1 to 4,000 characters; a contact 1 to 320; every free text must be something all our
databases store as given (no NUL, no lone surrogate: :func:`storable`). A schema field says
``reason: Reason`` and gets all of it, with the same error everywhere.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from hotlist.publish.wire import ENTRY_ID_PATTERN

MAX_TEXT_CHARS = 4_000
"""The longest reason, comment or statement of facts a person writes."""
MAX_CONTACT_CHARS = 320
"""The longest contact detail (an e-mail address is at most 254 characters; room for a name)."""
CATEGORY_CODE = r"^[a-z][a-z0-9_-]{0,31}$"
"""A policy category code (``csam``, ``terrorist-content``)."""
RECEIPT = r"^[A-Za-z0-9_-]{1,32}$"
"""A receipt (a report's or an appeal's): URL-safe base64, as the server makes them."""
NOT_STORABLE = "text_not_storable"
"""The error type of :func:`storable`, so a form can say what is wrong beside the field."""


def storable(value: str) -> str:
    """``value`` when every database can store it: valid UTF-8 and no NUL character."""
    if "\x00" in value:
        raise PydanticCustomError(NOT_STORABLE, "must not contain the NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError(
            NOT_STORABLE, "must be valid Unicode text (no lone surrogates)"
        ) from None
    return value


Storable = Annotated[str, AfterValidator(storable)]
"""Text any of our databases stores as given."""

Reason = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARS), AfterValidator(storable)]
"""Why a person decided or asked something: 1 to 4,000 storable characters."""

Comment = Annotated[str, Field(max_length=MAX_TEXT_CHARS), AfterValidator(storable)]
"""Free text that may be empty: at most 4,000 storable characters."""

Contact = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_CONTACT_CHARS,
        description="Optional; stored encrypted, purged after 90 days.",
    ),
    AfterValidator(storable),
]
"""How to reach a reporter or appellant, if they want to be: stored encrypted, purged later."""

CategoryCode = Annotated[str, Field(pattern=CATEGORY_CODE, description="A policy category code.")]

EntryRef = Annotated[
    str, Field(pattern=ENTRY_ID_PATTERN, description="The entry's public id: 16 hex digits.")
]
"""An entry's public id as the API takes it: the wire's form (:data:`ENTRY_ID_PATTERN`)."""
