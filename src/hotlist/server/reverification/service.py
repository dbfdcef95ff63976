"""Re-verification: each active entry's URL checked on its category's schedule, the content
found gone twice (12 hours apart at least) removed from the list, and entries that could not be
checked for too long put before an analyst.

The rules (the policy version's ``removal`` block of the entry's category gives the numbers):

- a new active entry (no :class:`CheckSchedule` row) gets a baseline check at the next tick; the
  first ``present`` check is the baseline later checks are compared with (``changed``);
- an entry is checked again ``recheck_hours`` after its last check, jittered by +-10 % so the
  checks of entries made together spread out; a ``gone`` check waits at least 12 hours for the
  next one, which decides;
- two ``gone`` checks at least :data:`GONE_APART` apart, with no ``present`` check between
  (``failed`` and ``refused`` checks count neither way): the entry is removed with the reason
  :data:`REMOVED_REASON` (an entry event; the transparency log's ``entry_removed`` with the
  reason code ``gone_at_source``), the notices
  are closed as removed (:func:`hotlist.server.notices.service.content_removed`), and the
  entry's schedule is done;
- no ``present`` check for ``unchecked_days`` (since the last one, or since the assessment):
  ``needs_analyst_at`` is set and the entry shows in :func:`attention` until a check succeeds;
- an entry that left the active state is no longer checked (its schedule is done).

:func:`check_due` runs one tick: the network checks in threads (``concurrency`` at once, no two
checks of one host closer than ``per_host_interval_s``), every database change on the caller's
session in the caller's thread; the caller commits.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from hotlist.errors import Conflict
from hotlist.policy.model import Removal
from hotlist.server.entries import service as entries
from hotlist.server.entries.log_events import GONE_AT_SOURCE
from hotlist.server.entries.models import Entry, EntryState
from hotlist.server.kit.checker import CheckResult, UrlChecker, changed_fields
from hotlist.server.notices import service as notices
from hotlist.server.policies import service as policies
from hotlist.server.policies.models import PolicyVersion
from hotlist.server.reports.models import Report
from hotlist.server.reverification.models import CheckKind, CheckOutcome, CheckSchedule, UrlCheck

REMOVED_REASON = "content removed at source"
"""The reason an entry found gone is removed with (shown to members and observers)."""
GONE_APART = timedelta(hours=12)
"""How far apart two ``gone`` checks must be to mark the content removed, by default (the
setting ``check_gone_apart_s``): a host's outage of an evening is not a removal."""
JITTER = 0.1
"""The share by which the time to the next check is moved, either way, at random."""
REMOVAL_SOURCE = "reverification"
"""Who saw the content gone, as the notices' events name it."""


def entry_url(session: Session, entry: Entry) -> str:
    """The URL an entry's content is checked at: the first report's address, or (an imported
    entry, made from no report) the listed expression over HTTP."""
    url = session.scalar(
        select(Report.url)
        .where(Report.entry_id == entry.id)
        .order_by(Report.received_at, Report.id)
        .limit(1)
    )
    return url if url is not None else f"http://{entry.expression}"


class _Policies:
    """Each entry's category's removal block, the policy versions read once per use."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._versions: dict[int, Any] = {}

    def removal(self, entry: Entry) -> Removal:
        policy = self._versions.get(entry.policy_version_id)
        if policy is None:
            version = self._session.get_one(PolicyVersion, entry.policy_version_id)
            policy = self._versions[entry.policy_version_id] = policies.policy_of(version)
        removal: Removal = policy.category(entry.category_code).removal
        return removal


def schedule_of(session: Session, entry: Entry, now: datetime) -> CheckSchedule:
    """The entry's place in the schedule, made (due now) when it has none."""
    row = session.get(CheckSchedule, entry.id)
    if row is None:
        row = CheckSchedule(entry_id=entry.id, host=entry.host, next_check_at=now)
        session.add(row)
        session.flush()
    return row


def check_now(
    session: Session,
    checker: UrlChecker,
    entry: Entry,
    *,
    kind: CheckKind,
    now: datetime,
    gone_apart: timedelta = GONE_APART,
) -> UrlCheck:
    """Check the entry's URL now and record it (the schedule's rules applied: a second
    ``gone`` check ``gone_apart`` after the first removes the entry); the check made."""
    url = entry_url(session, entry)
    result = checker.check(url)
    return record(session, entry, result, kind=kind, now=now, gone_apart=gone_apart)


def record(
    session: Session,
    entry: Entry,
    result: CheckResult,
    *,
    kind: CheckKind,
    now: datetime,
    jitter: Callable[[], float] | None = None,
    removal: Removal | None = None,
    gone_apart: timedelta = GONE_APART,
) -> UrlCheck:
    """Append ``result`` to the entry's check log and apply the schedule's rules to it."""
    schedule = schedule_of(session, entry, now)
    baseline = session.get(UrlCheck, schedule.baseline_id) if schedule.baseline_id else None
    check = UrlCheck(
        entry_id=entry.id,
        kind=kind.value,
        outcome=CheckOutcome(result.outcome.value).value,
        url=result.url,
        status=result.status,
        final_url=result.final_url,
        hops=[hop.to_json() for hop in result.hops],
        content_type=result.content_type,
        content_length=result.content_length,
        etag=result.etag,
        last_modified=result.last_modified,
        ip=result.ip,
        changed=changed_fields(result, _values(baseline)) if baseline is not None else [],
        error=result.error,
        elapsed_ms=result.elapsed_ms,
        at=now,
    )
    session.add(check)
    session.flush()
    removal = removal or _Policies(session).removal(entry)
    _apply(session, entry, schedule, check, now, removal, jitter, gone_apart)
    return check


def _values(check: UrlCheck) -> dict[str, Any]:
    return {
        "url": check.url,
        "status": check.status,
        "final_url": check.final_url,
        "content_type": check.content_type,
        "content_length": check.content_length,
        "etag": check.etag,
        "last_modified": check.last_modified,
        "ip": check.ip,
    }


def _apply(
    session: Session,
    entry: Entry,
    schedule: CheckSchedule,
    check: UrlCheck,
    now: datetime,
    removal: Removal,
    jitter: Callable[[], float] | None,
    gone_apart: timedelta,
) -> None:
    """The schedule's rules after ``check`` (see the module's description)."""
    schedule.last_checked_at = now
    outcome = CheckOutcome(check.outcome)
    if outcome is CheckOutcome.PRESENT:
        schedule.last_present_at = now
        schedule.first_gone_at = None
        schedule.gone_count = 0
        schedule.needs_analyst_at = None
        if schedule.baseline_id is None:
            schedule.baseline_id = check.id
    elif outcome is CheckOutcome.GONE:
        if schedule.first_gone_at is None:
            schedule.first_gone_at = now
            schedule.gone_count = 1
        else:
            schedule.gone_count += 1
    if entry.state != EntryState.ACTIVE:
        schedule.done_at = now
        session.flush()
        return
    if (
        outcome is CheckOutcome.GONE
        and schedule.first_gone_at is not None
        and now - schedule.first_gone_at >= gone_apart
    ):
        _remove(session, entry, schedule, now)
        return
    since = schedule.last_present_at or entry.decided_at
    if schedule.needs_analyst_at is None and now - since >= timedelta(days=removal.unchecked_days):
        schedule.needs_analyst_at = now
    schedule.next_check_at = next_check(
        now, removal.recheck_hours, schedule.first_gone_at, jitter, gone_apart
    )
    session.flush()


def next_check(
    now: datetime,
    recheck_hours: int,
    first_gone_at: datetime | None = None,
    jitter: Callable[[], float] | None = None,
    gone_apart: timedelta = GONE_APART,
) -> datetime:
    """When to check again: ``recheck_hours`` from now, moved by up to 10 % either way; after a
    ``gone`` check, not before the next one can decide (``gone_apart`` after the first)."""
    share = jitter() if jitter is not None else random.uniform(-JITTER, JITTER)
    share = max(-JITTER, min(JITTER, share))
    at = now + timedelta(hours=recheck_hours) * (1 + share)
    if first_gone_at is not None:
        at = max(at, first_gone_at + gone_apart)
    return at


def _remove(session: Session, entry: Entry, schedule: CheckSchedule, now: datetime) -> None:
    """The content is gone at source: the entry leaves the list, its notices close."""
    try:
        entries.transition(
            session,
            entry,
            EntryState.REMOVED,
            REMOVED_REASON,
            None,
            now=now,
            log_reason=GONE_AT_SOURCE,
        )
    except Conflict:
        session.refresh(entry)  # someone moved it meanwhile: it is no longer checked anyway
        if entry.state != EntryState.REMOVED:
            schedule.done_at = now
            session.flush()
            return
    notices.content_removed(session, entry.id, at=now, source=REMOVAL_SOURCE)
    schedule.done_at = now
    session.flush()


# --- the schedule's tick ------------------------------------------------------------------


class HostPacer:
    """When the next check of each host may start: no two closer than ``interval_s`` (kept
    across ticks by the job). ``clock`` is monotonic seconds."""

    def __init__(self, interval_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval_s = interval_s
        self._clock = clock
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def now(self) -> float:
        """The pacer's clock."""
        return self._clock()

    def reserve(self, host: str, latest: float | None = None) -> float | None:
        """A start time (monotonic seconds) for a check of ``host``, the host's next slot,
        taken; None (nothing taken) when that slot is after ``latest``."""
        with self._lock:
            start = max(self._clock(), self._next.get(host, 0.0))
            if latest is not None and start > latest:
                return None
            self._next[host] = start + self.interval_s
            return start

    def forget_idle(self) -> None:
        """Drop hosts whose next slot has passed (the map would grow with every host seen)."""
        now = self._clock()
        with self._lock:
            self._next = {host: at for host, at in self._next.items() if at > now}


@dataclass
class Tick:
    """What one tick did."""

    enrolled: int = 0
    """Active entries given a schedule (their baseline check is due)."""
    stopped: int = 0
    """Entries that left the active state: no longer checked."""
    checked: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    removed: list[str] = field(default_factory=list)
    """Public ids of the entries removed as gone at source."""
    flagged: list[str] = field(default_factory=list)
    """Public ids of the entries put before an analyst."""
    deferred: int = 0
    """Due checks left for a later tick (their host's pace, or the tick's budget)."""

    def to_json(self) -> dict[str, Any]:
        """As ``hotlist checks run-due`` prints it."""
        return {
            "enrolled": self.enrolled,
            "stopped": self.stopped,
            "checked": self.checked,
            "outcomes": dict(sorted(self.outcomes.items())),
            "removed": self.removed,
            "flagged": self.flagged,
            "deferred": self.deferred,
        }


def enrol_new(session: Session, now: datetime) -> int:
    """Give every active entry without a schedule row one, due now; how many."""
    missing = session.execute(
        select(Entry.id, Entry.host)
        .outerjoin(CheckSchedule, CheckSchedule.entry_id == Entry.id)
        .where(Entry.state == EntryState.ACTIVE)
        .where(CheckSchedule.entry_id.is_(None))
    ).all()
    session.add_all(
        CheckSchedule(entry_id=row.id, host=row.host, next_check_at=now) for row in missing
    )
    session.flush()
    return len(missing)


def stop_inactive(session: Session, now: datetime) -> int:
    """Mark done the schedules of entries no longer active; how many."""
    rows = session.scalars(
        select(CheckSchedule)
        .join(Entry, Entry.id == CheckSchedule.entry_id)
        .where(CheckSchedule.done_at.is_(None))
        .where(Entry.state != EntryState.ACTIVE)
    ).all()
    for row in rows:
        row.done_at = now
    session.flush()
    return len(rows)


def due(session: Session, now: datetime, limit: int) -> Sequence[tuple[Entry, CheckSchedule]]:
    """The active entries whose next check is due, the most overdue first."""
    rows = session.execute(
        select(Entry, CheckSchedule)
        .join(CheckSchedule, CheckSchedule.entry_id == Entry.id)
        .where(CheckSchedule.done_at.is_(None))
        .where(CheckSchedule.next_check_at <= now)
        .where(Entry.state == EntryState.ACTIVE)
        .order_by(CheckSchedule.next_check_at, CheckSchedule.entry_id)
        .limit(limit)
    ).all()
    return [(row[0], row[1]) for row in rows]


def _urls(session: Session, entries_: Iterable[Entry]) -> dict[int, str]:
    """Each entry's URL to check (see :func:`entry_url`), in one query."""
    by_id = {entry.id: entry for entry in entries_}
    urls: dict[int, str] = {}
    ids = list(by_id)
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        rows = session.execute(
            select(Report.entry_id, Report.url)
            .where(Report.entry_id.in_(chunk))
            .order_by(Report.entry_id, Report.received_at.desc(), Report.id.desc())
        ).all()
        for row in rows:
            urls[row.entry_id] = row.url  # the last one written is the first received
    return {
        entry_id: urls.get(entry_id, f"http://{entry.expression}")
        for entry_id, entry in by_id.items()
    }


@dataclass(frozen=True)
class Planned:
    """One check a tick will make: of which entry, at what URL, from when (the pacer's
    clock), and why."""

    entry_id: int
    url: str
    at: float
    kind: CheckKind


def plan_due(
    session: Session,
    *,
    now: datetime,
    pacer: HostPacer,
    budget_s: float,
    limit: int,
    tick: Tick,
) -> list[Planned]:
    """Enrol new active entries, stop the inactive, and plan the due checks, each at its host's
    next slot (earliest first); a check whose slot is more than ``budget_s`` away is left due
    (``tick.deferred``). Plain data: the checks may run after the session is closed."""
    tick.enrolled += enrol_new(session, now)
    tick.stopped += stop_inactive(session, now)
    work = due(session, now, limit)
    if not work:
        return []
    urls = _urls(session, (entry for entry, _schedule in work))
    latest = pacer.now() + budget_s
    planned: list[Planned] = []
    for entry, schedule in work:
        at = pacer.reserve(entry.host, latest=latest)
        if at is None:
            tick.deferred += 1
            continue
        kind = CheckKind.BASELINE if schedule.baseline_id is None else CheckKind.SCHEDULED
        planned.append(Planned(entry.id, urls[entry.id], at, kind))
    planned.sort(key=lambda item: item.at)
    return planned


def run_checks(
    checker: UrlChecker,
    planned: Sequence[Planned],
    *,
    pacer: HostPacer,
    concurrency: int = 8,
    sleep: Callable[[float], None] = time.sleep,
) -> list[CheckResult]:
    """Make the planned checks, ``concurrency`` at a time, none before its slot; the results in
    the order planned. No database work."""

    def run(item: Planned) -> CheckResult:
        wait = item.at - pacer.now()
        if wait > 0:
            sleep(wait)
        return checker.check(item.url)

    if not planned:
        return []
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="check") as pool:
        results = list(pool.map(run, planned))
    pacer.forget_idle()
    return results


def record_due(
    session: Session,
    planned: Sequence[Planned],
    results: Sequence[CheckResult],
    *,
    now: datetime,
    tick: Tick,
    jitter: Callable[[], float] | None = None,
    gone_apart: timedelta = GONE_APART,
) -> None:
    """Record each planned check's result (the schedule's rules applied) and count it."""
    policies_ = _Policies(session)
    for item, result in zip(planned, results, strict=True):
        entry = session.get_one(Entry, item.entry_id)
        record(
            session,
            entry,
            result,
            kind=item.kind,
            now=now,
            jitter=jitter,
            removal=policies_.removal(entry),
            gone_apart=gone_apart,
        )
        schedule = session.get_one(CheckSchedule, entry.id)
        tick.checked += 1
        tick.outcomes[result.outcome.value] += 1
        if schedule.done_at is not None and entry.state == EntryState.REMOVED:
            tick.removed.append(entry.public_ref)
        elif schedule.needs_analyst_at == now:
            tick.flagged.append(entry.public_ref)


def check_due(
    session: Session,
    checker: UrlChecker,
    *,
    now: datetime,
    concurrency: int = 8,
    pacer: HostPacer | None = None,
    per_host_interval_s: float = 0.0,
    budget_s: float = 300.0,
    limit: int = 10_000,
    sleep: Callable[[float], None] = time.sleep,
    jitter: Callable[[], float] | None = None,
) -> Tick:
    """One tick on one session: plan (:func:`plan_due`), check (:func:`run_checks`), record
    (:func:`record_due`); the caller commits. The job runs the three itself, so that no
    database connection is held while the network answers."""
    tick = Tick()
    pacer = pacer or HostPacer(per_host_interval_s)
    planned = plan_due(session, now=now, pacer=pacer, budget_s=budget_s, limit=limit, tick=tick)
    results = run_checks(checker, planned, pacer=pacer, concurrency=concurrency, sleep=sleep)
    record_due(session, planned, results, now=now, tick=tick, jitter=jitter)
    return tick


# --- what staff see -------------------------------------------------------------------------


def checks_of(session: Session, entry: Entry, limit: int = 200) -> Sequence[UrlCheck]:
    """The entry's check log, the newest first."""
    return session.scalars(
        select(UrlCheck)
        .where(UrlCheck.entry_id == entry.id)
        .order_by(UrlCheck.at.desc(), UrlCheck.id.desc())
        .limit(limit)
    ).all()


def attention(session: Session, limit: int = 200) -> Sequence[tuple[Entry, CheckSchedule]]:
    """Active entries with no successful check for their category's ``unchecked_days``, the
    longest waiting first."""
    rows = session.execute(
        select(Entry, CheckSchedule)
        .join(CheckSchedule, CheckSchedule.entry_id == Entry.id)
        .where(
            and_(
                CheckSchedule.needs_analyst_at.is_not(None),
                CheckSchedule.done_at.is_(None),
                Entry.state == EntryState.ACTIVE,
            )
        )
        .order_by(CheckSchedule.needs_analyst_at, CheckSchedule.entry_id)
        .limit(limit)
    ).all()
    return [(row[0], row[1]) for row in rows]
