"""Data retention on schedule: reporters' and appellants' contact details are purged.

DESIGN.md: contact details are optional, encrypted, and purged on a schedule. The services own
the rule (what is due); this module runs it every hour in the server.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from hotlist.logs import fields
from hotlist.server.appeals import service as appeals
from hotlist.server.config import Settings
from hotlist.server.reports import service as reports
from hotlist.server.scheduling import BackgroundLoop, job_lease
from hotlist.text import plural

log = logging.getLogger(__name__)

RETENTION_EVERY_S = 3600.0


@dataclass(frozen=True)
class Purged:
    """How many contact details one run erased."""

    reports: int
    appeals: int


def purge_contacts(factory: sessionmaker[Session]) -> Purged:
    """Erase every contact detail past its retention period, in one transaction."""
    with factory() as session, session.begin():
        purged = Purged(reports.purge_contacts(session), appeals.purge_contacts(session))
    if purged.reports or purged.appeals:
        log.info(
            "purged contact details: %s, %s",
            plural(purged.reports, "report", "reports"),
            plural(purged.appeals, "appeal", "appeals"),
            extra=fields(job="retention", pid=os.getpid()),
        )
    return purged


def start_retention_job(
    settings: Settings, factory: sessionmaker[Session], every_s: float = RETENTION_EVERY_S
) -> BackgroundLoop | None:
    """Purge now and every hour, in the one process of the deployment that holds the job's
    lease; off when the publish schedule is off (tests, one-off tools)."""
    if settings.publish_interval_s <= 0:
        return None
    lease = job_lease(settings, factory, "retention")
    loop = BackgroundLoop(
        "hotlist-retention", lambda: _run(factory), every_s, lease=lease, job="retention"
    )
    loop.start()
    return loop


def _run(factory: sessionmaker[Session]) -> None:
    purge_contacts(factory)
