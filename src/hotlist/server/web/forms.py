"""Public forms checked by the API's own schemas, their errors said in the visitor's language
and placed next to the field they are about."""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from hotlist.server.kit.types import NOT_STORABLE
from hotlist.server.web.deps import form_text

M = TypeVar("M", bound=BaseModel)
FieldErrors = dict[str, str]
"""Field name -> the message shown beside it."""


def values_of(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    """The named fields as stripped text ("" when absent)."""
    return {name: form_text(form, name) for name in names}


def validate(
    model: type[M],
    values: Mapping[str, str],
    t: gettext.NullTranslations,
    messages: Mapping[str, str] | None = None,
) -> tuple[M | None, FieldErrors]:
    """``model`` from the form ``values`` (empty optional fields left out), or the errors.

    ``messages`` gives a field's own message for a missing or malformed value; text too long
    or that cannot be stored (a NUL character) is said as such.
    """
    data: dict[str, Any] = {name: value for name, value in values.items() if value != ""}
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        errors: FieldErrors = {}
        for error in exc.errors():
            loc = error.get("loc", ())
            field = str(loc[0]) if loc else ""
            if field and field not in errors:
                errors[field] = _message(field, error, t, messages or {})
        return None, errors


def _message(
    field: str, error: Any, t: gettext.NullTranslations, messages: Mapping[str, str]
) -> str:
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    if kind in ("string_too_long", "too_long") and "max_length" in context:
        return t.gettext("This is too long: at most %(limit)s characters.") % {
            "limit": context["max_length"]
        }
    if kind == NOT_STORABLE:
        return t.gettext(
            "This text holds a character that cannot be stored (such as NUL); remove it and "
            "try again."
        )
    if field in messages:
        return messages[field]
    if kind == "missing" or kind == "string_too_short":
        return t.gettext("This field is required.")
    return t.gettext("This value cannot be used; check it and try again.")
