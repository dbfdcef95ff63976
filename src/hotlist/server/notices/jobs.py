"""The notices job: one tick routes new cases, sends drafts whose window has passed, and climbs
the ladder for notices that fall due. Leased like the publish and retention jobs, so one
process of the deployment runs it.

Routing a new active entry: its case is opened and its host looked up (one lookup per host
per tick). A host on the intermediaries list is flagged, never noticed; hosted in the policy's
``home_country``, the entry joins its abuse contact's draft; hosted elsewhere, the case is
marked for referral (the partner hotline's work; ``referral_sent_at`` stays empty until then);
when the country or the contact is unknown, the case goes to an analyst.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session, sessionmaker

from hotlist.logs import fields
from hotlist.server.config import Settings
from hotlist.server.entries.models import Entry, EntryState
from hotlist.server.hosting import service as hosting
from hotlist.server.hosting.models import HostingLookup, Intermediary
from hotlist.server.kit.lookups import HostingSources
from hotlist.server.kit.mailer import Mailer
from hotlist.server.notices import service
from hotlist.server.notices.models import CaseRoute, Notice, NoticeState, RemovalCase
from hotlist.server.policies import service as policies
from hotlist.server.policies.models import PolicyVersion
from hotlist.server.scheduling import BackgroundLoop, job_lease

log = logging.getLogger(__name__)

BATCH = 500
"""New entries routed per transaction."""


@dataclass
class Tick:
    """What one run of the job did."""

    routed: int = 0
    drafted: int = 0
    referral: int = 0
    intermediary: int = 0
    analyst: int = 0
    sent: int = 0
    send_failed: int = 0
    ladder: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for the log and the CLI."""
        steps = ", ".join(f"{k} {v}" for k, v in sorted(self.ladder.items())) or "none"
        return (
            f"routed {self.routed} (drafted {self.drafted}, referral {self.referral}, "
            f"intermediary {self.intermediary}, analyst {self.analyst}); sent {self.sent}, "
            f"failed {self.send_failed}; ladder: {steps}"
        )


def run_once(
    factory: sessionmaker[Session],
    outbox: service.Outbox,
    *,
    now: datetime,
    window_s: float,
) -> Tick:
    """One tick at ``now``: route, send due drafts, climb the ladder."""
    tick = Tick()
    drafts = service.DraftCache()
    while _route_batch(factory, outbox, now, window_s, tick, drafts):
        pass
    with factory() as session:
        due_drafts = session.scalars(
            select(Notice.id)
            .where(Notice.state == NoticeState.DRAFTED, Notice.closed_at.is_(None))
            .where(Notice.due_at <= now, _not_held(now))
            .order_by(Notice.due_at, Notice.id)
        ).all()
        due_live = session.scalars(
            select(Notice.id)
            .where(Notice.state.in_([NoticeState.SENT, NoticeState.ACKNOWLEDGED]))
            .where(Notice.closed_at.is_(None), Notice.due_at <= now, _not_held(now))
            .order_by(Notice.due_at, Notice.id)
        ).all()
    for notice_id in due_drafts:
        with factory() as session, session.begin():
            notice = session.get_one(Notice, notice_id)
            if service.send(session, notice, outbox, now=now):
                tick.sent += 1
            elif notice.closed_at is None:
                tick.send_failed += 1
    for notice_id in due_live:
        with factory() as session, session.begin():
            action = service.climb(session, session.get_one(Notice, notice_id), outbox, now=now)
            tick.ladder[action.value] = tick.ladder.get(action.value, 0) + 1
    return tick


def _not_held(now: datetime) -> ColumnElement[bool]:
    """Not held, or held until a time that has passed."""
    return or_(Notice.hold_reason.is_(None), Notice.held_until <= now)


def _route_batch(
    factory: sessionmaker[Session],
    outbox: service.Outbox,
    now: datetime,
    window_s: float,
    tick: Tick,
    drafts: service.DraftCache,
) -> bool:
    """Route up to :data:`BATCH` active entries without a case; whether there were any."""
    with factory() as session, session.begin():
        entries = session.scalars(
            select(Entry)
            .where(Entry.state == EntryState.ACTIVE)
            .where(~exists().where(RemovalCase.entry_id == Entry.id))
            .order_by(Entry.id)
            .limit(BATCH)
        ).all()
        batch = Batch(
            received=service.first_reports(session, [entry.id for entry in entries]),
            new_entries=True,
            drafts=drafts,
        )
        for entry in entries:
            route(session, entry, outbox, now=now, window_s=window_s, batch=batch, tick=tick)
        return bool(entries)


@dataclass
class Batch:
    """What one batch of routing looks up once: each host's lookup and intermediary, the
    first reports' times, the open drafts."""

    lookups: dict[str, HostingLookup] = field(default_factory=dict)
    intermediaries: dict[str, Intermediary | None] = field(default_factory=dict)
    received: dict[int, datetime] = field(default_factory=dict)
    drafts: service.DraftCache = field(default_factory=service.DraftCache)
    homes: dict[int, str | None] = field(default_factory=dict)
    new_entries: bool = False
    """Whether every entry routed is known to have no case yet (the job's own query)."""


def route(
    session: Session,
    entry: Entry,
    outbox: service.Outbox,
    *,
    now: datetime,
    window_s: float,
    batch: Batch | None = None,
    tick: Tick | None = None,
) -> RemovalCase:
    """Open ``entry``'s case and decide where it goes (see the module's description)."""
    tick = tick if tick is not None else Tick()
    if batch is None:
        batch = Batch(received=service.first_reports(session, [entry.id]))
    lookups = batch.lookups
    if batch.new_entries:
        case = service.new_case(entry, batch.received.get(entry.id))
        session.add(case)
    else:
        case = service.ensure_case(session, entry, received=batch.received)
    tick.routed += 1
    if entry.host not in batch.intermediaries:
        batch.intermediaries[entry.host] = hosting.intermediary_for(session, entry.host)
    intermediary = batch.intermediaries[entry.host]
    if intermediary is not None:
        case.route = CaseRoute.INTERMEDIARY
        case.route_note = (
            f"the host is under an intermediary ({intermediary.kind}, #{intermediary.id}): "
            "it is never the host; find where the content is"
        )
        tick.intermediary += 1
        return case
    lookup = lookups.get(entry.host)
    if lookup is None:
        lookup = hosting.look_up(session, outbox.sources, entry.host, now=now, entry_id=entry.id)
        lookups[entry.host] = lookup
    case.country = lookup.country
    if entry.policy_version_id not in batch.homes:
        batch.homes[entry.policy_version_id] = _home_country(session, entry.policy_version_id)
    home = batch.homes[entry.policy_version_id]
    if lookup.country is None or home is None:
        case.route = CaseRoute.ANALYST
        why = (
            "the policy names no home country" if home is None else "the hosting country is unknown"
        )
        case.route_note = f"{why}{': ' + lookup.error if lookup.error else ''}"
        tick.analyst += 1
    elif lookup.country != home:
        case.route = CaseRoute.REFERRAL
        case.route_note = f"hosted in {lookup.country}, not {home}: for the partner hotline"
        tick.referral += 1
    elif not lookup.abuse_contacts:
        case.route = CaseRoute.ANALYST
        case.route_note = f"hosted in {home}, but no abuse contact is known for {lookup.ip}"
        tick.analyst += 1
    else:
        contact = lookup.abuse_contacts[0]
        service.draft(
            session,
            entry,
            contact,
            now=now,
            window_s=window_s,
            country=lookup.country,
            cache=batch.drafts,
        )
        case.route = CaseRoute.NOTICE
        case.route_note = f"notice to {contact}"
        tick.drafted += 1
    return case


def _home_country(session: Session, policy_version_id: int) -> str | None:
    version = session.get_one(PolicyVersion, policy_version_id)
    return policies.policy_of(version).home_country


def outbox_for(settings: Settings, mailer: Mailer, sources: HostingSources) -> service.Outbox:
    """The outbox the settings describe."""
    return service.Outbox(
        mailer=mailer,
        sources=sources,
        sender_address=settings.notice_from,
        window_s=settings.notice_window_s,
        police_contact=settings.police_contact,
    )


def start_notices_job(
    settings: Settings,
    factory: sessionmaker[Session],
    make_outbox: Callable[[], service.Outbox],
    now: Callable[[], datetime],
) -> BackgroundLoop | None:
    """Run a tick every ``notices_interval_s`` in the process holding the job's lease; off when
    that is 0 or the publish schedule is off (tests, one-off tools)."""
    if settings.notices_interval_s <= 0 or settings.publish_interval_s <= 0:
        return None
    lease = job_lease(settings, factory, "notices")

    def step() -> None:
        tick = run_once(factory, make_outbox(), now=now(), window_s=settings.notice_window_s)
        if tick.routed or tick.sent or tick.send_failed or tick.ladder:
            log.info("notices: %s", tick.summary(), extra=fields(job="notices", pid=os.getpid()))

    loop = BackgroundLoop(
        "hotlist-notices", step, settings.notices_interval_s, lease=lease, job="notices"
    )
    loop.start()
    return loop
