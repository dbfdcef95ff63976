"""The re-verification job: every ``reverify_interval_s`` one tick of the check schedule
(:func:`hotlist.server.reverification.service.check_due`), leased like the publish, retention
and notices jobs so one process of the deployment checks. The per-host pace is kept across
ticks; each tick gets at most one interval of pacing, what is left stays due for the next."""

from __future__ import annotations

import logging
import os
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from hotlist.logs import fields
from hotlist.server.config import Settings
from hotlist.server.kit.checker import UrlChecker
from hotlist.server.kit.clock import Clock, SystemClock
from hotlist.server.reverification import service
from hotlist.server.scheduling import BackgroundLoop, job_lease

log = logging.getLogger(__name__)


BATCH = 500
"""Checks planned and recorded per transaction."""


def run_once(
    factory: sessionmaker[Session],
    checker: UrlChecker,
    settings: Settings,
    *,
    clock: Clock | None = None,
    pacer: service.HostPacer | None = None,
    batch: int = BATCH,
) -> service.Tick:
    """One tick now, in batches: each plans its checks in one short transaction, makes them
    with no database connection held (a slow site never holds up the server's requests), and
    records them in another. It ends when nothing is due, when its host's pace would defer a
    check, or after one interval."""
    clock = clock or SystemClock()
    pacer = pacer or service.HostPacer(settings.check_per_host_interval_s)
    budget_s = max(settings.reverify_interval_s, 1.0)
    ends = pacer.now() + budget_s
    tick = service.Tick()
    while True:
        with factory() as session, session.begin():
            planned = service.plan_due(
                session,
                now=clock.now(),
                pacer=pacer,
                budget_s=max(ends - pacer.now(), 0.0),
                limit=batch,
                tick=tick,
            )
        results = service.run_checks(
            checker, planned, pacer=pacer, concurrency=settings.check_concurrency
        )
        with factory() as session, session.begin():
            service.record_due(
                session,
                planned,
                results,
                now=clock.now(),
                tick=tick,
                gone_apart=timedelta(seconds=settings.check_gone_apart_s),
            )
        if len(planned) < batch or tick.deferred or pacer.now() >= ends:
            break
    if tick.checked or tick.enrolled or tick.stopped:
        log.info(
            "re-verification: %d checked %s, %d removed as gone, %d for an analyst, %d deferred",
            tick.checked,
            dict(tick.outcomes),
            len(tick.removed),
            len(tick.flagged),
            tick.deferred,
            extra=fields(job="reverify", pid=os.getpid()),
        )
    return tick


def start_reverify_job(
    settings: Settings,
    factory: sessionmaker[Session],
    checker: UrlChecker,
    clock: Clock | None = None,
) -> BackgroundLoop | None:
    """Start the job unless it is off: ``reverify_interval_s`` 0, or the publish schedule off
    (tests and one-off tools run no jobs)."""
    if settings.reverify_interval_s <= 0 or settings.publish_interval_s <= 0:
        return None
    pacer = service.HostPacer(settings.check_per_host_interval_s)
    loop = BackgroundLoop(
        "hotlist-reverify",
        lambda: _run(factory, checker, settings, clock, pacer),
        settings.reverify_interval_s,
        lease=job_lease(settings, factory, "reverify"),
        job="reverify",
    )
    loop.start()
    return loop


def _run(
    factory: sessionmaker[Session],
    checker: UrlChecker,
    settings: Settings,
    clock: Clock | None,
    pacer: service.HostPacer,
) -> None:
    run_once(factory, checker, settings, clock=clock, pacer=pacer)
