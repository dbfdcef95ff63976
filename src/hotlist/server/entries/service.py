"""Entries: made by actionable assessments (or imported in bulk), moved between states by
people, expired by time.

Every change appends an :class:`EntryEvent`; nothing is deleted. :func:`active_entries` is
what the publisher turns into a list version.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, insert, literal, null, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotlist.errors import Conflict, NotFound, PolicyError
from hotlist.policy import Category
from hotlist.publish.wire import MAX_ENTRY_ID, format_entry_id, parse_entry_id
from hotlist.server.db.base import utcnow
from hotlist.server.db.rows import page_after, where_given
from hotlist.server.entries.log_events import (
    NewEntry,
    entry_fields,
    log_entries_added,
    log_entry_added,
    log_entry_transition,
)
from hotlist.server.entries.models import Entry, EntryEvent, EntryState, EventKind
from hotlist.server.entries.scope import scope_reason
from hotlist.server.log.service import record
from hotlist.server.policies import service as policies
from hotlist.server.policies.models import PolicyVersion
from hotlist.server.reasons import check_free_text
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

MAX_PUBLIC_ID = MAX_ENTRY_ID
_IN_CHUNK = 5_000
"""Expression hashes per ``IN (...)`` lookup: under every database's limit on parameters."""


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
    report_id: int | None
    note: str | None = None
    """The created event's reason, the decider's note (default: ``facts``)."""


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


def entry_values(decision: Decision, now: datetime) -> dict[str, Any]:
    """The columns of a new active entry made by ``decision`` at ``now``: its statement of
    reasons (from the decision and its category), a new public id, and when it expires."""
    category = decision.category
    return {
        "public_id": new_public_id(),
        "expression": decision.expression,
        "expression_hash": expression_hash(decision.expression),
        "host": expression_host(decision.expression),
        "scope": decision.scope.value,
        "category_code": category.code,
        "category_wire_id": category.wire_id,
        "policy_version_id": decision.policy_version_id,
        "legal_basis": category.legal_basis_text(),
        "legal_order": category.legal_order,
        "territorial_scope": ", ".join(category.jurisdictions),
        "facts": decision.facts,
        "scope_reason": decision.scope_reason,
        "decided_by": decision.decided_by,
        "decided_at": now,
        "state": EntryState.ACTIVE.value,
        "disputed": False,
        "expires_at": now + timedelta(days=category.reverify_days),
        "created_at": now,
        "state_changed_at": now,
    }


def _event_values(
    entry_id: int,
    kind: EventKind,
    from_state: str | None,
    to_state: str,
    decision: Decision,
    now: datetime,
) -> dict[str, Any]:
    reason = decision.note if kind is EventKind.CREATED and decision.note else decision.facts
    return {
        "entry_id": entry_id,
        "kind": kind.value,
        "from_state": from_state,
        "to_state": to_state,
        "reason": reason,
        "actor_id": decision.decided_by,
        "report_id": decision.report_id,
        "at": now,
    }


def create_or_join(session: Session, decision: Decision) -> tuple[Entry, bool]:
    """The active entry for the decision's expression, made if none; and whether it is new.

    Joining an existing entry appends a ``report_added`` event; its statement of reasons stays
    the one it was made with.
    """
    now = utcnow()
    values = entry_values(decision, now)
    existing = find_active(session, values["expression_hash"])
    if existing is not None:
        _append(session, existing, EventKind.REPORT_ADDED, existing.state, decision, now)
        return existing, False
    entry = Entry(**values)
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


def active_hashes(session: Session, digests: Collection[bytes]) -> set[bytes]:
    """Which of the expression hashes ``digests`` an active entry lists already (bulk)."""
    found: set[bytes] = set()
    pending = list(digests)
    for start in range(0, len(pending), _IN_CHUNK):
        query = (
            select(Entry.expression_hash)
            .where(Entry.expression_hash.in_(pending[start : start + _IN_CHUNK]))
            .where(Entry.state == EntryState.ACTIVE)
        )
        found.update(bytes(digest) for digest in session.scalars(query))
    return found


def create_many(session: Session, decisions: Sequence[Decision]) -> list[int]:
    """Make an active entry for each decision at once; their public ids, in the order made
    (the order of their expression hashes).

    The bulk form of making entries with :func:`create_or_join`: the same columns, one
    ``created`` event each and one ``entry_added`` log leaf each, in a few statements. The
    caller leaves out expressions already listed (:func:`active_hashes`) and repeats; one that
    is listed raises IntegrityError (the partial unique index) and the caller's transaction
    is rolled back whole.
    """
    if not decisions:
        return []
    now = utcnow()
    # In the order of their hashes (the indexes of hashes grow in order), as one executemany
    # without the ORM's work per row.
    made = sorted(
        ((entry_values(decision, now), decision) for decision in decisions),
        key=lambda pair: pair[0]["expression_hash"],
    )
    rows = [row for row, _decision in made]
    session.execute(insert(_table(Entry)), rows)
    # Events alike but for their entry's id: one INSERT ... SELECT for each kind of event.
    alike: dict[tuple[Any, ...], list[int]] = {}
    for row, decision in made:
        values = _event_values(0, EventKind.CREATED, None, EntryState.ACTIVE.value, decision, now)
        alike.setdefault(tuple(values.items()), []).append(row["public_id"])
    for key, public_ids in alike.items():
        for start in range(0, len(public_ids), _IN_CHUNK):
            _insert_events(session, dict(key), public_ids[start : start + _IN_CHUNK])
    log_entries_added(
        session,
        [
            NewEntry(
                public_id=row["public_id"],
                expression_hash=row["expression_hash"],
                category_code=row["category_code"],
                policy_version_id=row["policy_version_id"],
                scope=row["scope"],
                created_at=now,
                expires_at=row["expires_at"],
            )
            for row in rows
        ],
    )
    return [row["public_id"] for row in rows]


def _table(model: type[Entry | EntryEvent]) -> Table:
    return model.metadata.tables[model.__tablename__]


def _insert_events(session: Session, values: dict[str, Any], public_ids: list[int]) -> None:
    """Insert ``values`` as an event of each entry in ``public_ids``, its ``entry_id`` theirs."""
    events, entries = _table(EntryEvent), _table(Entry)
    columns = [
        entries.c.id
        if name == "entry_id"
        else null()
        if value is None
        else literal(value, events.c[name].type)
        for name, value in values.items()
    ]
    chosen = select(*columns).where(entries.c.public_id.in_(public_ids)).order_by(entries.c.id)
    session.execute(insert(events).from_select(list(values), chosen))


def _append(
    session: Session,
    entry: Entry,
    kind: EventKind,
    from_state: str | None,
    decision: Decision,
    now: datetime,
) -> None:
    session.add(EntryEvent(**_event_values(entry.id, kind, from_state, entry.state, decision, now)))
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
        raise NotFound(f"no entry {format_entry_id(public_id)}")
    return entry


def entry_by_ref(session: Session, ref: str, *, for_update: bool = False) -> Entry:
    """The entry with public id ``ref`` (16 hex digits, as members and the block page show it);
    ``for_update`` as in :func:`get_by_public_id`."""
    try:
        value = parse_entry_id(ref)
    except ValueError:
        raise NotFound(f"no entry {ref}") from None
    if not 0 < value <= MAX_PUBLIC_ID:
        raise NotFound(f"no entry {ref}")
    return get_by_public_id(session, value, for_update=for_update)


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
    query = where_given(
        select(Entry),
        (Entry.state, where.state),
        (Entry.category_code, where.category_code),
        (Entry.scope, where.scope),
    )
    return page_after(session, query, Entry.id, after_id, limit)


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
    *,
    log_reason: str | None = None,
) -> EntryEvent:
    """Move ``entry`` to ``to_state`` and record why; Conflict when the move is not allowed.

    Activating an entry again starts a new re-verification period (its category's
    ``reverify_days`` under the entry's policy version) and needs no other active entry to list
    the same expression. ``reason`` is shown to members and observers: it may name no address.
    ``log_reason`` is the transparency log's reason code for the move (such as
    :data:`~hotlist.server.entries.log_events.GONE_AT_SOURCE`).
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
    log_entry_transition(session, entry, current, actor_id, log_reason)
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
    *,
    report_id: int | None,
) -> Entry:
    """Replace ``entry`` by an entry of ``scope`` over the same URL, and remove the old one.

    The new entry keeps the statement of reasons (category, policy version, facts) with
    ``reason`` as its scope reason and ``actor_id`` as its decider, and carries over
    ``report_id``, the first report the old one covers, if any (an imported entry may have none:
    :func:`hotlist.server.reports.service.first_report_id`); the old one is removed with a
    reason naming the new one. When an active entry already lists the new expression, the old
    one is removed in its favour. The scope rules are
    :func:`~hotlist.server.entries.scope.scope_reason`'s.
    """
    if entry.state == EntryState.REMOVED:
        raise Conflict(f"entry {entry.public_ref} is removed already; it cannot change scope")
    if entry.scope == scope.value:
        raise PolicyError(f"entry {entry.public_ref} has scope {scope.value} already")
    expression = entry_expression("http://" + entry.expression, scope)
    version = session.get_one(PolicyVersion, entry.policy_version_id)
    category = policies.policy_of(version).category(entry.category_code)
    scope_reason(scope, reason, category)
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
