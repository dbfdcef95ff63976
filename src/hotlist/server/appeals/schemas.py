"""Appeals as the API takes and shows them. The public form is strict, like the report form."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from hotlist.server.appeals.models import Appeal, AppealOutcome, AppealState, Relation
from hotlist.server.kit.types import Contact, EntryRef, Reason


class AppealIn(BaseModel):
    """An appeal from anyone: the entry id from the block page, who you are to it, and why."""

    model_config = ConfigDict(extra="forbid")

    entry_id: EntryRef
    relation: Relation
    reason: Reason
    contact: Contact | None = None


class AppealReceipt(BaseModel):
    """What an appellant gets back: the receipt to follow the appeal with."""

    receipt: str


class AppealStatusOut(BaseModel):
    """What the appellant sees: the state and, once decided, the outcome and its reason."""

    state: AppealState
    outcome: AppealOutcome | None = None
    reason: str | None = None


class InterimIn(BaseModel):
    """Why the entry is suspended while the appeal is open."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason


class AppealDecisionIn(BaseModel):
    """A supervisor's decision on an appeal."""

    model_config = ConfigDict(extra="forbid")

    outcome: AppealOutcome
    reason: Reason


class AppealOut(BaseModel):
    """An appeal as supervisors and observers see it: no contact, no identifier."""

    id: int
    entry_id: str
    relation: Relation
    reason: str
    state: AppealState
    created_at: datetime
    overdue: bool = Field(description="Open for longer than the time allowed to decide it.")
    due_at: datetime
    interim_suspended: bool
    interim_at: datetime | None
    interim_reason: str | None
    outcome: AppealOutcome | None
    decision_reason: str | None
    decided_by: int | None
    decided_at: datetime | None
    has_contact: bool
    log_index: int | None

    @classmethod
    def of(cls, appeal: Appeal, entry_ref: str, overdue: bool, due_at: datetime) -> AppealOut:
        """The staff view of ``appeal``."""
        return cls(
            id=appeal.id,
            entry_id=entry_ref,
            relation=Relation(appeal.relation),
            reason=appeal.reason,
            state=AppealState(appeal.state),
            created_at=appeal.created_at,
            overdue=overdue,
            due_at=due_at,
            interim_suspended=appeal.interim_at is not None,
            interim_at=appeal.interim_at,
            interim_reason=appeal.interim_reason,
            outcome=AppealOutcome(appeal.outcome) if appeal.outcome else None,
            decision_reason=appeal.decision_reason,
            decided_by=appeal.decided_by,
            decided_at=appeal.decided_at,
            has_contact=appeal.contact is not None,
            log_index=appeal.log_index,
        )
