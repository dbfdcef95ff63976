"""Entries: made by actionable assessments, moved between states by people, expired by time.

Every change appends an :class:`EntryEvent`; nothing is deleted. :func:`active_entries` is
what the publisher turns into a list version.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotlist.errors import Conflict, NotFound, PolicyError
from hotlist.policy import Category
from hotlist.server.db.base import utcnow
from hotlist.server.entries.models import Entry, EntryEvent, EntryState, EventKind
from hotlist.server.policies import service as policies
from hotlist.server.policies.models import PolicyVersion
from hotlist.server.reasons import check_free_text
from hotlist.server.reports.models import Report
from hotlist.server.translog.hooks import entry_fields, log_entry_added, log_entry_transition
from hotlist.server.translog.service import record
from hotlist.urls import Scope, entry_expression, expression_hash, expression_host

TRANSITIONS: Mapping[EntryState, frozenset[EntryState]] = {
    EntryState.ACTIVE: frozenset({EntryState.SUSPENDED, EntryState.EXPIRED, EntryState.REMOVED}),
    EntryState.SUSPENDED: frozenset({EntryState.ACTIVE, EntryState.EXPIRED, EntryState.REMOVED}),
    EntryState.EXPIRED: frozenset({EntryState.ACTIVE, EntryState.REMOVED}),
    EntryState.REMOVED: frozenset(),
}
"""Which state may follow which; ``removed`` is final (the content is gone, or it was wrong)."""

_KIND_FOR_STATE: Mapping[EntryState, EventKind] = {
    EntryState.ACTIVE: EventKind.ACTIVATED,
    EntryState.SUSPENDED: EventKind.SUSPENDED,
    EntryState.EXPIRED: EventKind.EXPIRED,
    EntryState.REMOVED: EventKind.REMOVED,
}

MAX_PUBLIC_ID = 2**63 - 1


@dataclass(frozen=True)
class Decision:
    """What an actionable assessment decided, for :func:`create_or_join`."""

    expression: str
    scope: Scope
    category: Category
    policy_version_id: int
    facts: str
    scope_reason: str
    decided_by: int
    report_id: int


@dataclass(frozen=True)
class ActiveEntry:
    """An entry in force as the publisher needs it: no plaintext."""

    public_id: int
    expression_hash: bytes
    host: str
    category_wire_id: int
    disputed: bool


def new_public_id() -> int:
    """A random, non-zero 63-bit id (fits a signed 64-bit column on every database)."""
    return secrets.randbelow(MAX_PUBLIC_ID) + 1


def find_active(session: Session, digest: bytes) -> Entry | None:
    """The active entry listing the expression with SHA-256 ``digest``, if any."""
    query = select(Entry).where(Entry.expression_hash == digest)
    return session.scalars(query.where(Entry.state == EntryState.ACTIVE)).first()


def create_or_join(session: Session, decision: Decision) -> tuple[Entry, bool]:
    """The active entry for the decision's expression, made if none; and whether it is new.

    Joining an existing entry appends a ``report_added`` event; its statement of reasons stays
    the one it was made with.
    """
    digest = expression_hash(decision.expression)
    now = utcnow()
    existing = find_active(session, digest)
    if existing is not None:
        _append(session, existing, EventKind.REPORT_ADDED, existing.state, decision, now)
        return existing, False
    category = decision.category
    entry = Entry(
        public_id=new_public_id(),
        expression=decision.expression,
        expression_hash=digest,
        host=expression_host(decision.expression),
        scope=decision.scope.value,
        category_code=category.code,
        category_wire_id=category.wire_id,
        policy_version_id=decision.policy_version_id,
        legal_basis=category.legal_basis_text(),
        legal_order=category.legal_order,
        territorial_scope=", ".join(category.jurisdictions),
        facts=decision.facts,
        scope_reason=decision.scope_reason,
        decided_by=decision.decided_by,
        decided_at=now,
        state=EntryState.ACTIVE,
        disputed=False,
        expires_at=now + timedelta(days=category.reverify_days),
        created_at=now,
        state_changed_at=now,
    )
    session.add(entry)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "another analyst listed the same expression at the same moment; assess again"
        ) from exc
    _append(session, entry, EventKind.CREATED, None, decision, now)
    log_entry_added(session, entry)
    return entry, True


def _append(
    session: Session,
    entry: Entry,
    kind: EventKind,
    from_state: str | None,
    decision: Decision,
    now: datetime,
) -> None:
    session.add(
        EntryEvent(
            entry_id=entry.id,
            kind=kind,
            from_state=from_state,
            to_state=entry.state,
            reason=decision.facts,
            actor_id=decision.decided_by,
            report_id=decision.report_id,
            at=now,
        )
    )
    session.flush()


def check_reason(entry: Entry, field: str, text: str) -> str:
    """``text`` if it names no address (neither ``entry``'s nor any other): free text about an
    entry is read outside the hotline. InvalidField naming ``field`` otherwise."""
    return check_free_text(field, text, urls=(entry.expression,), hosts=(entry.host,))


def get_by_public_id(session: Session, public_id: int, *, for_update: bool = False) -> Entry:
    """The entry members know as ``public_id``; ``for_update`` locks its row (PostgreSQL)
    until the transaction ends, for changes of state."""
    query = select(Entry).where(Entry.public_id == public_id)
    entry = session.scalar(query.with_for_update() if for_update else query)
    if entry is None:
        raise NotFound(f"no entry {public_id:016x}")
    return entry


@dataclass(frozen=True)
class EntryFilter:
    """Which entries a listing shows; None means any."""

    state: EntryState | None = None
    category_code: str | None = None
    scope: Scope | None = None


def list_entries(
    session: Session, where: EntryFilter, after_id: int = 0, limit: int = 50
) -> Sequence[Entry]:
    """Entries in the order made, after id ``after_id``."""
    query = select(Entry).where(Entry.id > after_id)
    if where.state is not None:
        query = query.where(Entry.state == where.state)
    if where.category_code is not None:
        query = query.where(Entry.category_code == where.category_code)
    if where.scope is not None:
        query = query.where(Entry.scope == where.scope)
    return session.scalars(query.order_by(Entry.id).limit(limit)).all()


def events(
    session: Session, entry: Entry, after_id: int = 0, limit: int = 100
) -> Sequence[EntryEvent]:
    """The entry's events, oldest first, after id ``after_id``."""
    query = select(EntryEvent).where(EntryEvent.entry_id == entry.id)
    query = query.where(EntryEvent.id > after_id).order_by(EntryEvent.id)
    return session.scalars(query.limit(limit)).all()


def transition(
    session: Session,
    entry: Entry,
    to_state: EntryState,
    reason: str,
    actor_id: int | None,
    now: datetime | None = None,
) -> EntryEvent:
    """Move ``entry`` to ``to_state`` and record why; Conflict when the move is not allowed.

    Activating an entry again starts a new re-verification period (its category's
    ``reverify_days`` under the entry's policy version) and needs no other active entry to list
    the same expression. ``reason`` is shown to members and observers: it may name no address.
    """
    check_reason(entry, "reason", reason)
    now = now or utcnow()
    current = EntryState(entry.state)
    if to_state not in TRANSITIONS[current]:
        if not TRANSITIONS[current]:
            raise Conflict(f"entry {entry.public_ref} is {current.value}, which is final")
        allowed = ", ".join(sorted(TRANSITIONS[current]))
        raise Conflict(
            f"entry {entry.public_ref} is {current.value}; it cannot become {to_state.value} "
            f"(it can become: {allowed})"
        )
    if to_state is EntryState.ACTIVE:
        other = find_active(session, entry.expression_hash)
        if other is not None:
            raise Conflict(
                f"entry {other.public_ref} already lists the same expression; "
                "suspend or remove it first"
            )
        version = session.get(PolicyVersion, entry.policy_version_id)
        days = 0
        if version is not None:
            days = policies.policy_of(version).category(entry.category_code).reverify_days
        entry.expires_at = now + timedelta(days=days)
    try:
        session.flush()
        # Applied only if nobody moved the entry since it was read (whatever the isolation).
        moved = session.execute(
            update(Entry)
            .where(Entry.id == entry.id)
            .where(Entry.state == current.value)
            .values(state=to_state.value, state_changed_at=now)
            .returning(Entry.id),
            execution_options={"synchronize_session": False},
        ).all()
    except IntegrityError as exc:
        raise Conflict("the entry changed at the same moment; reload it and try again") from exc
    if not moved:
        raise Conflict(f"entry {entry.public_ref} was changed by someone else; reload it")
    session.refresh(entry)
    event = EntryEvent(
        entry_id=entry.id,
        kind=_KIND_FOR_STATE[to_state],
        from_state=current.value,
        to_state=to_state.value,
        reason=reason,
        actor_id=actor_id,
        at=now,
    )
    session.add(event)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("the entry changed at the same moment; reload it and try again") from exc
    log_entry_transition(session, entry, current, actor_id)
    return event


def expire_due(session: Session, now: datetime | None = None) -> Sequence[Entry]:
    """Expire every active entry whose ``expires_at`` has passed; one event each."""
    now = now or utcnow()
    due = session.scalars(
        select(Entry)
        .where(Entry.state == EntryState.ACTIVE)
        .where(Entry.expires_at <= now)
        .order_by(Entry.id)
    ).all()
    for entry in due:
        reason = f"not re-verified by {entry.expires_at.isoformat()}"
        transition(session, entry, EntryState.EXPIRED, reason, actor_id=None, now=now)
    return due


def active_entries(session: Session) -> Sequence[ActiveEntry]:
    """Every entry in force, by id, as the publisher lists it (hashes, never expressions)."""
    rows = session.execute(
        select(
            Entry.public_id,
            Entry.expression_hash,
            Entry.host,
            Entry.category_wire_id,
            Entry.disputed,
        )
        .where(Entry.state == EntryState.ACTIVE)
        .order_by(Entry.id)
    ).all()
    return [
        ActiveEntry(
            public_id=row.public_id,
            expression_hash=bytes(row.expression_hash),
            host=row.host,
            category_wire_id=row.category_wire_id,
            disputed=row.disputed,
        )
        for row in rows
    ]


def set_disputed(
    session: Session, entry: Entry, disputed: bool, objection_id: int | None = None
) -> None:
    """Flag ``entry`` as disputed by a member (or clear the flag) and log it; the next list
    version carries the flag. It changes no state: each member's edge setting decides."""
    if entry.disputed == disputed:
        return
    entry.disputed = disputed
    session.flush()
    kind = "entry_disputed" if disputed else "entry_undisputed"
    record(session, kind, objection_id=objection_id, **entry_fields(session, entry))


def rescope(
    session: Session,
    entry: Entry,
    scope: Scope,
    reason: str,
    actor_id: int,
    objection_id: int | None = None,
) -> Entry:
    """Replace ``entry`` by an entry of ``scope`` over the same URL, and remove the old one.

    The new entry keeps the statement of reasons (category, policy version, facts) with
    ``reason`` as its scope reason and ``actor_id`` as its decider; the old one is removed with a
    reason naming the new one. When an active entry already lists the new expression, the old
    one is removed in its favour.
    """
    if entry.state == EntryState.REMOVED:
        raise Conflict(f"entry {entry.public_ref} is removed already; it cannot change scope")
    if entry.scope == scope.value:
        raise PolicyError(f"entry {entry.public_ref} has scope {scope.value} already")
    expression = entry_expression("http://" + entry.expression, scope)
    version = session.get_one(PolicyVersion, entry.policy_version_id)
    category = policies.policy_of(version).category(entry.category_code)
    if scope is Scope.HOST and not category.host_scope_allowed:
        raise PolicyError(
            f"host scope refused: category {category.code!r} does not allow host scope"
        )
    report_id = session.scalar(
        select(Report.id).where(Report.entry_id == entry.id).order_by(Report.id).limit(1)
    )
    if report_id is None:
        raise Conflict(f"entry {entry.public_ref} has no report to carry over to a new scope")
    new, _created = create_or_join(
        session,
        Decision(
            expression=expression,
            scope=scope,
            category=category,
            policy_version_id=entry.policy_version_id,
            facts=entry.facts,
            scope_reason=reason,
            decided_by=actor_id,
            report_id=report_id,
        ),
    )
    transition(
        session,
        entry,
        EntryState.REMOVED,
        f"replaced by entry {new.public_ref} of scope {scope.value}: {reason}",
        actor_id,
    )
    record(
        session,
        "entry_scope_changed",
        scope=scope.value,
        previous_scope=entry.scope,
        previous_entry_id=entry.public_ref,
        previous_expression_hash=entry.expression_hash.hex(),
        objection_id=objection_id,
        **entry_fields(session, new),
    )
    return new
