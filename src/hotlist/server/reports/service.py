"""Reports: the reporter's status, the analysts' queue, settling and retention.

Filing a report is :mod:`hotlist.server.reports.intake`: no address or other identifier of
the reporter is stored; a report whose canonical URL is already open links to the first open
report (``duplicate_of``); one whose URL an active entry already covers links to that entry and
counts as assessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased

from hotlist.errors import Conflict, NotFound
from hotlist.server.access_log.service import record_plaintext_access
from hotlist.server.db.base import utcnow
from hotlist.server.db.rows import get_or_missing
from hotlist.server.kit.contacts import ContactCipher
from hotlist.server.kit.principal import Principal
from hotlist.server.reports.models import Report, ReportStatus

CONTACT_RETENTION = timedelta(days=90)


def status_of(session: Session, receipt: str) -> ReportStatus:
    """The status a reporter sees for ``receipt``."""
    status = session.scalar(select(Report.status).where(Report.receipt == receipt))
    if status is None:
        raise NotFound("no report has that receipt; check it was copied in full")
    return ReportStatus(status)


@dataclass(frozen=True)
class QueueFilter:
    """What the analysts' queue shows; by default every report that is not a duplicate."""

    status: ReportStatus | None = None
    category_hint: str | None = None
    received_after: datetime | None = None
    received_before: datetime | None = None
    include_duplicates: bool = False


@dataclass(frozen=True)
class QueueItem:
    """A report in the queue, with how many later reports duplicate it. No URL."""

    report: Report
    duplicates: int


def queue(
    session: Session, where: QueueFilter, after_id: int = 0, limit: int = 50
) -> Sequence[QueueItem]:
    """Reports in the order received, after id ``after_id``, filtered by ``where``."""
    later = aliased(Report)
    duplicates = (
        select(func.count(later.id))
        .where(later.duplicate_of == Report.id)
        .correlate(Report)
        .scalar_subquery()
    )
    query = select(Report, duplicates).where(Report.id > after_id)
    if where.status is not None:
        query = query.where(Report.status == where.status)
    if where.category_hint is not None:
        query = query.where(Report.category_hint == where.category_hint)
    if where.received_after is not None:
        query = query.where(Report.received_at >= where.received_after)
    if where.received_before is not None:
        query = query.where(Report.received_at < where.received_before)
    if not where.include_duplicates:
        query = query.where(Report.duplicate_of.is_(None))
    rows = session.execute(query.order_by(Report.id).limit(limit)).all()
    return [QueueItem(report=row[0], duplicates=row[1]) for row in rows]


def get(session: Session, report_id: int, *, for_update: bool = False) -> Report:
    """The report with id ``report_id``; ``for_update`` locks its row until the transaction
    ends on PostgreSQL (SQLite has no row locks; :func:`settle`'s guarded update covers it)."""
    missing = f"no report with id {report_id}"
    return get_or_missing(session, Report, report_id, missing, for_update=for_update)


def open_report(session: Session, report_id: int, principal: Principal) -> Report:
    """The report with its URL, for ``principal``; the read is written to the access log."""
    report = get(session, report_id)
    record_plaintext_access(session, principal, "report.open", "report", report.id)
    return report


def read_contact(
    session: Session, report: Report, principal: Principal, cipher: ContactCipher | None
) -> str | None:
    """The reporter's contact, decrypted, logged as read; None if none was given or purged."""
    if report.contact is None or cipher is None:
        return None
    record_plaintext_access(session, principal, "report.contact", "report", report.id)
    return cipher.decrypt(report.contact)


def first_report_id(session: Session, entry_id: int) -> int | None:
    """The first report entry ``entry_id`` covers, if any: the entry's provenance."""
    return session.scalar(
        select(Report.id).where(Report.entry_id == entry_id).order_by(Report.id).limit(1)
    )


def duplicates_of(session: Session, report_id: int) -> Sequence[int]:
    """Ids of the reports marked as duplicates of ``report_id``."""
    query = select(Report.id).where(Report.duplicate_of == report_id).order_by(Report.id)
    return session.scalars(query).all()


def settle(
    session: Session, report: Report, status: ReportStatus, entry_id: int | None
) -> Sequence[int]:
    """Give the still-open ``report`` and its open duplicates ``status`` and ``entry_id``.

    The change is made only if the report is still ``received`` when the database applies it,
    so two decisions taken at once cannot both settle it: the later one is a Conflict (and its
    transaction, entry included, is rolled back). Returns the ids of the duplicates settled.
    """
    now = utcnow()
    session.flush()
    claimed = session.execute(
        update(Report)
        .where(Report.id == report.id)
        .where(Report.status == ReportStatus.RECEIVED)
        .values(status=status, entry_id=entry_id, status_changed_at=now)
        .returning(Report.id),
        execution_options={"synchronize_session": False},
    ).all()
    if not claimed:
        raise Conflict(f"report {report.id} was decided by someone else a moment ago; reload it")
    session.refresh(report)
    open_duplicates = session.scalars(
        select(Report.id)
        .where(Report.duplicate_of == report.id)
        .where(Report.status == ReportStatus.RECEIVED)
    ).all()
    if open_duplicates:
        session.execute(
            update(Report)
            .where(Report.id.in_(open_duplicates))
            .values(status=status, entry_id=entry_id, status_changed_at=now)
        )
    session.flush()
    return open_duplicates


def purge_contacts(
    session: Session, now: datetime | None = None, retention: timedelta = CONTACT_RETENTION
) -> int:
    """Erase contact details of reports received more than ``retention`` ago; returns how many."""
    now = now or utcnow()
    due = session.scalars(
        select(Report.id)
        .where(Report.contact.is_not(None))
        .where(Report.received_at < now - retention)
    ).all()
    if due:
        session.execute(
            update(Report).where(Report.id.in_(due)).values(contact=None, contact_purged_at=now)
        )
    return len(due)
