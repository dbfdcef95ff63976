"""Entries as the API shows them. The expression appears only in :class:`EntryExpressionOut`."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from hotlist.server.entries.models import Entry, EntryEvent, EntryState, EventKind
from hotlist.server.kit.types import Reason
from hotlist.urls import Scope


class StatementOfReasons(BaseModel):
    """Why the entry exists, modelled on the EU DSA statement of reasons (Art. 17); no personal
    data: the decider is a user id."""

    category: str
    category_wire_id: int
    policy_version: int = Field(description="The policy version the decision was made under.")
    legal_basis: str
    legal_order: bool = Field(description="Listed under a legal order (block pages answer 451).")
    territorial_scope: list[str] = Field(description="Jurisdictions (ISO 3166 alpha-2 or EU).")
    facts: str = Field(description="The facts and circumstances the decision relied on.")
    scope: Scope
    scope_reason: str = Field(description="Why this scope, and not a narrower one.")
    decided_by: int
    decided_at: datetime


class EntryOut(BaseModel):
    """A list entry as members, observers and staff see it: never the expression."""

    public_id: str = Field(description="16 lowercase hex digits; the id on the wire.")
    expression_hash: str = Field(description="SHA-256 of the expression, hex.")
    category: str
    scope: Scope
    state: EntryState
    disputed: bool
    expires_at: datetime
    created_at: datetime
    state_changed_at: datetime
    statement_of_reasons: StatementOfReasons

    @classmethod
    def of(cls, entry: Entry, policy_version: int) -> EntryOut:
        """The API view of ``entry``; ``policy_version`` is its version's number."""
        return cls(
            public_id=entry.public_ref,
            expression_hash=entry.expression_hash.hex(),
            category=entry.category_code,
            scope=Scope(entry.scope),
            state=EntryState(entry.state),
            disputed=entry.disputed,
            expires_at=entry.expires_at,
            created_at=entry.created_at,
            state_changed_at=entry.state_changed_at,
            statement_of_reasons=StatementOfReasons(
                category=entry.category_code,
                category_wire_id=entry.category_wire_id,
                policy_version=policy_version,
                legal_basis=entry.legal_basis,
                legal_order=entry.legal_order,
                territorial_scope=[p.strip() for p in entry.territorial_scope.split(",") if p],
                facts=entry.facts,
                scope=Scope(entry.scope),
                scope_reason=entry.scope_reason,
                decided_by=entry.decided_by,
                decided_at=entry.decided_at,
            ),
        )


class EntryExpressionOut(BaseModel):
    """The plaintext an entry lists: for staff only, and every read is logged."""

    public_id: str
    expression: str
    host: str
    scope: Scope


class EntryEventOut(BaseModel):
    """One event in an entry's history."""

    kind: EventKind
    from_state: EntryState | None
    to_state: EntryState
    reason: str
    actor_id: int | None = Field(description="The user who acted; null: the server (expiry).")
    at: datetime

    @classmethod
    def of(cls, event: EntryEvent) -> EntryEventOut:
        """The API view of ``event``."""
        return cls(
            kind=EventKind(event.kind),
            from_state=EntryState(event.from_state) if event.from_state else None,
            to_state=EntryState(event.to_state),
            reason=event.reason,
            actor_id=event.actor_id,
            at=event.at,
        )


class TransitionIn(BaseModel):
    """Move an entry to another state, saying why."""

    model_config = {"extra": "forbid"}

    to: EntryState
    reason: Reason


class SuspendIn(BaseModel):
    """Suspend an entry at once (while in doubt), saying why."""

    model_config = {"extra": "forbid"}

    reason: Reason


class TransitionOut(BaseModel):
    """The entry after the change, and the event that records it."""

    entry: EntryOut
    event: EntryEventOut
