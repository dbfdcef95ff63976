"""The re-notice ladder, pure: given where a sent notice stands and its category's
:class:`~hotlist.policy.model.Removal`, what is due next and when.

Hours count from the first notice of the chain (``origin_sent_at``: the host's first notice,
which an escalated notice carries on):

- to the host: re-sent every ``renotice_hours`` (unless acknowledged) until ``escalate_hours``,
  then escalated to the upstream network or the registrar;
- to the upstream or registrar (or the host when no one above it is known): re-sent likewise
  until ``refer_hours``, then referred (the partner hotline or the police contact);
- to the partner or the police: nothing more; the checker closes it when the content is gone.

A hold stops everything until it is released (or until ``held_until``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from hotlist.policy.model import Removal
from hotlist.server.notices.models import ContactRole, NoticeState


class Action(StrEnum):
    """What the ladder asks for."""

    RESEND = "resend"
    ESCALATE = "escalate"
    REFER = "refer"
    NOTHING = "nothing"


@dataclass(frozen=True)
class Standing:
    """What the ladder reads of a notice."""

    state: NoticeState
    role: ContactRole
    step: int
    """Sends so far (1 after the first notice)."""
    first_sent_at: datetime | None
    """This notice's first send."""
    origin_sent_at: datetime | None = None
    """The chain's first notice (the host's); this notice's own first send when None."""
    escalated: bool = False
    """Whether escalation was tried already (a host with no one above it stays on the host)."""
    held: bool = False
    held_until: datetime | None = None


@dataclass(frozen=True)
class Due:
    """The next action and when it falls due (None: never, e.g. a closed notice or an open
    hold)."""

    action: Action
    at: datetime | None


NEVER = Due(Action.NOTHING, None)
_LIVE = frozenset({NoticeState.SENT, NoticeState.ACKNOWLEDGED})


def schedule(standing: Standing, removal: Removal) -> Due:
    """The next action of ``standing`` and its time, whatever the time now."""
    if standing.state not in _LIVE or standing.first_sent_at is None:
        return NEVER
    if standing.role in (ContactRole.PARTNER, ContactRole.POLICE):
        return NEVER
    origin = standing.origin_sent_at or standing.first_sent_at
    escalate_at = origin + timedelta(hours=removal.escalate_hours)
    refer_at = origin + timedelta(hours=removal.refer_hours)
    on_host = standing.role is ContactRole.HOST and not standing.escalated
    limit, action = (escalate_at, Action.ESCALATE) if on_host else (refer_at, Action.REFER)
    due = Due(action, limit)
    if standing.state is NoticeState.SENT and removal.renotice_hours > 0:
        resend_at = standing.first_sent_at + timedelta(
            hours=removal.renotice_hours * max(standing.step, 1)
        )
        if resend_at < limit:
            due = Due(Action.RESEND, resend_at)
    return due


def due(standing: Standing, removal: Removal, now: datetime) -> Due:
    """What is due at ``now``: the scheduled action when its time has come (NOTHING with the
    time otherwise); a hold postpones everything to its end (or forever)."""
    planned = schedule(standing, removal)
    if planned.at is None:
        return planned
    if standing.held and (standing.held_until is None or standing.held_until > now):
        return Due(Action.NOTHING, standing.held_until)
    if planned.at > now:
        return Due(Action.NOTHING, planned.at)
    if planned.action is Action.RESEND:
        # Late (the job did not run, or a hold ended): a rung whose hour has come wins over
        # the reminders missed before it.
        rung = schedule(replace(standing, state=NoticeState.ACKNOWLEDGED), removal)
        if rung.at is not None and rung.at <= now:
            return rung
    return planned
