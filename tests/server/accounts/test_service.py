"""Accounts: organisations, people and keys, and who a key stands for."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from hotlist.errors import Conflict, InvalidRequest, NotFound
from hotlist.server.accounts import service
from hotlist.server.accounts.models import OrgKind
from hotlist.server.db.base import utcnow
from hotlist.server.kit.permissions import Role


def test_org_names_are_unique_and_tidied(session: Session) -> None:
    org = service.create_org(session, "  Example   ISP ", OrgKind.ISP)
    assert org.name == "Example ISP"
    assert service.get_org(session, "Example ISP").id == org.id
    assert service.get_org(session, str(org.id)).id == org.id
    with pytest.raises(Conflict, match="exists already"):
        service.create_org(session, "Example ISP", "platform")


@pytest.mark.parametrize(
    ("name", "kind", "message"),
    [
        ("", "isp", "empty"),
        ("x" * 201, "isp", "longer"),
        ("Example", "bank", "unknown organisation kind 'bank'"),
    ],
)
def test_bad_orgs(session: Session, name: str, kind: str, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        service.create_org(session, name, kind)


def test_unknown_org_user_key(session: Session) -> None:
    with pytest.raises(NotFound):
        service.get_org(session, "Nobody")
    with pytest.raises(NotFound):
        service.get_user(session, 999)
    with pytest.raises(NotFound):
        service.revoke_key(session, 999)


def test_role_must_fit_the_org(session: Session) -> None:
    hotline = service.create_org(session, "Hotline", OrgKind.HOTLINE)
    isp = service.create_org(session, "ISP", OrgKind.ISP)
    assert service.create_user(session, hotline, "A", Role.ANALYST).role == "analyst"
    with pytest.raises(InvalidRequest, match=r"cannot belong to 'ISP' \(an ISP\)"):
        service.create_user(session, isp, "B", Role.ANALYST)
    with pytest.raises(InvalidRequest, match="cannot belong"):
        service.issue_key(session, org=hotline, role=Role.MEMBER)
    with pytest.raises(InvalidRequest, match="unknown role 'root'"):
        service.create_user(session, hotline, "C", "root")


def test_person_key_authenticates_as_the_person(session: Session, hasher: PasswordHasher) -> None:
    hotline = service.create_org(session, "Hotline", OrgKind.HOTLINE)
    user = service.create_user(session, hotline, "Ana", Role.SUPERVISOR)
    row, secret = service.issue_key(session, user=user, label="laptop", hasher=hasher)
    principal = service.authenticate(session, secret)
    assert principal is not None
    assert (principal.user_id, principal.org_id, principal.role) == (
        user.id,
        hotline.id,
        "supervisor",
    )
    assert principal.is_person
    assert principal.key_id == row.id
    assert secret not in row.key_hash


def test_machine_key_carries_its_role(session: Session, hasher: PasswordHasher) -> None:
    isp = service.create_org(session, "ISP", OrgKind.ISP)
    _row, secret = service.issue_key(session, org=isp, role="member", hasher=hasher)
    principal = service.authenticate(session, secret)
    assert principal is not None
    assert principal.role == Role.MEMBER
    assert not principal.is_person
    assert principal.user_id is None


def test_bad_key_requests(session: Session, hasher: PasswordHasher) -> None:
    hotline = service.create_org(session, "Hotline", OrgKind.HOTLINE)
    other = service.create_org(session, "Other", OrgKind.HOTLINE)
    user = service.create_user(session, hotline, "Ana", Role.ANALYST)
    with pytest.raises(InvalidRequest, match="needs an organisation and a role"):
        service.issue_key(session, org=hotline, hasher=hasher)
    with pytest.raises(InvalidRequest, match="does not belong"):
        service.issue_key(session, user=user, org=other, hasher=hasher)
    with pytest.raises(InvalidRequest, match="person's role"):
        service.issue_key(session, user=user, role=Role.ADMIN, hasher=hasher)
    with pytest.raises(InvalidRequest, match="label"):
        service.issue_key(session, user=user, label="x" * 201, hasher=hasher)
    user.disabled_at = utcnow()
    with pytest.raises(Conflict, match="disabled"):
        service.issue_key(session, user=user, hasher=hasher)


def test_revoked_wrong_and_disabled_keys_do_not_authenticate(
    session: Session, hasher: PasswordHasher
) -> None:
    hotline = service.create_org(session, "Hotline", OrgKind.HOTLINE)
    user = service.create_user(session, hotline, "Ana", Role.ANALYST)
    row, secret = service.issue_key(session, user=user, hasher=hasher)
    _row2, secret2 = service.issue_key(session, user=user, hasher=hasher)
    assert service.authenticate(session, secret[:-2] + "zz") is None
    assert service.authenticate(session, "hk_" + "A" * 43) is None
    assert service.authenticate(session, "garbage") is None
    service.revoke_key(session, row.id)
    assert service.authenticate(session, secret) is None
    with pytest.raises(Conflict, match="revoked already"):
        service.revoke_key(session, row.id)
    assert service.authenticate(session, secret2) is not None
    user.disabled_at = utcnow()
    session.flush()
    assert service.authenticate(session, secret2) is None


def test_listing_pages_by_id(session: Session, hasher: PasswordHasher) -> None:
    orgs = [service.create_org(session, f"Org {n}", OrgKind.ISP) for n in range(5)]
    assert [o.id for o in service.list_orgs(session, after_id=orgs[1].id, limit=2)] == [
        orgs[2].id,
        orgs[3].id,
    ]
    hotline = service.create_org(session, "Hotline", OrgKind.HOTLINE)
    ana = service.create_user(session, hotline, "Ana", Role.ANALYST)
    service.issue_key(session, user=ana, hasher=hasher)
    service.issue_key(session, org=orgs[0], role=Role.MEMBER, hasher=hasher)
    assert [u.id for u in service.list_users(session, org_id=hotline.id)] == [ana.id]
    assert service.list_users(session, org_id=orgs[0].id) == []
    assert len(service.list_keys(session)) == 2
    assert [k.org_id for k in service.list_keys(session, org_id=orgs[0].id)] == [orgs[0].id]


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        (OrgKind.ISP, "an ISP"),
        (OrgKind.SEARCH_ENGINE, "a search engine"),
        (OrgKind.OBSERVER, "an observer"),
        (OrgKind.HOTLINE, "a hotline"),
        (OrgKind.PLATFORM, "a platform"),
        (OrgKind.PARTNER, "a partner hotline"),
    ],
)
def test_every_kind_is_said_with_its_article(kind: OrgKind, said: str) -> None:
    assert kind.with_article == said
