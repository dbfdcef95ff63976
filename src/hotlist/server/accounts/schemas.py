"""Organisations, people and keys as the API takes and shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from hotlist.server.accounts.models import OrgKind
from hotlist.server.db.base import MAX_ID
from hotlist.server.kit.permissions import Role


class OrgIn(BaseModel):
    """A new organisation."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    kind: OrgKind


class OrgOut(BaseModel):
    """An organisation."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: OrgKind
    created_at: datetime


class UserIn(BaseModel):
    """A new person in an organisation."""

    model_config = ConfigDict(extra="forbid")

    org_id: int = Field(ge=1, le=MAX_ID)
    name: str = Field(min_length=1, max_length=200)
    role: Role


class UserOut(BaseModel):
    """A person."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    org_id: int
    name: str
    role: Role
    created_at: datetime
    disabled_at: datetime | None


class KeyIn(BaseModel):
    """A new key: for a person (``user_id``) or a machine (``org_id`` and ``role``)."""

    model_config = ConfigDict(extra="forbid")

    user_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    org_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    role: Role | None = None
    label: str = Field(default="", max_length=200)


class KeyOut(BaseModel):
    """A key's record; the key itself is never shown again."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    lookup_prefix: str
    org_id: int
    user_id: int | None
    role: Role
    label: str
    created_at: datetime
    revoked_at: datetime | None


class IssuedKey(KeyOut):
    """A key just issued: ``key`` is shown this once; store it now."""

    key: str


class StatusChangeIn(BaseModel):
    """Why a person is disabled or enabled (required; kept with the change)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=1000)


class StatusChangeOut(BaseModel):
    """One disabling or enabling of a person: who, when, why."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    action: str
    reason: str
    by_user_id: int | None
    at: datetime
    revoked_keys: int


class UserStatusOut(BaseModel):
    """A person just disabled or enabled, with the record of it."""

    user: UserOut
    change: StatusChangeOut
    revoked_key_ids: list[int]
