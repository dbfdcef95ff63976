"""Who is making a request: a person, a machine, or the anonymous public."""

from __future__ import annotations

from dataclasses import dataclass

from hotlist.server.kit.permissions import Permission, Role, allows


@dataclass(frozen=True)
class Principal:
    """The caller behind a request.

    ``role`` is ``None`` only for the anonymous public (no key). ``is_person`` tells a person's
    key from a machine's; ``key_id`` is the API key used.
    """

    user_id: int | None
    org_id: int | None
    role: Role | None
    is_person: bool
    key_id: int | None = None

    @classmethod
    def anonymous(cls) -> Principal:
        """The public: no account, no key."""
        return cls(user_id=None, org_id=None, role=None, is_person=False, key_id=None)

    @property
    def is_anonymous(self) -> bool:
        """Whether the caller presented no key."""
        return self.role is None

    def can(self, permission: Permission) -> bool:
        """Whether this caller holds ``permission``."""
        return allows(self.role, permission)
