"""Policy versions as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class PolicyVersionOut(BaseModel):
    """One policy version: its number, hash, when and by whom it was loaded, and the policy."""

    model_config = ConfigDict(from_attributes=True)

    version: int
    policy_id: str
    content_hash: str = Field(description="SHA-256 of the policy's canonical JSON, hex.")
    loaded_at: datetime
    loaded_by: int | None = Field(description="The user who loaded it; null: the server itself.")
    document: dict[str, Any] = Field(description="The policy: operator, categories, legal basis.")


class PolicyVersionSummary(BaseModel):
    """A policy version without its document, for the list of versions."""

    model_config = ConfigDict(from_attributes=True)

    version: int
    policy_id: str
    content_hash: str
    loaded_at: datetime
    loaded_by: int | None


class PolicyLoaded(BaseModel):
    """The answer to loading a policy: the version in force and whether it is new."""

    created: bool
    version: PolicyVersionOut
