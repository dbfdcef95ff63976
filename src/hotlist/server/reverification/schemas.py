"""Checks and the check schedule as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from hotlist.server.entries.models import Entry
from hotlist.server.reverification.models import CheckKind, CheckOutcome, CheckSchedule, UrlCheck


class UrlCheckOut(BaseModel):
    """One check of an entry's URL (the check log never changes)."""

    id: int
    kind: CheckKind
    outcome: CheckOutcome
    url: str
    status: int | None
    final_url: str | None = Field(description="Where the redirects ended (the URL when none).")
    hops: list[dict[str, Any]] = Field(description="Every redirect followed: url, status, ip.")
    content_type: str | None
    content_length: int | None
    etag: str | None
    last_modified: str | None
    ip: str | None = Field(description="The address the last answer came from.")
    changed: list[str] = Field(description="What differs from the baseline check.")
    error: str | None
    elapsed_ms: int | None
    at: datetime

    @classmethod
    def of(cls, row: UrlCheck) -> UrlCheckOut:
        """The API view of ``row``."""
        return cls(
            id=row.id,
            kind=CheckKind(row.kind),
            outcome=CheckOutcome(row.outcome),
            url=row.url,
            status=row.status,
            final_url=row.final_url,
            hops=list(row.hops or []),
            content_type=row.content_type,
            content_length=row.content_length,
            etag=row.etag,
            last_modified=row.last_modified,
            ip=row.ip,
            changed=list(row.changed or []),
            error=row.error,
            elapsed_ms=row.elapsed_ms,
            at=row.at,
        )


class ScheduleOut(BaseModel):
    """Where an entry stands in the check schedule."""

    next_check_at: datetime
    last_checked_at: datetime | None
    last_present_at: datetime | None
    first_gone_at: datetime | None = Field(
        description="The first of the current run of gone checks; a second 12 h later removes."
    )
    gone_count: int
    needs_analyst_at: datetime | None
    baseline_id: int | None
    done_at: datetime | None = Field(description="When checking stopped (the entry left).")

    @classmethod
    def of(cls, row: CheckSchedule) -> ScheduleOut:
        """The API view of ``row``: its columns of the same names."""
        return cls.model_validate(row, from_attributes=True)


class EntryChecksOut(BaseModel):
    """An entry's URL, its place in the schedule and its check log (newest first)."""

    entry_id: str = Field(description="The entry's public id.")
    url: str = Field(description="What is checked: the first report's URL.")
    schedule: ScheduleOut | None = Field(description="None until the job first sees the entry.")
    checks: list[UrlCheckOut]


class AttentionOut(BaseModel):
    """An active entry that could not be checked successfully for too long (no address)."""

    entry_id: str
    category: str
    state: str
    needs_analyst_at: datetime
    last_present_at: datetime | None
    last_checked_at: datetime | None

    @classmethod
    def of(cls, entry: Entry, row: CheckSchedule) -> AttentionOut:
        """The API view of an entry needing an analyst."""
        assert row.needs_analyst_at is not None
        return cls(
            entry_id=entry.public_ref,
            category=entry.category_code,
            state=entry.state,
            needs_analyst_at=row.needs_analyst_at,
            last_present_at=row.last_present_at,
            last_checked_at=row.last_checked_at,
        )
