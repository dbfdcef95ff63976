"""Objections: a member flags an entry as disputed; a supervisor who did not make it decides.

Entry changes go through the entries service (which logs them); the decision itself is logged
here as ``objection_decided``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotlist.errors import Conflict, NotFound, PermissionDenied, PolicyError
from hotlist.policy import SharedHostingList
from hotlist.server.db.base import utcnow
from hotlist.server.db.rows import get_or_missing, page_after, where_given
from hotlist.server.entries import service as entries
from hotlist.server.entries.models import Entry, EntryState
from hotlist.server.entries.scope import check_shared_hosting
from hotlist.server.kit.four_eyes import check_decider
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal
from hotlist.server.log.service import record
from hotlist.server.objections.models import Objection, ObjectionOutcome, ObjectionState
from hotlist.server.policies import service as policies
from hotlist.server.reports.service import first_report_id
from hotlist.urls import Scope


def file(session: Session, entry: Entry, reason: str, by: Principal) -> Objection:
    """A member's objection to ``entry``; the entry is flagged disputed in the next version."""
    if by.org_id is None:
        raise PermissionDenied("an objection is made on behalf of a member organisation")
    if entry.state == EntryState.REMOVED:
        raise Conflict(f"entry {entry.public_ref} is removed already; nothing to object to")
    already = session.scalar(
        select(Objection.id)
        .where(Objection.entry_id == entry.id)
        .where(Objection.org_id == by.org_id)
        .where(Objection.state == ObjectionState.OPEN)
    )
    if already is not None:
        raise Conflict(
            f"your organisation's objection {already} to entry {entry.public_ref} is open; "
            "a supervisor will decide it"
        )
    objection = Objection(
        entry_id=entry.id,
        org_id=by.org_id,
        key_id=by.key_id,
        reason=reason,
        state=ObjectionState.OPEN,
        created_at=utcnow(),
    )
    session.add(objection)
    session.flush()
    if not entry.disputed:
        entries.set_disputed(session, entry, True, objection.id)
    return objection


def get(session: Session, objection_id: int) -> Objection:
    """The objection with id ``objection_id``."""
    return get_or_missing(session, Objection, objection_id, f"no objection {objection_id}")


def get_for(session: Session, objection_id: int, viewer: Principal) -> Objection:
    """The objection, if ``viewer`` may see it: staff see all, a member only its own."""
    objection = get(session, objection_id)
    if viewer.org_id != objection.org_id and not is_staff(viewer):
        raise NotFound(f"no objection {objection_id}")
    return objection


def is_staff(viewer: Principal) -> bool:
    """Whether ``viewer`` sees every objection (the hotline's decision makers and observers)."""
    return viewer.can(Permission.OBJECTIONS_DECIDE) or viewer.can(Permission.REPORTS_READ)


@dataclass(frozen=True)
class ObjectionFilter:
    """What a listing shows; ``org_id`` limits it to one member's objections."""

    state: ObjectionState | None = None
    org_id: int | None = None


def listing(
    session: Session, where: ObjectionFilter, after_id: int = 0, limit: int = 50
) -> Sequence[Objection]:
    """Objections oldest first (the queue order), after id ``after_id``."""
    query = where_given(
        select(Objection), (Objection.state, where.state), (Objection.org_id, where.org_id)
    )
    return page_after(session, query, Objection.id, after_id, limit)


@dataclass(frozen=True)
class ObjectionDecision:
    """A supervisor's decision; ``new_scope`` (and a reason naming why) for ``scope_changed``."""

    outcome: ObjectionOutcome
    reason: str
    new_scope: Scope | None = None


def decide(
    session: Session,
    objection: Objection,
    decision: ObjectionDecision,
    by: Principal,
    shared_hosting: SharedHostingList,
) -> Objection:
    """Decide ``objection``: remove the entry, clear its flag, or replace it by a new scope.

    A new host scope needs a host off the shared-hosting warning list (as in an assessment).
    """
    if objection.state != ObjectionState.OPEN:
        raise Conflict(f"objection {objection.id} is decided already ({objection.outcome})")
    entry = session.get_one(Entry, objection.entry_id)
    entries.check_reason(entry, "reason", decision.reason)
    decider = check_decider(entry, by, f"objection {objection.id}")
    outcome = decision.outcome
    if outcome is not ObjectionOutcome.SCOPE_CHANGED and decision.new_scope is not None:
        raise PolicyError("new_scope goes only with the outcome scope_changed")
    if outcome is ObjectionOutcome.SCOPE_CHANGED and decision.new_scope is None:
        raise PolicyError("the outcome scope_changed needs new_scope (page, folder or host)")
    now = utcnow()
    objection.state = ObjectionState.DECIDED
    objection.outcome = outcome.value
    objection.decision_reason = decision.reason
    objection.decided_by = decider
    objection.decided_at = now
    session.flush()
    because = f"objection {objection.id} {outcome.value}: {decision.reason}"
    if outcome is ObjectionOutcome.UPHELD:
        if entry.state != EntryState.REMOVED:
            entries.transition(session, entry, EntryState.REMOVED, because, decider, now)
    elif outcome is ObjectionOutcome.SCOPE_CHANGED:
        if decision.new_scope is Scope.HOST:
            check_shared_hosting(entry.host, shared_hosting)
        scope = decision.new_scope
        if scope is None:  # checked above; kept for the type checker
            raise PolicyError("the outcome scope_changed needs new_scope")
        new = entries.rescope(
            session,
            entry,
            scope,
            because,
            decider,
            objection.id,
            report_id=first_report_id(session, entry.id),
        )
        objection.new_entry_id = new.id
    _clear_flag_if_settled(session, entry, objection.id)
    objection.log_index = record(
        session,
        "objection_decided",
        at=now,
        objection_id=objection.id,
        entry_id=entry.public_ref,
        outcome=outcome.value,
        policy_version=policies.version_numbers(session, {entry.policy_version_id}).get(
            entry.policy_version_id
        ),
    )
    session.flush()
    return objection


def _clear_flag_if_settled(session: Session, entry: Entry, objection_id: int) -> None:
    """Clear ``entry``'s disputed flag once no objection to it is open."""
    still_open = session.scalar(
        select(Objection.id)
        .where(Objection.entry_id == entry.id)
        .where(Objection.state == ObjectionState.OPEN)
        .limit(1)
    )
    if still_open is None and entry.disputed:
        entries.set_disputed(session, entry, False, objection_id)
