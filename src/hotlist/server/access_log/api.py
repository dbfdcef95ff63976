"""``GET /v1/access-log``: who saw which plaintext URL, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from hotlist.server.access_log import service
from hotlist.server.access_log.schemas import AccessLogOut
from hotlist.server.db.base import MAX_ID
from hotlist.server.kit.deps import DbSession, require
from hotlist.server.kit.pagination import Cursor, Limit, Page, decode_id_cursor, split_page
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal

router = APIRouter(prefix="/v1/access-log", tags=["audit"])


@router.get("", response_model=Page[AccessLogOut], summary="Read the access log")
def read_access_log(
    session: DbSession,
    _principal: Annotated[Principal, Depends(require(Permission.ACCESS_LOG_READ))],
    cursor: Cursor = None,
    limit: Limit = 50,
    user_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    subject_type: Annotated[str | None, Query(max_length=32)] = None,
    subject_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[AccessLogOut]:
    """Accesses to plaintext URLs, newest first; filter by user or subject."""
    before = decode_id_cursor(cursor) or None
    rows = service.list_access_log(
        session,
        before,
        limit + 1,
        user_id=user_id,
        subject_type=subject_type,
        subject_id=subject_id,
    )
    page, next_cursor = split_page(rows, limit, lambda row: (row.id,))
    return Page[AccessLogOut](
        items=[AccessLogOut.model_validate(row) for row in page], next_cursor=next_cursor
    )
