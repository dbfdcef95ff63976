"""The access log as the API shows it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class AccessLogOut(BaseModel):
    """One access: who, what, when."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    user_id: int | None
    org_id: int | None
    key_id: int | None
    role: str
    action: str
    subject_type: str
    subject_id: str
