"""Observers: plaintext grants (admins), audit samples (drawn by supervisors or admins,
reviewed by observers)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from hotlist.publish.wire import format_entry_id
from hotlist.server.appeals.models import Appeal
from hotlist.server.assessments.models import Assessment
from hotlist.server.entries.models import Entry
from hotlist.server.kit.deps import DbSession, require
from hotlist.server.kit.pagination import Cursor, Limit, Page, decode_id_cursor, split_page
from hotlist.server.kit.params import RowId
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal
from hotlist.server.objections.models import Objection
from hotlist.server.observers import service
from hotlist.server.observers.models import AuditItem, AuditSample, DecisionKind, Verdict
from hotlist.server.observers.schemas import (
    GrantIn,
    GrantOut,
    ItemOut,
    ReviewIn,
    ReviewOut,
    SampleIn,
    SampleOut,
)
from hotlist.server.policies import service as policies

router = APIRouter(prefix="/v1", tags=["observers"])

Manager = Annotated[Principal, Depends(require(Permission.ORGS_MANAGE))]
Sampler = Annotated[Principal, Depends(require(Permission.AUDIT_SAMPLE))]
AuditReader = Annotated[Principal, Depends(require(Permission.AUDIT_READ))]
Reviewer = Annotated[Principal, Depends(require(Permission.AUDIT_REVIEW))]
Id = RowId


def _grant_view(session: Session, org_id: int) -> GrantOut:
    grant = service.current_grant(session, org_id)
    if grant is None:
        return GrantOut(org_id=org_id, granted=False, reason=None, decided_by=None, at=None)
    return GrantOut(
        org_id=org_id,
        granted=grant.granted,
        reason=grant.reason,
        decided_by=grant.decided_by,
        at=grant.at,
    )


@router.put(
    "/orgs/{org_id}/plaintext-grant",
    response_model=GrantOut,
    summary="Grant or withdraw an observer organisation's plaintext access",
)
def put_grant(org_id: Id, body: GrantIn, session: DbSession, by: Manager) -> GrantOut:
    """When granted, the organisation's observers may open reports and entry expressions; every
    such view is in the access log, as for staff."""
    service.set_grant(session, org_id, body.granted, body.reason, by)
    return _grant_view(session, org_id)


@router.get(
    "/orgs/{org_id}/plaintext-grant", response_model=GrantOut, summary="An organisation's grant"
)
def get_grant(org_id: Id, session: DbSession, _by: Manager) -> GrantOut:
    """The grant in force (the latest decision)."""
    return _grant_view(session, org_id)


def _decision(session: Session, item: AuditItem) -> dict[str, Any]:
    """What an auditor sees of one decision: the statement of reasons, never a URL."""
    kind = DecisionKind(item.kind)
    if kind is DecisionKind.ASSESSMENT:
        assessment = session.get_one(Assessment, item.subject_id)
        numbers = policies.version_numbers(session, {assessment.policy_version_id})
        return {
            "actionable": assessment.actionable,
            "category": assessment.category_code,
            "scope": assessment.scope,
            "reason": assessment.reason,
            "scope_reason": assessment.scope_reason,
            "policy_version": numbers.get(assessment.policy_version_id),
            "entry_id": _entry_ref(session, assessment.entry_id),
            "decided_by": assessment.decided_by,
        }
    if kind is DecisionKind.OBJECTION:
        objection = session.get_one(Objection, item.subject_id)
        return {
            "entry_id": _entry_ref(session, objection.entry_id),
            "objection": objection.reason,
            "outcome": objection.outcome,
            "reason": objection.decision_reason,
            "new_entry_id": _entry_ref(session, objection.new_entry_id),
            "decided_by": objection.decided_by,
        }
    appeal = session.get_one(Appeal, item.subject_id)
    return {
        "entry_id": _entry_ref(session, appeal.entry_id),
        "relation": appeal.relation,
        "appeal": appeal.reason,
        "interim_suspended": appeal.interim_at is not None,
        "outcome": appeal.outcome,
        "reason": appeal.decision_reason,
        "decided_by": appeal.decided_by,
    }


def _entry_ref(session: Session, entry_id: int | None) -> str | None:
    if entry_id is None:
        return None
    public_id = session.get_one(Entry, entry_id).public_id
    return format_entry_id(public_id)


def _sample_view(session: Session, sample: AuditSample) -> SampleOut:
    reviews = [
        ReviewOut.model_validate(row, from_attributes=True)
        for row in service.reviews_of(session, sample)
    ]
    agreeing = sum(1 for review in reviews if review.verdict is Verdict.AGREE)
    return SampleOut(
        id=sample.id,
        period_from=sample.period_from,
        period_to=sample.period_to,
        requested=sample.requested,
        population=sample.population,
        drawn_by=sample.drawn_by,
        drawn_at=sample.drawn_at,
        items=[
            ItemOut(
                id=item.id,
                kind=DecisionKind(item.kind),
                subject_id=item.subject_id,
                decided_at=item.decided_at,
                decision=_decision(session, item),
            )
            for item in service.items_of(session, sample)
        ],
        reviews=reviews,
        agreement_rate=agreeing / len(reviews) if reviews else None,
    )


@router.post(
    "/audit/samples", response_model=SampleOut, status_code=201, summary="Draw an audit sample"
)
def draw_sample(body: SampleIn, session: DbSession, by: Sampler) -> SampleOut:
    """Draw ``size`` decisions of the period at random, for observers to review."""
    sample = service.draw_sample(session, body.period_from, body.period_to, body.size, by)
    return _sample_view(session, sample)


@router.get("/audit/samples", response_model=Page[SampleOut], summary="Audit samples")
def list_samples(
    session: DbSession, _by: AuditReader, cursor: Cursor = None, limit: Limit = 20
) -> Page[SampleOut]:
    """Samples in the order drawn, with their items and reviews."""
    rows = service.list_samples(session, decode_id_cursor(cursor), limit + 1)
    page, next_cursor = split_page(rows, limit, lambda row: (row.id,))
    return Page[SampleOut](
        items=[_sample_view(session, row) for row in page], next_cursor=next_cursor
    )


@router.get("/audit/samples/{sample_id}", response_model=SampleOut, summary="One audit sample")
def get_sample(sample_id: Id, session: DbSession, _by: AuditReader) -> SampleOut:
    """The sample's decisions (statements of reasons, no URL) and their reviews."""
    return _sample_view(session, service.get_sample(session, sample_id))


@router.post(
    "/audit/samples/{sample_id}/reviews",
    response_model=ReviewOut,
    status_code=201,
    summary="Review a sampled decision (observers)",
)
def review(sample_id: Id, body: ReviewIn, session: DbSession, by: Reviewer) -> ReviewOut:
    """Agree or disagree with one decision of the sample, with a comment; one review each."""
    sample = service.get_sample(session, sample_id)
    row = service.review(session, sample, body.item_id, body.verdict, body.comment, by)
    return ReviewOut.model_validate(row, from_attributes=True)
