"""Reports as the API takes and shows them. The public form is strict: unknown fields, oversized
values and text a database cannot store (NUL, lone surrogates) are refused with a 422."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from hotlist.server.kit.types import CategoryCode, Comment, Contact, storable
from hotlist.server.reports.models import ReportStatus
from hotlist.urls import MAX_URL_BYTES


def _url_size(value: str) -> str:
    if len(value.encode("utf-8", "surrogatepass")) > MAX_URL_BYTES:
        raise ValueError(f"must be at most {MAX_URL_BYTES} bytes")
    return storable(value)


class ReportIn(BaseModel):
    """A report from the public. Only ``url`` is needed; nothing identifies the reporter."""

    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, Field(min_length=1, max_length=MAX_URL_BYTES), AfterValidator(_url_size)]
    category_hint: CategoryCode | None = None
    comment: Comment | None = None
    contact: Contact | None = None


class Receipt(BaseModel):
    """What a reporter gets back: the receipt to follow the report with, nothing else."""

    receipt: str


class ReportStatusOut(BaseModel):
    """A report's status as its reporter sees it."""

    status: ReportStatus


class QueueItemOut(BaseModel):
    """A report in the analysts' queue: no URL (open the report to see it, which is logged)."""

    id: int
    receipt: str
    received_at: datetime
    category_hint: str | None
    status: ReportStatus
    duplicate_of: int | None
    duplicates: int = Field(description="How many later reports have the same canonical URL.")
    listed: bool = Field(description="Whether a list entry covers the report.")


class ReportOut(BaseModel):
    """A report opened by an analyst, with its URL. ``contact`` only for supervisors."""

    id: int
    receipt: str
    url: str
    canonical_url: str
    category_hint: str | None
    comment: str | None
    status: ReportStatus
    received_at: datetime
    status_changed_at: datetime | None
    duplicate_of: int | None
    duplicates: list[int]
    entry_public_id: str | None
    has_contact: bool
    contact: str | None = None
