"""Roles, named permissions, and the one table that says which role holds which.

Every endpoint declares exactly one :class:`Permission` (see :func:`hotlist.server.kit.deps.
require`). Plaintext URLs sit behind their own permissions (``reports:read_url``,
``entries:read_expression``), so a role can read a queue or a list without ever seeing one.

Notes on the table:
- ``reports:read`` is the triage queue and report metadata *without* the URL; the URL itself needs
  ``reports:read_url`` and every such read is logged.
- ``entries:read`` shows hashes, categories and statements of reasons, never the expression.
- Analysts may suspend an entry (``entries:suspend``, a fast stop when in doubt); every other
  transition (restore, expire, remove) needs ``entries:transition``, which supervisors hold.
- ``list:sync`` fetches the signed list (hashes only): members, and observers who verify it.
- Anonymous callers (the public, with no key) hold only :data:`ANONYMOUS_PERMISSIONS`, and so
  does every role.
- Due process: members object (``objections:create``) and see their own objections;
  supervisors decide objections and appeals; observers only read, except ``audit:review``,
  their own review of a sampled decision (it changes nothing on the list). An observer
  organisation may be granted the plaintext permissions by an admin (see
  :mod:`hotlist.server.observers`); the grant is checked in ``require``.
- Hosting lookups (where a listed URL is hosted, who is told) are the analysts' and
  supervisors' (``hosting:read``, ``hosting:lookup``); the intermediaries list is the admins'.
- Re-verification is the analysts' and supervisors': the entries needing an analyst
  (``checks:read``, no address) and a check made now (``checks:run``); an entry's check log
  holds its URL, so it needs ``entries:read_expression`` and each view is logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Role(StrEnum):
    """What a person or machine key does at the hotline (see DESIGN.md, "Who uses it")."""

    ANALYST = "analyst"
    SUPERVISOR = "supervisor"
    MEMBER = "member"
    OBSERVER = "observer"
    PARTNER = "partner"
    ADMIN = "admin"


class Permission(StrEnum):
    """A named right an endpoint requires."""

    REPORTS_CREATE = "reports:create"
    REPORTS_STATUS = "reports:status"
    REPORTS_READ = "reports:read"
    REPORTS_READ_URL = "reports:read_url"
    REPORTS_ASSESS = "reports:assess"
    ENTRIES_READ = "entries:read"
    ENTRIES_READ_EXPRESSION = "entries:read_expression"
    ENTRIES_SUSPEND = "entries:suspend"
    ENTRIES_TRANSITION = "entries:transition"
    POLICY_READ = "policy:read"
    POLICY_WRITE = "policy:write"
    ORGS_MANAGE = "orgs:manage"
    KEYS_MANAGE = "keys:manage"
    ACCESS_LOG_READ = "access_log:read"
    LIST_SYNC = "list:sync"
    LOG_READ = "log:read"
    OBJECTIONS_CREATE = "objections:create"
    OBJECTIONS_READ = "objections:read"
    OBJECTIONS_DECIDE = "objections:decide"
    APPEALS_CREATE = "appeals:create"
    APPEALS_STATUS = "appeals:status"
    APPEALS_READ = "appeals:read"
    APPEALS_DECIDE = "appeals:decide"
    AUDIT_SAMPLE = "audit:sample"
    AUDIT_READ = "audit:read"
    AUDIT_REVIEW = "audit:review"
    TRANSPARENCY_READ = "transparency:read"
    BLOCKPAGE_READ = "blockpage:read"
    NOTICES_READ = "notices:read"
    NOTICES_MANAGE = "notices:manage"
    HOSTING_READ = "hosting:read"
    HOSTING_LOOKUP = "hosting:lookup"
    INTERMEDIARIES_MANAGE = "intermediaries:manage"
    CHECKS_READ = "checks:read"
    CHECKS_RUN = "checks:run"


P = Permission

ANONYMOUS_PERMISSIONS: frozenset[Permission] = frozenset(
    {
        P.REPORTS_CREATE,
        P.REPORTS_STATUS,
        P.APPEALS_CREATE,
        P.APPEALS_STATUS,
        P.TRANSPARENCY_READ,
        P.BLOCKPAGE_READ,
    }
)
"""What anyone may do without a key: report a URL and follow its receipt, appeal against an
entry and follow the appeal, read the transparency report and an entry's block page."""

PLAINTEXT_PERMISSIONS: frozenset[Permission] = frozenset(
    {P.REPORTS_READ_URL, P.ENTRIES_READ_EXPRESSION}
)
"""Permissions whose endpoints return plaintext URLs: each use is written to the access log."""

_ANALYST = frozenset(
    {
        P.REPORTS_READ,
        P.REPORTS_READ_URL,
        P.REPORTS_ASSESS,
        P.ENTRIES_READ,
        P.ENTRIES_READ_EXPRESSION,
        P.ENTRIES_SUSPEND,
        P.LOG_READ,
        P.POLICY_READ,
        P.OBJECTIONS_READ,
        P.APPEALS_READ,
        P.HOSTING_READ,
        P.HOSTING_LOOKUP,
        P.CHECKS_READ,
        P.CHECKS_RUN,
        P.NOTICES_READ,
        P.NOTICES_MANAGE,
    }
)

ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.ANALYST: ANONYMOUS_PERMISSIONS | _ANALYST,
    Role.SUPERVISOR: ANONYMOUS_PERMISSIONS
    | _ANALYST
    | {P.ENTRIES_TRANSITION, P.POLICY_WRITE}
    | {P.OBJECTIONS_DECIDE, P.APPEALS_DECIDE, P.AUDIT_SAMPLE, P.AUDIT_READ},
    Role.MEMBER: ANONYMOUS_PERMISSIONS
    | {P.ENTRIES_READ, P.POLICY_READ, P.LIST_SYNC, P.LOG_READ}
    | {P.OBJECTIONS_CREATE, P.OBJECTIONS_READ},
    Role.OBSERVER: ANONYMOUS_PERMISSIONS
    | {P.REPORTS_READ, P.ENTRIES_READ, P.POLICY_READ, P.ACCESS_LOG_READ, P.LIST_SYNC, P.LOG_READ}
    | {P.OBJECTIONS_READ, P.APPEALS_READ, P.AUDIT_READ, P.AUDIT_REVIEW},
    Role.PARTNER: ANONYMOUS_PERMISSIONS | {P.POLICY_READ, P.LOG_READ},
    Role.ADMIN: ANONYMOUS_PERMISSIONS
    | {P.ORGS_MANAGE, P.KEYS_MANAGE, P.POLICY_READ, P.POLICY_WRITE, P.ACCESS_LOG_READ, P.LOG_READ}
    | {P.INTERMEDIARIES_MANAGE}
    | {P.AUDIT_SAMPLE, P.AUDIT_READ},
}
"""The role -> permission table; the one place that grants anything."""


def allows(role: Role | None, permission: Permission) -> bool:
    """Whether ``role`` (``None``: an anonymous caller) holds ``permission``."""
    if role is None:
        return permission in ANONYMOUS_PERMISSIONS
    return permission in ROLE_PERMISSIONS[role]


def roles_with(permission: Permission) -> tuple[Role, ...]:
    """The roles that hold ``permission``, in the table's order (read from the table)."""
    return tuple(role for role, held in ROLE_PERMISSIONS.items() if permission in held)
