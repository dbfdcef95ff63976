"""``/v1/reports/{id}/assessments``: deciding on a report, and reading the decisions."""

from __future__ import annotations

import threading
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from hotlist.policy import SharedHostingList, default_shared_hosting_path
from hotlist.server.accounts.deps import require
from hotlist.server.accounts.permissions import Permission
from hotlist.server.accounts.principal import Principal
from hotlist.server.assessments import service
from hotlist.server.assessments.models import Assessment
from hotlist.server.assessments.schemas import AssessmentIn, AssessmentOut
from hotlist.server.config import Settings
from hotlist.server.db.base import MAX_ID
from hotlist.server.db.session import DbSession
from hotlist.server.entries.models import Entry
from hotlist.server.policies import service as policies
from hotlist.server.reports import service as reports
from hotlist.urls import Scope

router = APIRouter(prefix="/v1", tags=["assessments"])

Assessor = Annotated[Principal, Depends(require(Permission.REPORTS_ASSESS))]
Reader = Annotated[Principal, Depends(require(Permission.REPORTS_READ))]
ReportId = Annotated[int, Path(ge=1, le=MAX_ID)]

SHARED_HOSTING_FILE_NAME = "shared-hosting.txt"

_lists: dict[FilePath, tuple[float, SharedHostingList]] = {}
_lists_lock = threading.Lock()


def shared_hosting_path(settings: Settings) -> FilePath:
    """The list in force: the configured file, else ``<data_dir>/shared-hosting.txt`` when it
    exists, else the list shipped with the package."""
    if settings.shared_hosting_file is not None:
        return settings.shared_hosting_file
    if settings.data_dir is not None:
        local = settings.data_dir / SHARED_HOSTING_FILE_NAME
        if local.is_file():
            return local
    return default_shared_hosting_path()


def shared_hosting(request: Request) -> SharedHostingList:
    """The shared-hosting list, read again whenever an admin has changed the file."""
    path = shared_hosting_path(request.app.state.settings)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = -1.0
    with _lists_lock:
        cached = _lists.get(path)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    listed = SharedHostingList.load(path)
    with _lists_lock:
        _lists[path] = (mtime, listed)
    return listed


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
