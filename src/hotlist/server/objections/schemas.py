"""Objections as the API takes and shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from hotlist.server.entries.models import Entry
from hotlist.server.kit.types import EntryRef, Reason
from hotlist.server.objections.models import Objection, ObjectionOutcome, ObjectionState
from hotlist.urls import Scope


class ObjectionIn(BaseModel):
    """A member's objection to an entry, with its reason."""

    model_config = ConfigDict(extra="forbid")

    entry_id: EntryRef
    reason: Reason


class DecisionIn(BaseModel):
    """A supervisor's decision; ``new_scope`` only (and always) with ``scope_changed``."""

    model_config = ConfigDict(extra="forbid")

    outcome: ObjectionOutcome
    reason: Reason
    new_scope: Scope | None = None


class ObjectionOut(BaseModel):
    """An objection and, once decided, its outcome and reasons (what the member sees)."""

    id: int
    entry_id: str
    org_id: int
    reason: str
    state: ObjectionState
    created_at: datetime
    outcome: ObjectionOutcome | None
    decision_reason: str | None
    decided_by: int | None
    decided_at: datetime | None
    new_entry_id: str | None = Field(description="The entry that replaced it (scope_changed).")
    log_index: int | None = Field(description="The decision's leaf in the transparency log.")

    @classmethod
    def of(cls, objection: Objection, entry: Entry, new_entry: Entry | None) -> ObjectionOut:
        """The API view of ``objection`` against ``entry``."""
        return cls(
            id=objection.id,
            entry_id=entry.public_ref,
            org_id=objection.org_id,
            reason=objection.reason,
            state=ObjectionState(objection.state),
            created_at=objection.created_at,
            outcome=ObjectionOutcome(objection.outcome) if objection.outcome else None,
            decision_reason=objection.decision_reason,
            decided_by=objection.decided_by,
            decided_at=objection.decided_at,
            new_entry_id=new_entry.public_ref if new_entry is not None else None,
            log_index=objection.log_index,
        )
