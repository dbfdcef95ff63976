"""``/v1/reports/{id}/assessments``: deciding on a report, and reading the decisions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from hotlist.policy import SharedHostingList
from hotlist.server.assessments import service
from hotlist.server.assessments.models import Assessment
from hotlist.server.assessments.schemas import AssessmentIn, AssessmentOut
from hotlist.server.entries.models import Entry
from hotlist.server.kit.deps import DbSession, require
from hotlist.server.kit.params import RowId
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal
from hotlist.server.policies import service as policies
from hotlist.server.policies.api import shared_hosting
from hotlist.server.reports import service as reports
from hotlist.urls import Scope

router = APIRouter(prefix="/v1", tags=["assessments"])

Assessor = Annotated[Principal, Depends(require(Permission.REPORTS_ASSESS))]
Reader = Annotated[Principal, Depends(require(Permission.REPORTS_READ))]
ReportId = RowId


def _view(session: DbSession, assessment: Assessment) -> AssessmentOut:
    numbers = policies.version_numbers(session, {assessment.policy_version_id})
    entry = session.get(Entry, assessment.entry_id) if assessment.entry_id is not None else None
    return AssessmentOut(
        id=assessment.id,
        report_id=assessment.report_id,
        actionable=assessment.actionable,
        category=assessment.category_code,
        scope=Scope(assessment.scope) if assessment.scope is not None else None,
        reason=assessment.reason,
        scope_reason=assessment.scope_reason,
        decided_by=assessment.decided_by,
        decided_at=assessment.decided_at,
        policy_version=numbers[assessment.policy_version_id],
        entry_public_id=entry.public_ref if entry is not None else None,
    )


@router.post(
    "/reports/{report_id}/assessments",
    response_model=AssessmentOut,
    status_code=201,
    summary="Assess a report",
)
def assess(
    report_id: ReportId,
    body: AssessmentIn,
    session: DbSession,
    principal: Assessor,
    listed: Annotated[SharedHostingList, Depends(shared_hosting)],
) -> AssessmentOut:
    """Record the decision. Actionable: make an entry (or join the active one with the same
    expression). Not actionable: close the report. Open duplicates are settled with it.

    A scope or category the policy does not allow is a 422 naming the rule.
    """
    decision = service.AssessmentInput(
        actionable=body.actionable,
        reason=body.reason,
        category=body.category,
        scope=body.scope,
        scope_reason=body.scope_reason,
    )
    outcome = service.assess(session, report_id, decision, principal, listed)
    view = _view(session, outcome.assessment)
    view.entry_created = outcome.entry_created
    view.settled_duplicates = list(outcome.settled_duplicates)
    return view


@router.get(
    "/reports/{report_id}/assessments",
    response_model=list[AssessmentOut],
    summary="A report's assessments",
)
def list_assessments(report_id: ReportId, session: DbSession, _p: Reader) -> list[AssessmentOut]:
    """Every decision on the report, oldest first (no URL)."""
    reports.get(session, report_id)
    return [_view(session, row) for row in service.for_report(session, report_id)]
