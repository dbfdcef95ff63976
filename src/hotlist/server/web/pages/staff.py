"""What the staff pages share: the signed-in person's name in the layout, the permissions the
templates test to show a link or a form, paging, and form errors that stay on the page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from hotlist.errors import HotlistError
from hotlist.server.accounts.models import User
from hotlist.server.db.base import MAX_ID
from hotlist.server.kit.permissions import PLAINTEXT_PERMISSIONS, Permission, Role
from hotlist.server.kit.principal import Principal
from hotlist.server.observers.service import plaintext_granted
from hotlist.server.problems import status_for
from hotlist.server.web.rendering import render

PAGE_SIZE = 50
After = Annotated[int, Query(ge=0, le=MAX_ID)]
"""The id a page of a queue continues after (0: the start)."""


def choice(value: str, allowed: Iterable[str]) -> str | None:
    """``value`` when it is one of a filter's ``allowed`` choices, else None: an odd value in the
    query string shows the list unfiltered rather than an error."""
    return value if value in allowed else None


def staff_page(
    request: Request,
    session: Session,
    template: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """``render`` for a staff page: adds ``P`` (the permissions), ``me`` (the signed-in user)
    and ``can(permission)`` for the caller."""
    principal: Principal = request.state.principal
    me = session.get(User, principal.user_id) if principal.user_id is not None else None
    return render(
        request,
        template,
        status_code=status_code,
        P=Permission,
        me=me,
        can=Abilities(session, principal),
        **context,
    )


class Abilities:
    """``can(permission)`` for the templates: the role's permissions, and the plaintext ones an
    observer organisation holds by an admin's grant (looked up once, on first need)."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self._session = session
        self._principal = principal
        self._granted: bool | None = None

    def __call__(self, permission: Permission) -> bool:
        if self._principal.can(permission):
            return True
        if permission not in PLAINTEXT_PERMISSIONS or self._principal.role is not Role.OBSERVER:
            return False
        if self._granted is None:
            self._granted = plaintext_granted(self._session, self._principal.org_id)
        return self._granted


def error_status(exc: HotlistError) -> int:
    """The status a page answers with when a form's action was refused."""
    return status_for(exc)


def names_of(session: Session, user_ids: set[int | None]) -> dict[int, str]:
    """User id -> display name, for showing who decided."""
    wanted = {uid for uid in user_ids if uid is not None}
    found: dict[int, str] = {}
    for uid in wanted:
        user = session.get(User, uid)
        if user is not None:
            found[uid] = f"{user.name} (#{user.id})"
    return found


def next_after(rows: list[Any] | tuple[Any, ...], limit: int = PAGE_SIZE) -> int | None:
    """The id to continue after when a page came back full (rows have ``id``)."""
    return int(rows[-1].id) if len(rows) >= limit else None
