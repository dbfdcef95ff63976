"""Contact details are purged on schedule, reports' and appeals' alike."""

from __future__ import annotations

import time
from datetime import timedelta

from cryptography.fernet import Fernet
from sqlalchemy.orm import Session, sessionmaker

from hotlist.server.config import Settings
from hotlist.server.db.base import utcnow
from hotlist.server.kit.contacts import FernetContactCipher
from hotlist.server.reports import intake
from hotlist.server.reports.models import Report
from hotlist.server.retention import Purged, purge_contacts, start_retention_job

URL = "http://www.example.com/a/page.html"


def file_with_contact(sessions: sessionmaker[Session], age_days: int) -> int:
    cipher = FernetContactCipher(Fernet.generate_key())
    with sessions() as session, session.begin():
        report = intake.submit(session, URL, contact="someone@example.org", cipher=cipher)
        report.received_at = utcnow() - timedelta(days=age_days)
        session.flush()
        return report.id


def contact_of(sessions: sessionmaker[Session], report_id: int) -> bytes | str | None:
    with sessions() as session:
        report = session.get(Report, report_id)
        assert report is not None
        return report.contact


def test_purge_erases_only_what_is_due(sessions: sessionmaker[Session]) -> None:
    old = file_with_contact(sessions, 91)
    new = file_with_contact(sessions, 1)
    assert purge_contacts(sessions) == Purged(reports=1, appeals=0)
    assert contact_of(sessions, old) is None
    assert contact_of(sessions, new) is not None
    assert purge_contacts(sessions) == Purged(reports=0, appeals=0)


def test_the_schedule_purges_at_start(settings: Settings, sessions: sessionmaker[Session]) -> None:
    old = file_with_contact(sessions, 91)
    loop = start_retention_job(settings.with_changes(publish_interval_s=300), sessions, 3600)
    assert loop is not None
    try:
        deadline = time.monotonic() + 30
        while contact_of(sessions, old) is not None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        loop.stop()
    assert contact_of(sessions, old) is None


def test_no_schedule_when_scheduling_is_off(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    assert start_retention_job(settings, sessions) is None
