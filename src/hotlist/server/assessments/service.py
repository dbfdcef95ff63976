"""Assessing a report: actionable or not, under the policy in force, and at which scope.

The scope rules are :mod:`hotlist.server.entries.scope`'s (host scope needs a category that
allows it, a reason, and a host off the shared-hosting warning list). An actionable assessment
makes an entry or joins the active one with the same expression; the report and its open
duplicates are settled with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotlist.errors import Conflict, PermissionDenied, PolicyError
from hotlist.policy import SharedHostingList
from hotlist.server.assessments.models import Assessment
from hotlist.server.db.base import utcnow
from hotlist.server.entries import scope as scopes
from hotlist.server.entries import service as entries
from hotlist.server.entries.models import Entry
from hotlist.server.kit.principal import Principal
from hotlist.server.policies import service as policies
from hotlist.server.reasons import check_free_text
from hotlist.server.reports import service as reports
from hotlist.server.reports.models import ReportStatus
from hotlist.urls import Scope, entry_expression, expression_host


@dataclass(frozen=True)
class AssessmentInput:
    """An analyst's decision on a report. ``category`` and ``scope`` only when actionable."""

    actionable: bool
    reason: str
    category: str | None = None
    scope: Scope | None = None
    scope_reason: str | None = None


@dataclass(frozen=True)
class Outcome:
    """The stored assessment, the entry it made or joined, and the duplicates it settled."""

    assessment: Assessment
    entry: Entry | None
    entry_created: bool
    settled_duplicates: Sequence[int]


def assess(
    session: Session,
    report_id: int,
    decision: AssessmentInput,
    by: Principal,
    shared_hosting: SharedHostingList,
) -> Outcome:
    """Record ``by``'s decision on the report; raises PolicyError naming the rule it breaks."""
    if by.user_id is None:
        raise PermissionDenied("an assessment is a person's decision; use a person's API key")
    report = reports.get(session, report_id, for_update=True)
    if report.status != ReportStatus.RECEIVED:
        raise Conflict(
            f"report {report.id} is {report.status} already; its assessments are on record"
        )
    # The reasons become the entry's statement of reasons, which members and observers read.
    urls = (report.url, report.canonical_url)
    hosts = (expression_host(entry_expression(report.canonical_url, Scope.HOST)),)
    check_free_text("reason", decision.reason, urls=urls, hosts=hosts)
    if decision.scope_reason:
        check_free_text("scope_reason", decision.scope_reason, urls=urls, hosts=hosts)
    version, policy = policies.current_policy(session)
    entry: Entry | None = None
    created = False
    if decision.actionable:
        if decision.category is None or decision.scope is None:
            raise PolicyError("an actionable assessment needs a category and a scope")
        category = policy.category(decision.category)
        expression = entry_expression(report.canonical_url, decision.scope)
        scope, scope_reason = scopes.check_scope(
            decision.scope, expression, decision.scope_reason, category, shared_hosting
        )
        entry, created = entries.create_or_join(
            session,
            entries.Decision(
                expression=expression,
                scope=scope,
                category=category,
                policy_version_id=version.id,
                facts=decision.reason,
                scope_reason=scope_reason,
                decided_by=by.user_id,
                report_id=report.id,
            ),
        )
        settled = reports.settle(session, report, ReportStatus.ASSESSED, entry.id)
    else:
        settled = reports.settle(session, report, ReportStatus.CLOSED, None)
    assessment = Assessment(
        report_id=report.id,
        actionable=decision.actionable,
        policy_version_id=version.id,
        category_code=decision.category,
        scope=decision.scope.value if decision.scope is not None else None,
        reason=decision.reason,
        scope_reason=decision.scope_reason,
        entry_id=entry.id if entry is not None else None,
        decided_by=by.user_id,
        decided_at=utcnow(),
    )
    session.add(assessment)
    session.flush()
    return Outcome(assessment, entry, created, settled)


def for_report(session: Session, report_id: int) -> Sequence[Assessment]:
    """The report's assessments, oldest first."""
    query = select(Assessment).where(Assessment.report_id == report_id).order_by(Assessment.id)
    return session.scalars(query).all()
