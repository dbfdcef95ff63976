"""The assessment service called directly: concurrent decisions on one report."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hotlist.errors import Conflict, StorageError
from hotlist.policy import SharedHostingList
from hotlist.server.assessments import service
from hotlist.server.assessments.models import Assessment
from hotlist.server.entries.models import Entry
from hotlist.server.kit.principal import Principal
from hotlist.server.policies import service as policies
from hotlist.server.reports import intake
from hotlist.urls import Scope


def test_two_analysts_at_once_make_one_decision(
    sessions: sessionmaker[Session], make_user: Callable[..., Any]
) -> None:
    with sessions() as session:
        policies.ensure_policy(session)
        report_id = intake.submit(session, "http://www.example.com/x.html").id
        session.commit()
    analysts = [make_user("analyst") for _ in range(2)]
    decision = service.AssessmentInput(
        actionable=True, reason="abuse images", category="csam", scope=Scope.PAGE
    )

    def decide(user: Any) -> str:
        by = Principal(user_id=user.id, org_id=user.org_id, role=None, is_person=True)
        with sessions() as session:
            try:
                service.assess(session, report_id, decision, by, SharedHostingList(frozenset()))
                session.commit()
            except (Conflict, StorageError):
                return "refused"
            return "decided"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(decide, analysts))
    with sessions() as session:
        stored = session.scalar(select(func.count(Assessment.id)))
        entries = session.scalar(select(func.count(Entry.id)))
    assert outcomes == ["decided", "refused"]
    assert (stored, entries) == (1, 1)
