"""Disabling and enabling people: keys revoked, history kept, each change an append-only record."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from hotlist.errors import Conflict, InvalidRequest, NotFound
from hotlist.server.accounts import service
from hotlist.server.accounts.models import OrgKind
from hotlist.server.kit.permissions import Role

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def test_disable_revokes_keys_and_enable_keeps_them_revoked(session: Session) -> None:
    hotline = service.create_org(session, "Example Hotline", OrgKind.HOTLINE)
    admin = service.create_user(session, hotline, "Alex Admin", Role.ADMIN)
    ana = service.create_user(session, hotline, "Ana", Role.ANALYST)
    old, _ = service.issue_key(session, user=ana, hasher=FAST)
    service.revoke_key(session, old.id)
    live, secret = service.issue_key(session, user=ana, hasher=FAST)
    assert service.authenticate(session, secret) is not None

    user, revoked = service.disable_user(session, ana.id, "  left the  team ", admin.id)
    assert revoked == [live.id]
    assert user.disabled_at is not None
    assert service.get_key(session, live.id).revoked_at is not None
    assert service.authenticate(session, secret) is None
    with pytest.raises(Conflict, match="issuing a key"):
        service.issue_key(session, user=ana, hasher=FAST)
    with pytest.raises(Conflict, match="disabled already"):
        service.disable_user(session, ana.id, "again", admin.id)

    service.enable_user(session, ana.id, "back from leave")
    assert service.get_user(session, ana.id).disabled_at is None
    assert service.get_key(session, live.id).revoked_at is not None
    with pytest.raises(Conflict, match="not disabled"):
        service.enable_user(session, ana.id, "again")

    changes = service.status_changes(session, ana.id)
    assert [(c.action, c.reason, c.by_user_id, c.revoked_keys) for c in changes] == [
        ("disabled", "left the team", admin.id, 1),
        ("enabled", "back from leave", None, 0),
    ]
    changes[0].reason = "rewritten"
    with pytest.raises(Conflict, match="append-only"):
        session.flush()


def test_a_reason_is_required_and_nobody_disables_themselves(session: Session) -> None:
    hotline = service.create_org(session, "Example Hotline", OrgKind.HOTLINE)
    admin = service.create_user(session, hotline, "Alex Admin", Role.ADMIN)
    with pytest.raises(InvalidRequest, match="give a reason"):
        service.disable_user(session, admin.id, "   ")
    with pytest.raises(InvalidRequest, match="longer"):
        service.disable_user(session, admin.id, "x" * 1001)
    with pytest.raises(Conflict, match="yourself"):
        service.disable_user(session, admin.id, "oops", admin.id)
    with pytest.raises(NotFound):
        service.disable_user(session, 999_999, "nobody")


def test_list_users_by_role_org_and_state(session: Session) -> None:
    hotline = service.create_org(session, "Example Hotline", OrgKind.HOTLINE)
    watchers = service.create_org(session, "Example Observers", OrgKind.OBSERVER)
    ana = service.create_user(session, hotline, "Ana", Role.ANALYST)
    sam = service.create_user(session, hotline, "Sam", Role.SUPERVISOR)
    olu = service.create_user(session, watchers, "Olu", Role.OBSERVER)
    service.disable_user(session, sam.id, "left")

    def ids(**filters: object) -> list[int]:
        return [u.id for u in service.list_users(session, **filters)]  # type: ignore[arg-type]

    assert ids() == [ana.id, sam.id, olu.id]
    assert ids(role="analyst") == [ana.id]
    assert ids(role=Role.OBSERVER) == [olu.id]
    assert ids(org_id=hotline.id) == [ana.id, sam.id]
    assert ids(disabled=True) == [sam.id]
    assert ids(disabled=False) == [ana.id, olu.id]
    assert ids(org_id=hotline.id, disabled=False, role="analyst") == [ana.id]
    with pytest.raises(InvalidRequest, match="unknown role"):
        ids(role="boss")
