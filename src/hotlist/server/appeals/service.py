"""Appeals: anyone blocked asks for an entry to be reviewed; a supervisor other than the entry's
analyst decides, within ``appeal_decide_days``.

Where the supervisor sees a significant risk that the entry is wrong, it is suspended while the
appeal is open (:func:`suspend_interim`); entry changes go through the entries service (which
logs them), and the decision is logged here as ``appeal_decided``.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hotlist.errors import Conflict, NotFound, PolicyError
from hotlist.server.appeals.models import Appeal, AppealOutcome, AppealState, Relation
from hotlist.server.db.base import utcnow
from hotlist.server.db.rows import get_or_missing, page_after, where_given
from hotlist.server.entries import service as entries
from hotlist.server.entries.models import Entry, EntryState
from hotlist.server.kit.contacts import ContactCipher
from hotlist.server.kit.four_eyes import check_decider
from hotlist.server.kit.principal import Principal
from hotlist.server.log.service import record
from hotlist.server.policies import service as policies

CONTACT_RETENTION = timedelta(days=90)
INTERIM_PREFIX = "interim suspension while appeal"


def new_receipt() -> str:
    """A receipt: 120 random bits, URL-safe, unguessable (the appellant's only key)."""
    return secrets.token_urlsafe(15)


def submit(
    session: Session,
    entry: Entry,
    relation: Relation,
    reason: str,
    contact: str | None = None,
    cipher: ContactCipher | None = None,
    now: datetime | None = None,
) -> Appeal:
    """File an appeal against ``entry`` (at ``now``, the clock's time by default); nothing
    identifies the appellant but an optional, encrypted contact."""
    if entry.state == EntryState.REMOVED:
        raise Conflict(f"entry {entry.public_ref} is removed already; nothing blocks the address")
    encrypted = None
    if contact is not None:
        if cipher is None:
            raise PolicyError("this server takes no contact details; appeal without one")
        encrypted = cipher.encrypt(contact)
    appeal = Appeal(
        receipt=new_receipt(),
        entry_id=entry.id,
        relation=relation.value,
        reason=reason,
        contact=encrypted,
        state=AppealState.OPEN,
        created_at=now or utcnow(),
    )
    session.add(appeal)
    session.flush()
    return appeal


def by_receipt(session: Session, receipt: str) -> Appeal:
    """The appeal with ``receipt``."""
    appeal = session.scalar(select(Appeal).where(Appeal.receipt == receipt))
    if appeal is None:
        raise NotFound("no appeal has that receipt; check it was copied in full")
    return appeal


def get(session: Session, appeal_id: int) -> Appeal:
    """The appeal with id ``appeal_id``."""
    return get_or_missing(session, Appeal, appeal_id, f"no appeal {appeal_id}")


def is_overdue(appeal: Appeal, decide_days: int, now: datetime) -> bool:
    """Whether ``appeal`` is open for longer than the time allowed to decide it."""
    return appeal.state == AppealState.OPEN and now - appeal.created_at > timedelta(
        days=decide_days
    )


@dataclass(frozen=True)
class AppealFilter:
    """What the queue shows; ``overdue_before`` keeps only appeals filed before that time."""

    state: AppealState | None = None
    overdue_before: datetime | None = None


def queue(
    session: Session, where: AppealFilter, after_id: int = 0, limit: int = 50
) -> Sequence[Appeal]:
    """Appeals oldest first, after id ``after_id``."""
    query = where_given(select(Appeal), (Appeal.state, where.state))
    if where.overdue_before is not None:
        query = query.where(Appeal.state == AppealState.OPEN)
        query = query.where(Appeal.created_at < where.overdue_before)
    return page_after(session, query, Appeal.id, after_id, limit)


def _open(appeal: Appeal) -> None:
    if appeal.state != AppealState.OPEN:
        raise Conflict(f"appeal {appeal.id} is decided already ({appeal.outcome})")


def suspend_interim(
    session: Session, appeal: Appeal, reason: str, by: Principal, now: datetime | None = None
) -> Appeal:
    """Suspend the appealed entry while the appeal is open (a significant risk it is wrong)."""
    _open(appeal)
    if appeal.interim_at is not None:
        raise Conflict(f"appeal {appeal.id} has its interim suspension already")
    entry = session.get_one(Entry, appeal.entry_id)
    entries.check_reason(entry, "reason", reason)
    decider = check_decider(entry, by, f"appeal {appeal.id}")
    if entry.state != EntryState.ACTIVE:
        raise Conflict(
            f"entry {entry.public_ref} is {entry.state}; only an active one is suspended"
        )
    now = now or utcnow()
    entries.transition(
        session,
        entry,
        EntryState.SUSPENDED,
        f"{INTERIM_PREFIX} {appeal.id} is open (significant risk the entry is wrong): {reason}",
        decider,
        now,
    )
    appeal.interim_at = now
    appeal.interim_by = decider
    appeal.interim_reason = reason
    session.flush()
    return appeal


def decide(
    session: Session,
    appeal: Appeal,
    outcome: AppealOutcome,
    reason: str,
    by: Principal,
    decide_days: int = 7,
    now: datetime | None = None,
) -> Appeal:
    """Decide ``appeal`` at ``now``: upheld removes the entry; rejected reinstates it if this
    appeal had it suspended (and it still is). The log notes whether it was decided late."""
    _open(appeal)
    entry = session.get_one(Entry, appeal.entry_id)
    # Public: the appellant reads it on /v1/appeals/{receipt}.
    entries.check_reason(entry, "reason", reason)
    decider = check_decider(entry, by, f"appeal {appeal.id}")
    now = now or utcnow()
    overdue = is_overdue(appeal, decide_days, now)
    appeal.state = AppealState.DECIDED
    appeal.outcome = outcome.value
    appeal.decision_reason = reason
    appeal.decided_by = decider
    appeal.decided_at = now
    session.flush()
    because = f"appeal {appeal.id} {outcome.value}: {reason}"
    if outcome is AppealOutcome.UPHELD:
        if entry.state != EntryState.REMOVED:
            entries.transition(session, entry, EntryState.REMOVED, because, decider, now)
    elif appeal.interim_at is not None and entry.state == EntryState.SUSPENDED:
        entries.transition(session, entry, EntryState.ACTIVE, because, decider, now)
    appeal.log_index = record(
        session,
        "appeal_decided",
        at=now,
        appeal_id=appeal.id,
        entry_id=entry.public_ref,
        outcome=outcome.value,
        relation=appeal.relation,
        overdue=overdue,
        interim_suspension=appeal.interim_at is not None,
        policy_version=policies.version_numbers(session, {entry.policy_version_id}).get(
            entry.policy_version_id
        ),
    )
    session.flush()
    return appeal


def purge_contacts(
    session: Session, now: datetime | None = None, retention: timedelta = CONTACT_RETENTION
) -> int:
    """Erase appellants' contacts filed more than ``retention`` ago; returns how many."""
    now = now or utcnow()
    result = session.execute(
        update(Appeal)
        .where(Appeal.contact.is_not(None))
        .where(Appeal.created_at < now - retention)
        .values(contact=None, contact_purged_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)
