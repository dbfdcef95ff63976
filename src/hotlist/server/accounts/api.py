"""``/v1/orgs``, ``/v1/users``, ``/v1/keys``: managing who may use the server."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from hotlist.server.accounts import service
from hotlist.server.accounts.schemas import (
    IssuedKey,
    KeyIn,
    KeyOut,
    OrgIn,
    OrgOut,
    StatusChangeIn,
    StatusChangeOut,
    UserIn,
    UserOut,
    UserStatusOut,
)
from hotlist.server.db.base import MAX_ID
from hotlist.server.kit.deps import DbSession, ServicesDep, require
from hotlist.server.kit.pagination import Cursor, Limit, Page, decode_id_cursor, split_page
from hotlist.server.kit.permissions import Permission, Role
from hotlist.server.kit.principal import Principal

router = APIRouter(prefix="/v1", tags=["accounts"])

OrgsManager = Annotated[Principal, Depends(require(Permission.ORGS_MANAGE))]
KeysManager = Annotated[Principal, Depends(require(Permission.KEYS_MANAGE))]
OrgFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]
UserId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/orgs", response_model=Page[OrgOut], summary="List organisations")
def list_orgs(
    session: DbSession, _p: OrgsManager, cursor: Cursor = None, limit: Limit = 50
) -> Page[OrgOut]:
    """Organisations by id."""
    rows = service.list_orgs(session, decode_id_cursor(cursor), limit + 1)
    page, next_cursor = split_page(rows, limit, lambda row: (row.id,))
    return Page[OrgOut](items=[OrgOut.model_validate(r) for r in page], next_cursor=next_cursor)


@router.post("/orgs", response_model=OrgOut, status_code=201, summary="Create an organisation")
def create_org(body: OrgIn, session: DbSession, _p: OrgsManager) -> OrgOut:
    """A new organisation; names are unique."""
    return OrgOut.model_validate(service.create_org(session, body.name, body.kind))


@router.get("/users", response_model=Page[UserOut], summary="List people")
def list_users(
    session: DbSession,
    _p: OrgsManager,
    org_id: OrgFilter = None,
    role: Role | None = None,
    disabled: bool | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[UserOut]:
    """People by id, optionally of one organisation, of one role, disabled or not."""
    rows = service.list_users(
        session, org_id, decode_id_cursor(cursor), limit + 1, role=role, disabled=disabled
    )
    page, next_cursor = split_page(rows, limit, lambda row: (row.id,))
    return Page[UserOut](items=[UserOut.model_validate(r) for r in page], next_cursor=next_cursor)


@router.post("/users", response_model=UserOut, status_code=201, summary="Add a person")
def create_user(body: UserIn, session: DbSession, _p: OrgsManager) -> UserOut:
    """A new person; the role must fit the organisation's kind."""
    org = service.get_org(session, body.org_id)
    return UserOut.model_validate(service.create_user(session, org, body.name, body.role))


def _status_out(session: DbSession, user_id: int, revoked: list[int]) -> UserStatusOut:
    user = service.get_user(session, user_id)
    change = service.status_changes(session, user_id)[-1]
    return UserStatusOut(
        user=UserOut.model_validate(user),
        change=StatusChangeOut.model_validate(change),
        revoked_key_ids=revoked,
    )


@router.post("/users/{user_id}/disable", response_model=UserStatusOut, summary="Disable a person")
def disable_user(
    user_id: UserId,
    body: StatusChangeIn,
    services: ServicesDep,
    session: DbSession,
    principal: OrgsManager,
) -> UserStatusOut:
    """Disable a person: their web sessions end, their API keys are revoked, their history
    stays; the change is recorded with its reason."""
    _user, revoked = service.disable_user(session, user_id, body.reason, principal.user_id)
    for key_id in revoked:
        services.key_cache.drop_key_id(key_id)
    return _status_out(session, user_id, revoked)


@router.post("/users/{user_id}/enable", response_model=UserStatusOut, summary="Enable a person")
def enable_user(
    user_id: UserId, body: StatusChangeIn, session: DbSession, principal: OrgsManager
) -> UserStatusOut:
    """Enable a disabled person again; keys revoked on disabling stay revoked."""
    service.enable_user(session, user_id, body.reason, principal.user_id)
    return _status_out(session, user_id, [])


@router.get(
    "/users/{user_id}/status-changes",
    response_model=list[StatusChangeOut],
    summary="A person's disablings and enablings",
)
def list_status_changes(
    user_id: UserId, session: DbSession, _p: OrgsManager
) -> list[StatusChangeOut]:
    """Every disabling and enabling of the person, oldest first."""
    service.get_user(session, user_id)
    return [StatusChangeOut.model_validate(c) for c in service.status_changes(session, user_id)]


@router.get("/keys", response_model=Page[KeyOut], summary="List API keys (never the keys)")
def list_keys(
    session: DbSession,
    _p: KeysManager,
    org_id: OrgFilter = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[KeyOut]:
    """Key records by id, optionally of one organisation."""
    rows = service.list_keys(session, org_id, decode_id_cursor(cursor), limit + 1)
    page, next_cursor = split_page(rows, limit, lambda row: (row.id,))
    return Page[KeyOut](items=[KeyOut.model_validate(r) for r in page], next_cursor=next_cursor)


@router.post("/keys", response_model=IssuedKey, status_code=201, summary="Issue an API key")
def issue_key(body: KeyIn, session: DbSession, _p: KeysManager) -> IssuedKey:
    """A new key for a person or a machine; the response is the only time the key is shown."""
    user = service.get_user(session, body.user_id) if body.user_id is not None else None
    org = service.get_org(session, body.org_id) if body.org_id is not None else None
    row, secret = service.issue_key(session, user=user, org=org, role=body.role, label=body.label)
    return IssuedKey(**KeyOut.model_validate(row).model_dump(), key=secret)


@router.delete("/keys/{key_id}", response_model=KeyOut, summary="Revoke an API key")
def revoke_key(
    key_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    services: ServicesDep,
    session: DbSession,
    _p: KeysManager,
) -> KeyOut:
    """Revoke a key at once (this process) or within the key cache period (other workers)."""
    row = service.revoke_key(session, key_id)
    services.key_cache.drop_key_id(row.id)
    return KeyOut.model_validate(row)
