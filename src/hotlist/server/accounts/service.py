"""Organisations, people and API keys: creating, listing, issuing, revoking, authenticating."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotlist.errors import Conflict, InvalidRequest, NotFound
from hotlist.server.accounts.keys import (
    DEFAULT_HASHER,
    generate_key,
    looks_like_key,
    lookup_prefix,
    verify_key,
)
from hotlist.server.accounts.models import ApiKey, Organisation, OrgKind, User, UserStatusChange
from hotlist.server.db.base import utcnow
from hotlist.server.db.rows import get_or_missing, page_after, where_given
from hotlist.server.kit.permissions import Role
from hotlist.server.kit.principal import Principal

ROLE_ORG_KINDS: Mapping[Role, frozenset[OrgKind]] = {
    Role.ANALYST: frozenset({OrgKind.HOTLINE}),
    Role.SUPERVISOR: frozenset({OrgKind.HOTLINE}),
    Role.ADMIN: frozenset({OrgKind.HOTLINE}),
    Role.MEMBER: frozenset({OrgKind.ISP, OrgKind.PLATFORM, OrgKind.SEARCH_ENGINE}),
    Role.OBSERVER: frozenset({OrgKind.OBSERVER}),
    Role.PARTNER: frozenset({OrgKind.PARTNER}),
}
"""Which kinds of organisation a role may belong to: a member's key never sits in the hotline."""

NAME_MAX = 200


def _clean_name(name: str, what: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidRequest(f"the {what} name is empty; give a name")
    if len(cleaned) > NAME_MAX:
        raise InvalidRequest(f"the {what} name is longer than {NAME_MAX} characters; shorten it")
    return cleaned


def parse_role(value: str) -> Role:
    """The :class:`Role` called ``value``, or a clear error listing the roles."""
    try:
        return Role(value)
    except ValueError:
        names = ", ".join(role.value for role in Role)
        raise InvalidRequest(f"unknown role {value!r}; choose one of: {names}") from None


def parse_org_kind(value: str) -> OrgKind:
    """The :class:`OrgKind` called ``value``, or a clear error listing the kinds."""
    try:
        return OrgKind(value)
    except ValueError:
        names = ", ".join(kind.value for kind in OrgKind)
        raise InvalidRequest(
            f"unknown organisation kind {value!r}; choose one of: {names}"
        ) from None


def _check_role_fits(role: Role, org: Organisation) -> None:
    allowed = ROLE_ORG_KINDS[role]
    if OrgKind(org.kind) not in allowed:
        kinds = ", ".join(sorted(kind.value for kind in allowed))
        raise InvalidRequest(
            f"role {role.value!r} cannot belong to {org.name!r} "
            f"({OrgKind(org.kind).with_article}); "
            f"it belongs to an organisation of kind: {kinds}"
        )


def create_org(session: Session, name: str, kind: OrgKind | str) -> Organisation:
    """A new organisation; its name must be unique."""
    name = _clean_name(name, "organisation")
    kind = parse_org_kind(kind) if isinstance(kind, str) else kind
    if session.scalar(select(Organisation.id).where(Organisation.name == name)) is not None:
        raise Conflict(f"an organisation called {name!r} exists already")
    org = Organisation(name=name, kind=kind.value, created_at=utcnow())
    session.add(org)
    session.flush()
    return org


def get_org(session: Session, ref: int | str) -> Organisation:
    """The organisation with id ``ref`` (an int, or a string of digits) or name ``ref``."""
    if isinstance(ref, int) or ref.isdigit():
        org = session.get(Organisation, int(ref))
    else:
        org = session.scalar(select(Organisation).where(Organisation.name == ref))
    if org is None:
        raise NotFound(f"no organisation {ref!r}; list them with `hotlist admin list-orgs`")
    return org


def list_orgs(session: Session, after_id: int = 0, limit: int = 50) -> Sequence[Organisation]:
    """Organisations by id, after ``after_id``."""
    return page_after(session, select(Organisation), Organisation.id, after_id, limit)


def create_user(session: Session, org: Organisation, name: str, role: Role | str) -> User:
    """A new person in ``org`` with ``role`` (which must fit the organisation's kind)."""
    role = parse_role(role) if isinstance(role, str) else role
    _check_role_fits(role, org)
    user = User(org_id=org.id, name=_clean_name(name, "user"), role=role.value, created_at=utcnow())
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, user_id: int) -> User:
    """The person with id ``user_id``."""
    return get_or_missing(session, User, user_id, f"no user with id {user_id}")


def find_user(session: Session, ref: int | str) -> User:
    """The person with id ``ref`` (an int, or a string of digits) or the one person named
    ``ref``; a name several people share is refused with their ids."""
    if isinstance(ref, int) or ref.isdigit():
        return get_user(session, int(ref))
    named = session.scalars(select(User).where(User.name == " ".join(ref.split()))).all()
    if not named:
        raise NotFound(f"no user called {ref!r}; give a user's id or their name as created")
    if len(named) > 1:
        ids = ", ".join(str(user.id) for user in named)
        raise InvalidRequest(f"{len(named)} users are called {ref!r} (ids {ids}); give the id")
    return named[0]


def list_users(
    session: Session,
    org_id: int | None = None,
    after_id: int = 0,
    limit: int = 50,
    *,
    role: Role | str | None = None,
    disabled: bool | None = None,
) -> Sequence[User]:
    """People by id, after ``after_id``, optionally of one organisation, of one role, and only
    the disabled (``disabled=True``) or only the enabled (``False``)."""
    role_value = (parse_role(role) if isinstance(role, str) else role).value if role else None
    query = where_given(select(User), (User.org_id, org_id), (User.role, role_value))
    if disabled is True:
        query = query.where(User.disabled_at.is_not(None))
    elif disabled is False:
        query = query.where(User.disabled_at.is_(None))
    return page_after(session, query, User.id, after_id, limit)


REASON_MAX = 1000
DISABLED, ENABLED = "disabled", "enabled"


def _clean_reason(reason: str) -> str:
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise InvalidRequest("give a reason: it is kept with the change")
    if len(cleaned) > REASON_MAX:
        raise InvalidRequest(f"the reason is longer than {REASON_MAX} characters; shorten it")
    return cleaned


def disable_user(
    session: Session, user_id: int, reason: str, by_user_id: int | None = None
) -> tuple[User, list[int]]:
    """Disable a person: their web sessions end at their next request, every API key of theirs
    not yet revoked is revoked, and the change is recorded. Their history stays. Returns the
    person and the ids of the keys revoked (for the key cache)."""
    reason = _clean_reason(reason)
    user = get_user(session, user_id)
    if user.disabled_at is not None:
        raise Conflict(f"user {user.id} ({user.name}) is disabled already")
    if by_user_id is not None and by_user_id == user.id:
        raise Conflict("you cannot disable yourself; ask another admin")
    now = utcnow()
    keys = session.scalars(
        select(ApiKey).where(ApiKey.user_id == user.id, ApiKey.revoked_at.is_(None))
    ).all()
    for key in keys:
        key.revoked_at = now
    user.disabled_at = now
    session.add(
        UserStatusChange(
            user_id=user.id,
            action=DISABLED,
            reason=reason,
            by_user_id=by_user_id,
            at=now,
            revoked_keys=len(keys),
        )
    )
    session.flush()
    return user, [key.id for key in keys]


def enable_user(session: Session, user_id: int, reason: str, by_user_id: int | None = None) -> User:
    """Enable a disabled person again (their revoked keys stay revoked: issue new ones)."""
    reason = _clean_reason(reason)
    user = get_user(session, user_id)
    if user.disabled_at is None:
        raise Conflict(f"user {user.id} ({user.name}) is not disabled")
    now = utcnow()
    user.disabled_at = None
    session.add(
        UserStatusChange(
            user_id=user.id, action=ENABLED, reason=reason, by_user_id=by_user_id, at=now
        )
    )
    session.flush()
    return user


def status_changes(session: Session, user_id: int) -> Sequence[UserStatusChange]:
    """Every disabling and enabling of ``user_id``, oldest first."""
    return session.scalars(
        select(UserStatusChange)
        .where(UserStatusChange.user_id == user_id)
        .order_by(UserStatusChange.id)
    ).all()


def issue_key(
    session: Session,
    *,
    user: User | None = None,
    org: Organisation | None = None,
    role: Role | str | None = None,
    label: str = "",
    hasher: PasswordHasher = DEFAULT_HASHER,
) -> tuple[ApiKey, str]:
    """A new key for a person (``user``) or a machine (``org`` and ``role``).

    Returns the stored row and the key itself, which is shown once and never kept.
    """
    if len(label) > NAME_MAX:
        raise InvalidRequest(f"the key label is longer than {NAME_MAX} characters; shorten it")
    if user is not None:
        if org is not None and org.id != user.org_id:
            raise InvalidRequest("the user does not belong to that organisation")
        if role is not None and Role(role) != Role(user.role):
            raise InvalidRequest("a person's key acts with the person's role; give no role")
        if user.disabled_at is not None:
            raise Conflict(f"user {user.id} is disabled; enable them before issuing a key")
        org_id, key_role = user.org_id, Role(user.role)
    else:
        if org is None or role is None:
            raise InvalidRequest("a machine key needs an organisation and a role")
        key_role = parse_role(role) if isinstance(role, str) else role
        _check_role_fits(key_role, org)
        org_id = org.id
    new = generate_key(hasher)
    key = ApiKey(
        lookup_prefix=new.lookup_prefix,
        key_hash=new.key_hash,
        org_id=org_id,
        user_id=user.id if user is not None else None,
        role=key_role.value,
        label=label,
        created_at=utcnow(),
    )
    session.add(key)
    session.flush()
    return key, new.secret


def get_key(session: Session, key_id: int) -> ApiKey:
    """The key row with id ``key_id``."""
    return get_or_missing(session, ApiKey, key_id, f"no API key with id {key_id}")


def list_keys(
    session: Session, org_id: int | None = None, after_id: int = 0, limit: int = 50
) -> Sequence[ApiKey]:
    """Key rows (never the keys) by id, after ``after_id``, optionally of one organisation."""
    query = where_given(select(ApiKey), (ApiKey.org_id, org_id))
    return page_after(session, query, ApiKey.id, after_id, limit)


def revoke_key(session: Session, key_id: int) -> ApiKey:
    """Mark the key revoked (the row stays); revoking twice is a conflict."""
    key = get_key(session, key_id)
    if key.revoked_at is not None:
        raise Conflict(f"API key {key_id} was revoked already at {key.revoked_at.isoformat()}")
    key.revoked_at = utcnow()
    session.flush()
    return key


def authenticate(session: Session, secret: str) -> Principal | None:
    """The principal ``secret`` stands for, or ``None`` if it is unknown, revoked or disabled."""
    if not looks_like_key(secret):
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.lookup_prefix == lookup_prefix(secret)))
    if key is None or key.revoked_at is not None:
        return None
    if key.user is not None and key.user.disabled_at is not None:
        return None
    if not verify_key(key.key_hash, secret):
        return None
    role = Role(key.user.role) if key.user is not None else Role(key.role)
    return Principal(
        user_id=key.user_id,
        org_id=key.org_id,
        role=role,
        is_person=key.user_id is not None,
        key_id=key.id,
    )
