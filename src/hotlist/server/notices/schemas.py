"""Notices as the staff API shows them (no URL, no host: items name their entry)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from hotlist.server.entries.models import Entry
from hotlist.server.kit.types import Reason
from hotlist.server.notices.models import Notice, NoticeEvent, NoticeItem


class NoticeOut(BaseModel):
    """One notice: to whom, where it stands, when the ladder next acts."""

    id: int
    reference: str
    contact: str
    role: str
    country: str | None
    category: str
    state: str
    step: int = Field(description="Sends so far (0: a draft).")
    due_at: datetime | None = Field(description="When it is next sent or climbs the ladder.")
    overdue: bool
    first_sent_at: datetime | None
    last_sent_at: datetime | None
    held_until: datetime | None
    hold_reason: str | None
    escalated_from: int | None
    created_at: datetime
    closed_at: datetime | None

    @classmethod
    def of(cls, notice: Notice, now: datetime) -> NoticeOut:
        """The API view of ``notice`` at ``now``."""
        return cls(
            id=notice.id,
            reference=notice.reference,
            contact=notice.contact,
            role=notice.role,
            country=notice.country,
            category=notice.category_code,
            state=notice.state,
            step=notice.step,
            due_at=notice.due_at,
            overdue=notice.due_at is not None and notice.due_at < now,
            first_sent_at=notice.first_sent_at,
            last_sent_at=notice.last_sent_at,
            held_until=notice.held_until,
            hold_reason=notice.hold_reason,
            escalated_from=notice.escalated_from,
            created_at=notice.created_at,
            closed_at=notice.closed_at,
        )


class NoticeItemOut(BaseModel):
    """One entry a notice covers (its host and URL stay behind the entry's logged reveal)."""

    entry_id: str
    state: str
    removed_at: datetime | None

    @classmethod
    def of(cls, item: NoticeItem, entry: Entry) -> NoticeItemOut:
        """The API view of ``item``."""
        return cls(entry_id=entry.public_ref, state=item.state, removed_at=item.removed_at)


class NoticeEventOut(BaseModel):
    """One event of a notice's thread."""

    kind: str
    from_state: str | None
    to_state: str
    detail: str
    message_id: str | None
    actor_id: int | None
    at: datetime

    @classmethod
    def of(cls, event: NoticeEvent) -> NoticeEventOut:
        """The API view of ``event``: its columns of the same names."""
        return cls.model_validate(event, from_attributes=True)


class NoticeThread(NoticeOut):
    """A notice with its items and its events, oldest first."""

    items: list[NoticeItemOut]
    events: list[NoticeEventOut]


class HoldIn(BaseModel):
    """An analyst's hold: why, and until when (none: until released)."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason
    until: datetime | None = None


class ReleaseIn(BaseModel):
    """Why a hold is lifted."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason


class AcknowledgeIn(BaseModel):
    """What the contact said, in a few words."""

    model_config = ConfigDict(extra="forbid")

    detail: str = Field("", max_length=4000)


class FlaggedCaseOut(BaseModel):
    """A case the notices job did not notice, and why (no host, no URL)."""

    entry_id: str
    route: str
    note: str | None
    country: str | None
    opened_at: datetime


class NoticeQueue(BaseModel):
    """The staff's queue: what goes out next, what is overdue, and the cases left to a person
    (an intermediary, abroad and not yet referred, or unknown)."""

    next_out: list[NoticeOut]
    overdue: list[NoticeOut]
    flagged: list[FlaggedCaseOut]
