"""The four-eyes rule (DESIGN.md, invariant 6): objections and appeals against an entry are
decided by a person other than the analyst who made it."""

from __future__ import annotations

from typing import Protocol

from hotlist.errors import PermissionDenied
from hotlist.server.kit.principal import Principal


class Decided(Protocol):
    """A decision someone made: an entry (who decided it, and its id members see)."""

    @property
    def decided_by(self) -> int: ...
    @property
    def public_ref(self) -> str: ...


def check_decider(entry: Decided, decider: Principal, what: str) -> int:
    """The deciding person's user id; PermissionDenied when they made the entry (or no person)."""
    if decider.user_id is None:
        raise PermissionDenied(f"deciding {what} is a person's decision; use a person's API key")
    if decider.user_id == entry.decided_by:
        raise PermissionDenied(
            f"you made entry {entry.public_ref}, so you cannot decide {what} against it; "
            "another supervisor must decide"
        )
    return decider.user_id
