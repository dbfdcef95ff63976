"""Notice and takedown: removal cases, drafts grouped per contact, sending, the ladder, holds,
replies, and what the checker's "gone" does to all of them.

Every change of a notice is an append-only :class:`NoticeEvent`; each outcome is also a
``notice_outcome`` event of the transparency log (ids, codes and counts only: never a URL or a
contact). Functions work in the caller's transaction and flush; the caller commits.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from hotlist.errors import Conflict, DeliveryError, InvalidField, InvalidRequest, NotFound
from hotlist.policy import Category
from hotlist.policy.model import Removal
from hotlist.publish.log.events import LogEventKind
from hotlist.server.entries.models import Entry
from hotlist.server.hosting import service as hosting
from hotlist.server.hosting.models import HostingLookup
from hotlist.server.kit.lookups import HostingSources
from hotlist.server.kit.mailer import Mailer
from hotlist.server.log.service import record
from hotlist.server.notices import ladder
from hotlist.server.notices.message import Draft, Item, compose
from hotlist.server.notices.models import (
    CaseRoute,
    ContactRole,
    ItemState,
    Notice,
    NoticeEvent,
    NoticeEventKind,
    NoticeItem,
    NoticeState,
    RemovalCase,
    RemovalOutcome,
)
from hotlist.server.notices.xarf import Sender
from hotlist.server.policies import service as policies
from hotlist.server.policies.models import PolicyVersion
from hotlist.server.reasons import check_free_text
from hotlist.server.reports.models import Report

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U
CLOSED = frozenset({NoticeState.REMOVED, NoticeState.ESCALATED, NoticeState.UNRESOLVED})
RETRY_S = 300.0
"""How long a notice whose send failed waits before the next try."""


@dataclass(frozen=True)
class Outbox:
    """What sending needs beyond the database: the mailer, the hosting sources (to re-resolve
    just before sending), who we are, and the ladder's settings."""

    mailer: Mailer
    sources: HostingSources
    sender_address: str = "hotline@hotline.invalid"
    """Where notices come from and replies go (the policy's operator is the sender's name)."""
    window_s: float = 900.0
    police_contact: str | None = None
    retry_s: float = RETRY_S


def new_reference() -> str:
    """A new notice reference, ``N-`` and 8 characters of Crockford's base 32."""
    return "N-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))


# --- removal cases ------------------------------------------------------------------------


def ensure_case(
    session: Session, entry: Entry, *, received: dict[int, datetime] | None = None
) -> RemovalCase:
    """The entry's removal case, opened now (report received: its first report's time) if
    it has none. ``received`` holds the first reports' times already looked up for a batch
    (:func:`first_reports`; an entry missing there has no report)."""
    case = session.get(RemovalCase, entry.id)
    if case is not None:
        return case
    if received is None:
        received = first_reports(session, [entry.id])
    case = new_case(entry, received.get(entry.id))
    session.add(case)
    session.flush()
    return case


def new_case(entry: Entry, report_received_at: datetime | None) -> RemovalCase:
    """A new open case for ``entry`` (not added: the caller knows it has none)."""
    return RemovalCase(
        entry_id=entry.id,
        category_code=entry.category_code,
        host=entry.host,
        report_received_at=report_received_at,
        outcome=RemovalOutcome.OPEN,
    )


def first_reports(session: Session, entry_ids: Sequence[int]) -> dict[int, datetime]:
    """Entry id -> when its first report was received, for those with a report."""
    rows = session.execute(
        select(Report.entry_id, func.min(Report.received_at))
        .where(Report.entry_id.in_(entry_ids))
        .group_by(Report.entry_id)
    ).all()
    return {entry_id: at for entry_id, at in rows if entry_id is not None}


def content_removed(session: Session, entry_id: int, *, at: datetime, source: str) -> None:
    """The entry's content is gone at source (``source`` says who saw it: the checker, a
    reply): its open items become removed, a notice with no item left open becomes
    ``removed``, and its case gets ``removed_at``/``outcome``. Idempotent."""
    items = session.scalars(
        select(NoticeItem).where(
            NoticeItem.entry_id == entry_id, NoticeItem.state == ItemState.PENDING
        )
    ).all()
    for item in items:
        item.state = ItemState.REMOVED
        item.removed_at = at
    session.flush()
    for notice_id in sorted({item.notice_id for item in items}):
        notice = session.get_one(Notice, notice_id)
        if notice.closed_at is None and not _pending(session, notice.id):
            _close(
                session, notice, NoticeState.REMOVED, NoticeEventKind.REMOVED, at, source, entry_id
            )
        else:
            _event(session, notice, NoticeEventKind.REMOVED, notice.state, at, source, entry_id)
    case = session.get(RemovalCase, entry_id)
    if case is not None and case.removed_at is None:
        case.removed_at = at
        if case.outcome == RemovalOutcome.OPEN:
            case.outcome = (
                RemovalOutcome.REMOVED
                if case.notice_sent_at or case.referral_sent_at
                else RemovalOutcome.REMOVED_BEFORE_NOTICE
            )
    session.flush()


# --- drafting -----------------------------------------------------------------------------


def draft(
    session: Session,
    entry: Entry,
    contact: str,
    *,
    now: datetime,
    window_s: float,
    role: ContactRole = ContactRole.HOST,
    country: str | None = None,
    cache: DraftCache | None = None,
) -> Notice:
    """Add ``entry`` to the open draft for ``contact`` (same role and category), or open one
    that is sent ``window_s`` from now: one notice per contact per window. ``cache`` keeps
    the drafts a batch found or opened (one query per contact, not per entry)."""
    contact = contact.strip().lower()
    key = (contact, str(role), entry.category_code, entry.policy_version_id)
    cache = cache if cache is not None else DraftCache()
    notice_id = cache.drafts.get(key)
    notice = cache.held.get(notice_id) if notice_id is not None else None
    if notice is not None and notice not in session:
        notice = session.get(Notice, notice.id)
    if notice is None or notice.state != NoticeState.DRAFTED or notice.closed_at is not None:
        notice = session.scalars(
            select(Notice)
            .where(
                Notice.contact == contact,
                Notice.role == role,
                Notice.category_code == entry.category_code,
                Notice.policy_version_id == entry.policy_version_id,
                Notice.state == NoticeState.DRAFTED,
                Notice.closed_at.is_(None),
            )
            .order_by(Notice.id)
            .limit(1)
        ).first()
        if notice is None:
            notice = Notice(
                reference=new_reference(),
                contact=contact,
                role=role,
                country=country,
                category_code=entry.category_code,
                policy_version_id=entry.policy_version_id,
                state=NoticeState.DRAFTED,
                step=0,
                due_at=now + timedelta(seconds=window_s),
                created_at=now,
            )
            session.add(notice)
            session.flush()
            _event(
                session,
                notice,
                NoticeEventKind.DRAFTED,
                None,
                now,
                f"to {contact}",
                entry.id,
                to=NoticeState.DRAFTED,
            )
        else:
            held = session.scalars(
                select(NoticeItem.entry_id).where(NoticeItem.notice_id == notice.id)
            )
            cache.items.update((notice.id, held_id) for held_id in held)
        cache.drafts[key] = notice.id
    cache.held[notice.id] = notice
    if (notice.id, entry.id) not in cache.items:
        session.add(NoticeItem(notice_id=notice.id, entry_id=entry.id, state=ItemState.PENDING))
        cache.items.add((notice.id, entry.id))
    return notice


@dataclass
class DraftCache:
    """The drafts a run of routing found or opened, by (contact, role, category, policy
    version) -> notice id, and every (notice id, entry id) item they hold: one query per
    contact, not per entry."""

    drafts: dict[tuple[str, str, str, int], int] = field(default_factory=dict)
    items: set[tuple[int, int]] = field(default_factory=set)
    held: dict[int, Notice] = field(default_factory=dict)
    """The notices themselves, kept referenced (a session's identity map holds them weakly)."""


# --- sending ------------------------------------------------------------------------------


MAX_RETRY_S = 6 * 3600.0
"""The longest wait between two tries of a notice the mail server keeps refusing."""


def retry_delay(retry_s: float, failures: int) -> timedelta:
    """How long to wait after the ``failures``-th failed send in a row: ``retry_s``, doubled
    with each failure after the first, at most :data:`MAX_RETRY_S` (a mail server that is away
    for a day adds a few events, not hundreds)."""
    seconds = retry_s * 2.0 ** min(max(failures - 1, 0), 32)
    return timedelta(seconds=min(seconds, max(MAX_RETRY_S, retry_s)))


def _failures_in_a_row(session: Session, notice_id: int) -> int:
    """The notice's ``send_failed`` events since it last went out."""
    last_sent = select(func.max(NoticeEvent.id)).where(
        NoticeEvent.notice_id == notice_id,
        NoticeEvent.kind.in_([NoticeEventKind.SENT, NoticeEventKind.RESENT]),
    )
    count = session.scalar(
        select(func.count(NoticeEvent.id)).where(
            NoticeEvent.notice_id == notice_id,
            NoticeEvent.kind == NoticeEventKind.SEND_FAILED,
            NoticeEvent.id > func.coalesce(last_sent.scalar_subquery(), 0),
        )
    )
    return int(count or 0)


def send(session: Session, notice: Notice, outbox: Outbox, *, now: datetime) -> bool:
    """Send ``notice`` (a draft, or a re-send of a live one) now; whether it went out.

    Each pending URL's host is looked up again first; one that no longer resolves is recorded
    as removed before notice (a notice left with none is closed as removed, unsent). A mail
    server that refuses or is away leaves the notice as it was, with a ``send_failed`` event
    and ``due_at`` a little later."""
    if notice.closed_at is not None:
        raise Conflict(f"notice {notice.reference} is closed ({notice.state}); it is not sent")
    items = _pending_items(session, notice.id)
    ids = [item.entry_id for item in items]
    entries = {e.id: e for e in _in_chunks(session, select(Entry), Entry.id, ids)}
    cases = {
        c.entry_id: c for c in _in_chunks(session, select(RemovalCase), RemovalCase.entry_id, ids)
    }
    lookups: dict[str, HostingLookup] = {}
    live: list[tuple[NoticeItem, Entry, HostingLookup]] = []
    for item in items:
        entry = entries[item.entry_id]
        lookup = lookups.get(entry.host)
        if lookup is None:
            lookup = hosting.look_up(
                session, outbox.sources, entry.host, now=now, entry_id=entry.id
            )
            lookups[entry.host] = lookup
        if "addresses" in lookup.sources and not lookup.addresses:
            _removed_before_notice(session, notice, item, now)
        else:
            live.append((item, entry, lookup))
    if not live:
        if notice.closed_at is None:
            _close(
                session,
                notice,
                NoticeState.REMOVED,
                NoticeEventKind.REMOVED,
                now,
                "every URL was gone before the notice went out",
                None,
            )
        return False
    version = session.get_one(PolicyVersion, notice.policy_version_id)
    policy = policies.policy_of(version)
    category = policy.category(notice.category_code)
    urls = _urls_of(session, [entry for _item, entry, _lookup in live])
    removal = category.removal
    send_number = notice.step + 1
    message = compose(
        Draft(
            reference=notice.reference,
            to=notice.contact,
            role=ContactRole(notice.role),
            sender=Sender(org=policy.operator, contact=outbox.sender_address),
            category_name=category.name,
            legal_basis=category.legal_basis_text(),
            xarf_type=removal.xarf_type,
            items=[
                Item(
                    url=urls[entry.id],
                    host=entry.host,
                    ip=lookup.ip,
                    assessed_at=entry.decided_at,
                )
                for _item, entry, lookup in live
            ],
            send_number=send_number,
        ),
        now=now,
    )
    try:
        message_id = outbox.mailer.send(message)
    except DeliveryError as exc:
        _event(session, notice, NoticeEventKind.SEND_FAILED, notice.state, now, exc.message, None)
        notice.due_at = now + retry_delay(outbox.retry_s, _failures_in_a_row(session, notice.id))
        session.flush()
        return False
    previous = NoticeState(notice.state)
    first = notice.first_sent_at is None
    notice.step = send_number
    notice.last_sent_at = now
    if first:
        notice.first_sent_at = now
        notice.state = NoticeState.SENT
    kind = NoticeEventKind.SENT if first else NoticeEventKind.RESENT
    _event(
        session,
        notice,
        kind,
        previous,
        now,
        f"send {send_number} to {notice.contact}",
        None,
        message_id=message_id,
    )
    for _item, entry, _lookup in live:
        case = cases.get(entry.id) or ensure_case(session, entry)
        if notice.role in (ContactRole.POLICE, ContactRole.PARTNER):
            if notice.role == ContactRole.POLICE and case.police_notified_at is None:
                case.police_notified_at = now
        elif case.notice_sent_at is None:
            case.notice_sent_at = now
    notice.due_at = ladder.schedule(standing(session, notice), removal).at
    _log(session, notice, "sent" if first else "resent", previous, now)
    session.flush()
    return True


def _removed_before_notice(
    session: Session, notice: Notice, item: NoticeItem, now: datetime
) -> None:
    item.state = ItemState.REMOVED_BEFORE_NOTICE
    item.removed_at = now
    _event(
        session,
        notice,
        NoticeEventKind.REMOVED_BEFORE_NOTICE,
        notice.state,
        now,
        "the host no longer resolves",
        item.entry_id,
    )
    case = session.get(RemovalCase, item.entry_id)
    if case is not None and case.removed_at is None:
        case.removed_at = now
        if case.notice_sent_at is None and case.outcome == RemovalOutcome.OPEN:
            case.outcome = RemovalOutcome.REMOVED_BEFORE_NOTICE
        elif case.outcome == RemovalOutcome.OPEN:
            case.outcome = RemovalOutcome.REMOVED
    session.flush()


def _urls_of(session: Session, entries: Sequence[Entry]) -> dict[int, str]:
    """Entry id -> the URL a notice names: the entry's first report's canonical URL (what was
    reported and assessed), else the expression with ``http://``."""
    found: dict[int, str] = {}
    query = select(Report.entry_id, Report.canonical_url).order_by(Report.received_at, Report.id)
    for entry_id, url in _in_chunks(
        session, query, Report.entry_id, [e.id for e in entries], rows_of=True
    ):
        if entry_id is not None:
            found.setdefault(entry_id, url)
    return {e.id: found.get(e.id) or f"http://{e.expression}" for e in entries}


_CHUNK = 1000


def _in_chunks(
    session: Session, query: Any, column: Any, ids: Sequence[int], *, rows_of: bool = False
) -> list[Any]:
    """The objects (``rows_of``: the rows) of ``query`` where ``column`` is one of ``ids``, a
    chunk of ids at a time."""
    rows: list[Any] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = query.where(column.in_(ids[start : start + _CHUNK]))
        result = session.execute(chunk)
        rows.extend(result.all() if rows_of else result.scalars())
    return rows


# --- the ladder ---------------------------------------------------------------------------


def standing(session: Session, notice: Notice) -> ladder.Standing:
    """What the ladder reads of ``notice``."""
    origin = notice
    seen = {notice.id}
    while origin.escalated_from is not None and origin.escalated_from not in seen:
        seen.add(origin.escalated_from)
        origin = session.get_one(Notice, origin.escalated_from)
    escalated = bool(
        session.scalar(
            select(
                exists().where(
                    NoticeEvent.notice_id == notice.id,
                    NoticeEvent.kind == NoticeEventKind.ESCALATED,
                )
            )
        )
    )
    return ladder.Standing(
        state=NoticeState(notice.state),
        role=ContactRole(notice.role),
        step=notice.step,
        first_sent_at=notice.first_sent_at,
        origin_sent_at=origin.first_sent_at,
        escalated=escalated,
        held=notice.hold_reason is not None,
        held_until=notice.held_until,
    )


def climb(session: Session, notice: Notice, outbox: Outbox, *, now: datetime) -> ladder.Action:
    """Do what the ladder says is due for ``notice`` at ``now``; the action taken."""
    _category, removal = category_of(session, notice)
    due = ladder.due(standing(session, notice), removal, now)
    if due.action is ladder.Action.RESEND:
        if not send(session, notice, outbox, now=now):
            return ladder.Action.NOTHING
    elif due.action is ladder.Action.ESCALATE:
        _escalate(session, notice, outbox, now)
    elif due.action is ladder.Action.REFER:
        _refer(session, notice, outbox, now)
    else:
        notice.due_at = due.at
    session.flush()
    return due.action


def _upstream_contact(session: Session, notice: Notice) -> tuple[str, ContactRole] | None:
    """Who is above the host, from the latest lookup of a pending URL's host: the abuse
    contact of the network above the host's (it can cut the host off), else the domain
    registrar's (it can suspend the name)."""
    lookups = []
    for item in _pending_items(session, notice.id):
        lookup = hosting.latest(session, session.get_one(Entry, item.entry_id).host)
        if lookup is not None:
            lookups.append(lookup)
    for role, column in (
        (ContactRole.UPSTREAM, "upstream_contacts"),
        (ContactRole.REGISTRAR, "registrar_contacts"),
    ):
        for lookup in lookups:
            for contact in getattr(lookup, column) or []:
                if contact.strip().lower() != notice.contact:
                    return contact, role
    return None


def _escalate(session: Session, notice: Notice, outbox: Outbox, now: datetime) -> None:
    above = _upstream_contact(session, notice)
    if above is None:
        _event(
            session,
            notice,
            NoticeEventKind.ESCALATED,
            notice.state,
            now,
            "no upstream or registrar contact known: the host keeps getting reminders",
            None,
        )
        _category, removal = category_of(session, notice)
        notice.due_at = ladder.schedule(standing(session, notice), removal).at
        return
    contact, role = above
    successor = _successor(session, notice, contact, role, now)
    _close(
        session,
        notice,
        NoticeState.ESCALATED,
        NoticeEventKind.ESCALATED,
        now,
        f"escalated to the {role} ({successor.reference})",
        None,
    )
    send(session, successor, outbox, now=now)


def _refer(session: Session, notice: Notice, outbox: Outbox, now: datetime) -> None:
    if outbox.police_contact is None:
        _close(
            session,
            notice,
            NoticeState.UNRESOLVED,
            NoticeEventKind.UNRESOLVED,
            now,
            "no one acted in time and no police contact is set (HOTLIST_POLICE_CONTACT)",
            None,
        )
        return
    successor = _successor(session, notice, outbox.police_contact, ContactRole.POLICE, now)
    _close(
        session,
        notice,
        NoticeState.ESCALATED,
        NoticeEventKind.ESCALATED,
        now,
        f"referred to the police contact ({successor.reference})",
        None,
    )
    send(session, successor, outbox, now=now)


def _successor(
    session: Session, notice: Notice, contact: str, role: ContactRole, now: datetime
) -> Notice:
    """A new draft to ``contact`` covering ``notice``'s pending URLs, linked to it."""
    successor = Notice(
        reference=new_reference(),
        contact=contact.strip().lower(),
        role=role,
        country=notice.country,
        category_code=notice.category_code,
        policy_version_id=notice.policy_version_id,
        state=NoticeState.DRAFTED,
        step=0,
        due_at=now,
        escalated_from=notice.id,
        created_at=now,
    )
    session.add(successor)
    session.flush()
    _event(
        session,
        successor,
        NoticeEventKind.DRAFTED,
        None,
        now,
        f"escalated from {notice.reference}",
        None,
        to=NoticeState.DRAFTED,
    )
    for item in _pending_items(session, notice.id):
        session.add(NoticeItem(notice_id=successor.id, entry_id=item.entry_id))
    session.flush()
    return successor


# --- people's actions and replies -------------------------------------------------------


def hold(
    session: Session,
    notice: Notice,
    reason: str,
    *,
    now: datetime,
    actor_id: int | None,
    until: datetime | None = None,
) -> Notice:
    """An analyst holds ``notice`` (nothing is sent, nothing escalates) with ``reason``."""
    reason = _reason(reason)
    if notice.closed_at is not None:
        raise Conflict(f"notice {notice.reference} is closed ({notice.state}); nothing to hold")
    if until is not None and until <= now:
        raise InvalidRequest("a hold ends in the future; leave 'until' out to hold until released")
    notice.hold_reason = reason
    notice.held_until = until
    detail = reason if until is None else f"{reason} (until {until.isoformat()})"
    _event(
        session, notice, NoticeEventKind.HELD, notice.state, now, detail, None, actor_id=actor_id
    )
    _log(session, notice, "held", NoticeState(notice.state), now)
    session.flush()
    return notice


def release(
    session: Session, notice: Notice, reason: str, *, now: datetime, actor_id: int | None
) -> Notice:
    """Lift a hold; the ladder goes on from where it stands (what fell due meanwhile is due)."""
    reason = _reason(reason)
    if notice.hold_reason is None:
        raise Conflict(f"notice {notice.reference} is not held")
    notice.hold_reason = None
    notice.held_until = None
    _event(
        session,
        notice,
        NoticeEventKind.RELEASED,
        notice.state,
        now,
        reason,
        None,
        actor_id=actor_id,
    )
    if notice.state == NoticeState.DRAFTED:
        notice.due_at = min(notice.due_at or now, now)
    else:
        _category, removal = category_of(session, notice)
        notice.due_at = ladder.schedule(standing(session, notice), removal).at
    _log(session, notice, "released", NoticeState(notice.state), now)
    session.flush()
    return notice


def acknowledge(
    session: Session,
    notice: Notice,
    *,
    now: datetime,
    detail: str = "",
    actor_id: int | None = None,
    message_id: str | None = None,
) -> Notice:
    """The contact acknowledged ``notice``: no more reminders (escalation still comes if the
    content stays up)."""
    if notice.state != NoticeState.SENT:
        raise Conflict(
            f"notice {notice.reference} is {notice.state}; only a sent notice is acknowledged"
        )
    _event(
        session,
        notice,
        NoticeEventKind.ACKNOWLEDGED,
        NoticeState.SENT,
        now,
        detail,
        None,
        to=NoticeState.ACKNOWLEDGED,
        actor_id=actor_id,
        message_id=message_id,
    )
    notice.state = NoticeState.ACKNOWLEDGED
    _category, removal = category_of(session, notice)
    notice.due_at = ladder.schedule(standing(session, notice), removal).at
    _log(session, notice, "acknowledged", NoticeState.SENT, now)
    session.flush()
    return notice


def record_reply(
    session: Session, notice: Notice, *, now: datetime, detail: str, message_id: str | None
) -> NoticeEvent:
    """A reply came for ``notice``: kept as an event for an analyst to read."""
    return _event(
        session,
        notice,
        NoticeEventKind.REPLY,
        notice.state,
        now,
        detail,
        None,
        message_id=message_id,
    )


# --- reading ------------------------------------------------------------------------------


def get(session: Session, notice_id: int) -> Notice:
    """The notice, or NotFound."""
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NotFound(f"there is no notice {notice_id}")
    return notice


def by_reference(session: Session, reference: str) -> Notice | None:
    """The notice with ``reference`` (any case), if any."""
    return session.scalars(select(Notice).where(Notice.reference == reference.upper())).first()


def items_of(session: Session, notice_id: int) -> Sequence[tuple[NoticeItem, Entry]]:
    """A notice's URLs with their entries, in the order added."""
    rows = session.execute(
        select(NoticeItem, Entry)
        .join(Entry, Entry.id == NoticeItem.entry_id)
        .where(NoticeItem.notice_id == notice_id)
        .order_by(NoticeItem.id)
    ).all()
    return [(item, entry) for item, entry in rows]


def events_of(session: Session, notice_id: int) -> Sequence[NoticeEvent]:
    """A notice's thread, oldest first."""
    return session.scalars(
        select(NoticeEvent).where(NoticeEvent.notice_id == notice_id).order_by(NoticeEvent.id)
    ).all()


def queue(session: Session, *, limit: int = 200) -> Sequence[Notice]:
    """Open notices by when they next act (the soonest first; those with nothing due last)."""
    return session.scalars(
        select(Notice)
        .where(Notice.closed_at.is_(None))
        .order_by(Notice.due_at.is_(None), Notice.due_at, Notice.id)
        .limit(limit)
    ).all()


def flagged_cases(session: Session, *, limit: int = 200) -> Sequence[tuple[RemovalCase, Entry]]:
    """Open cases the job did not notice, oldest first: under an intermediary, hosted abroad
    and not yet referred, or left to an analyst (country or contact unknown)."""
    rows = session.execute(
        select(RemovalCase, Entry)
        .join(Entry, Entry.id == RemovalCase.entry_id)
        .where(
            RemovalCase.route.in_([CaseRoute.INTERMEDIARY, CaseRoute.REFERRAL, CaseRoute.ANALYST]),
            RemovalCase.removed_at.is_(None),
            RemovalCase.referral_sent_at.is_(None),
        )
        .order_by(RemovalCase.opened_at, RemovalCase.entry_id)
        .limit(limit)
    ).all()
    return [(case, entry) for case, entry in rows]


def of_host(session: Session, host: str, *, limit: int = 200) -> Sequence[Notice]:
    """Every notice covering a URL on ``host``, newest first."""
    return session.scalars(
        select(Notice)
        .where(
            Notice.id.in_(
                select(NoticeItem.notice_id)
                .join(Entry, Entry.id == NoticeItem.entry_id)
                .where(Entry.host == host.strip().lower())
            )
        )
        .order_by(Notice.created_at.desc(), Notice.id.desc())
        .limit(limit)
    ).all()


def category_of(session: Session, notice: Notice) -> tuple[Category, Removal]:
    """The category of ``notice`` in its policy version, and its removal block."""
    version = session.get_one(PolicyVersion, notice.policy_version_id)
    category = policies.policy_of(version).category(notice.category_code)
    return category, category.removal


# --- internals ----------------------------------------------------------------------------


def _reason(text: str) -> str:
    """A hold's or release's reason: said, and naming no address (it is read beside the
    thread, by staff who may not hold plaintext rights)."""
    text = text.strip()
    if not text:
        raise InvalidField("reason", "give a reason (e.g. 'the police asked for time')")
    return check_free_text("reason", text)


def _pending_items(session: Session, notice_id: int) -> Sequence[NoticeItem]:
    return session.scalars(
        select(NoticeItem)
        .where(NoticeItem.notice_id == notice_id, NoticeItem.state == ItemState.PENDING)
        .order_by(NoticeItem.id)
    ).all()


def _pending(session: Session, notice_id: int) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    NoticeItem.notice_id == notice_id, NoticeItem.state == ItemState.PENDING
                )
            )
        )
    )


def _close(
    session: Session,
    notice: Notice,
    state: NoticeState,
    kind: NoticeEventKind,
    now: datetime,
    detail: str,
    entry_id: int | None,
) -> None:
    previous = NoticeState(notice.state)
    _event(session, notice, kind, previous, now, detail, entry_id, to=state)
    notice.state = state
    notice.closed_at = now
    notice.due_at = None
    _log(session, notice, state.value, previous, now)
    session.flush()


def _event(
    session: Session,
    notice: Notice,
    kind: NoticeEventKind,
    from_state: str | None,
    now: datetime,
    detail: str,
    entry_id: int | None,
    *,
    to: str | None = None,
    actor_id: int | None = None,
    message_id: str | None = None,
) -> NoticeEvent:
    event = NoticeEvent(
        notice_id=notice.id,
        kind=kind,
        from_state=from_state,
        to_state=to or notice.state,
        detail=detail,
        message_id=message_id,
        entry_id=entry_id,
        actor_id=actor_id,
        at=now,
    )
    session.add(event)
    return event


def _log(
    session: Session, notice: Notice, outcome: str, from_state: NoticeState, now: datetime
) -> None:
    """The outcome in the transparency log: ids, codes and a count only."""
    version = session.get_one(PolicyVersion, notice.policy_version_id)
    items = session.scalar(select(func.count()).where(NoticeItem.notice_id == notice.id)) or 0
    record(
        session,
        LogEventKind.NOTICE_OUTCOME,
        at=now,
        notice_id=notice.id,
        outcome=outcome,
        from_state=from_state.value,
        category=notice.category_code,
        relation=str(notice.role),
        items=items,
        policy_version=version.version,
    )
