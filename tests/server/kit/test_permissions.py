"""The role -> permission table says what DESIGN.md says each actor may do."""

from __future__ import annotations

import pytest

from hotlist.server.kit.permissions import (
    ANONYMOUS_PERMISSIONS,
    PLAINTEXT_PERMISSIONS,
    ROLE_PERMISSIONS,
    Permission,
    Role,
    allows,
)

P = Permission


def test_every_role_has_a_row() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)


def test_anonymous_can_only_report_appeal_and_read_public_pages() -> None:
    assert {p for p in Permission if allows(None, p)} == {
        P.REPORTS_CREATE,
        P.REPORTS_STATUS,
        P.APPEALS_CREATE,
        P.APPEALS_STATUS,
        P.TRANSPARENCY_READ,
        P.BLOCKPAGE_READ,
    }


@pytest.mark.parametrize("role", list(Role))
def test_everyone_can_report(role: Role) -> None:
    assert ROLE_PERMISSIONS[role] >= ANONYMOUS_PERMISSIONS


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OBSERVER, Role.PARTNER, Role.ADMIN])
def test_only_hotline_staff_see_plaintext(role: Role) -> None:
    assert not ROLE_PERMISSIONS[role] & PLAINTEXT_PERMISSIONS


def test_member_reads_entries_not_reports() -> None:
    assert allows(Role.MEMBER, P.ENTRIES_READ)
    assert not allows(Role.MEMBER, P.REPORTS_READ)
    assert not allows(Role.MEMBER, P.ENTRIES_READ_EXPRESSION)


def test_observer_only_reads() -> None:
    writes = {
        P.REPORTS_ASSESS,
        P.ENTRIES_SUSPEND,
        P.ENTRIES_TRANSITION,
        P.POLICY_WRITE,
        P.ORGS_MANAGE,
        P.KEYS_MANAGE,
        P.OBJECTIONS_CREATE,
        P.OBJECTIONS_DECIDE,
        P.APPEALS_DECIDE,
        P.AUDIT_SAMPLE,
    }
    assert not ROLE_PERMISSIONS[Role.OBSERVER] & writes


def test_supervisor_is_analyst_plus_decisions() -> None:
    extra = ROLE_PERMISSIONS[Role.SUPERVISOR] - ROLE_PERMISSIONS[Role.ANALYST]
    assert extra == {
        P.ENTRIES_TRANSITION,
        P.POLICY_WRITE,
        P.OBJECTIONS_DECIDE,
        P.APPEALS_DECIDE,
        P.AUDIT_SAMPLE,
        P.AUDIT_READ,
    }


def test_only_supervisors_decide_objections_and_appeals() -> None:
    for permission in (P.OBJECTIONS_DECIDE, P.APPEALS_DECIDE):
        assert {role for role in Role if allows(role, permission)} == {Role.SUPERVISOR}


def test_only_members_object() -> None:
    assert {role for role in Role if allows(role, P.OBJECTIONS_CREATE)} == {Role.MEMBER}


def test_admin_manages_but_does_not_assess() -> None:
    admin = ROLE_PERMISSIONS[Role.ADMIN]
    assert {P.ORGS_MANAGE, P.KEYS_MANAGE, P.POLICY_WRITE, P.ACCESS_LOG_READ} <= admin
    assert P.REPORTS_ASSESS not in admin
