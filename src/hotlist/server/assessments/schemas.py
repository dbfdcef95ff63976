"""Assessments as the API takes and shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from hotlist.server.kit.types import CategoryCode, Reason
from hotlist.urls import Scope


class AssessmentIn(BaseModel):
    """An analyst's decision on a report.

    Actionable: ``category`` (of the policy in force) and ``scope`` are required; ``host`` scope
    also needs ``scope_reason``. Not actionable: the report is closed; give only ``reason``.
    """

    model_config = ConfigDict(extra="forbid")

    actionable: bool
    reason: Reason = Field(description="The facts the decision relies on; no personal data.")
    category: CategoryCode | None = None
    scope: Scope | None = None
    scope_reason: Reason | None = Field(
        default=None, description="Why this scope; needed for host."
    )


class AssessmentOut(BaseModel):
    """A stored assessment and what it did."""

    id: int
    report_id: int
    actionable: bool
    category: str | None
    scope: Scope | None
    reason: str
    scope_reason: str | None
    decided_by: int
    decided_at: datetime
    policy_version: int
    entry_public_id: str | None = None
    entry_created: bool = False
    settled_duplicates: list[int] = Field(
        default_factory=list, description="Open duplicates settled with this report."
    )
