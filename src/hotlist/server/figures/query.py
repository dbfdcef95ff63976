"""Fetch the rows :mod:`hotlist.server.figures.compute` computes a period's figures from."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ScalarSelect, and_, case, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from hotlist.server.appeals.models import Appeal
from hotlist.server.assessments.models import Assessment
from hotlist.server.entries.models import Entry, EntryEvent, EntryState
from hotlist.server.figures.compute import (
    AssessmentRow,
    CaseRow,
    EntryEndRow,
    EntryRow,
    PeriodRows,
    ReportRow,
    ReviewRow,
)
from hotlist.server.figures.removal import Provider, RemovalCaseRow
from hotlist.server.hosting.models import HostingLookup
from hotlist.server.notices.models import RemovalCase
from hotlist.server.objections.models import Objection
from hotlist.server.observers.models import AuditReview
from hotlist.server.reports.models import Report


def period_rows(session: Session, start: datetime, end: datetime) -> PeriodRows:
    """The rows of ``[start, end)``: only dates, states, categories and outcomes are read."""
    reports = session.scalars(
        select(Report.received_at)
        .where(Report.received_at >= start)
        .where(Report.received_at < end)
    ).all()
    assessments = session.execute(
        select(Assessment.report_id, Assessment.actionable, Assessment.decided_at)
        .where(Assessment.decided_at >= start)
        .where(Assessment.decided_at < end)
    ).all()
    first_report = (
        select(func.min(Report.received_at))
        .where(Report.entry_id == Entry.id)
        .correlate(Entry)
        .scalar_subquery()
    )
    added = session.execute(
        select(Entry.category_code, Entry.created_at, first_report)
        .where(Entry.created_at >= start)
        .where(Entry.created_at < end)
    ).all()
    ended = session.execute(
        select(Entry.category_code, EntryEvent.to_state, Entry.created_at, EntryEvent.at)
        .join(Entry, Entry.id == EntryEvent.entry_id)
        .where(EntryEvent.to_state.in_([EntryState.REMOVED.value, EntryState.EXPIRED.value]))
        .where(EntryEvent.at >= start)
        .where(EntryEvent.at < end)
    ).all()
    objections = session.execute(
        select(Objection.created_at, Objection.decided_at, Objection.outcome)
        .where(Objection.created_at < end)
        .where(or_(Objection.decided_at.is_(None), Objection.decided_at >= start))
    ).all()
    appeals = session.execute(
        select(Appeal.created_at, Appeal.decided_at, Appeal.outcome, Appeal.interim_at)
        .where(Appeal.created_at < end)
        .where(or_(Appeal.decided_at.is_(None), Appeal.decided_at >= start))
    ).all()
    reviews = session.scalars(
        select(AuditReview.verdict).where(AuditReview.at >= start).where(AuditReview.at < end)
    ).all()
    return PeriodRows(
        start=start,
        end=end,
        reports=[ReportRow(at) for at in reports],
        assessments=[AssessmentRow(r[0], r[1], r[2]) for r in assessments],
        entries_added=[EntryRow(r[0], r[1], _aware(r[2])) for r in added],
        entries_ended=[EntryEndRow(r[0], r[1], r[2], r[3]) for r in ended],
        objections=[CaseRow(r[0], r[1], r[2]) for r in objections],
        appeals=[CaseRow(r[0], r[1], r[2], interim=_in(r[3], start, end)) for r in appeals],
        reviews=[ReviewRow(verdict) for verdict in reviews],
        removal_cases=removal_rows(session, start, end),
    )


CASE_MOMENTS: tuple[InstrumentedAttribute[datetime | None], ...] = (
    RemovalCase.removed_at,
    RemovalCase.notice_sent_at,
    RemovalCase.referral_sent_at,
    RemovalCase.police_notified_at,
)


def _provider_lookup(later: bool) -> ScalarSelect[int]:
    """The id of the case's host's lookup that found a network: the latest made no later than
    the removal, or (``later``) the first made after it."""
    found = or_(HostingLookup.network_name.is_not(None), HostingLookup.asn.is_not(None))
    query = select(HostingLookup.id).where(HostingLookup.host == RemovalCase.host).where(found)
    if later:
        query = query.where(HostingLookup.looked_up_at > RemovalCase.removed_at).order_by(
            HostingLookup.looked_up_at, HostingLookup.id
        )
    else:
        query = query.where(HostingLookup.looked_up_at <= RemovalCase.removed_at).order_by(
            HostingLookup.looked_up_at.desc(), HostingLookup.id.desc()
        )
    return query.limit(1).correlate(RemovalCase).scalar_subquery()


def removal_rows(session: Session, start: datetime, end: datetime) -> list[RemovalCaseRow]:
    """Every removal case with a timestamp in ``[start, end)``; each removed in the period
    after a notice with its hosting provider: the network of the host's latest lookup that
    found one no later than the removal (the one that answered for the content then), or of its
    first lookup when all came later. The host name stays in the database: no row carries it."""
    in_period = [and_(moment >= start, moment < end) for moment in CASE_MOMENTS]
    in_period.append(and_(RemovalCase.opened_at >= start, RemovalCase.opened_at < end))
    timed = and_(
        RemovalCase.removed_at >= start,
        RemovalCase.removed_at < end,
        RemovalCase.notice_sent_at.is_not(None),
    )
    lookup_id = case(
        (timed, func.coalesce(_provider_lookup(later=False), _provider_lookup(later=True))),
        else_=None,
    )
    cases = (
        select(
            RemovalCase.category_code,
            RemovalCase.opened_at,
            RemovalCase.report_received_at,
            RemovalCase.notice_sent_at,
            RemovalCase.referral_sent_at,
            RemovalCase.police_notified_at,
            RemovalCase.removed_at,
            RemovalCase.outcome,
            lookup_id.label("lookup_id"),
        )
        .where(or_(*in_period))
        .subquery()
    )
    rows = session.execute(
        select(
            *(column for column in cases.c if column.name != "lookup_id"),
            HostingLookup.network_name,
            HostingLookup.asn,
        ).outerjoin(HostingLookup, HostingLookup.id == cases.c.lookup_id)
    ).all()
    return [
        RemovalCaseRow(
            *row[:8],
            provider=None if row[8] is None and row[9] is None else Provider(row[8], row[9]),
        )
        for row in rows
    ]


def _in(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


def _aware(moment: datetime | None) -> datetime | None:
    """A subquery's time in UTC (SQLite hands it back without its zone)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
