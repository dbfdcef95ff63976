"""Grants, samples and reviews as the API takes and shows them. No plaintext URL anywhere."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hotlist.server.kit.types import Comment, Reason
from hotlist.server.observers.models import DecisionKind, Verdict
from hotlist.server.observers.service import MAX_SAMPLE_SIZE


class GrantIn(BaseModel):
    """Grant or withdraw an observer organisation's plaintext access, saying why."""

    model_config = ConfigDict(extra="forbid")

    granted: bool
    reason: Reason


class GrantOut(BaseModel):
    """The grant in force for an organisation (``granted`` false when none was ever made)."""

    org_id: int
    granted: bool
    reason: str | None
    decided_by: int | None
    at: datetime | None


class SampleIn(BaseModel):
    """Draw ``size`` decisions made in ``[from, to)`` at random."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    period_from: datetime = Field(alias="from")
    period_to: datetime = Field(alias="to")
    size: int = Field(default=20, ge=1, le=MAX_SAMPLE_SIZE)

    @model_validator(mode="after")
    def _ordered(self) -> SampleIn:
        for moment in (self.period_from, self.period_to):
            if moment.tzinfo is None:
                raise ValueError("give times with a zone (for example 2026-01-01T00:00:00Z)")
        if self.period_to <= self.period_from:
            raise ValueError("'to' must come after 'from'")
        return self


class ReviewIn(BaseModel):
    """An observer's review of one sampled decision."""

    model_config = ConfigDict(extra="forbid")

    item_id: int = Field(ge=1, le=2**31 - 1)
    verdict: Verdict
    comment: Comment = ""


class ReviewOut(BaseModel):
    """One review: which item, whose (organisation and person ids), agree or disagree."""

    id: int
    item_id: int
    org_id: int
    user_id: int
    verdict: Verdict
    comment: str
    at: datetime


class ItemOut(BaseModel):
    """A sampled decision and what an auditor needs to judge it (no plaintext URL)."""

    id: int
    kind: DecisionKind
    subject_id: int
    decided_at: datetime
    decision: dict[str, Any]


class SampleOut(BaseModel):
    """A sample: its period, how many decisions it was drawn from, its items and reviews."""

    id: int
    period_from: datetime
    period_to: datetime
    requested: int
    population: int
    drawn_by: int | None
    drawn_at: datetime
    items: list[ItemOut]
    reviews: list[ReviewOut]
    agreement_rate: float | None = Field(description="Share of reviews that agree; null: none.")
