"""Plaintext grants per observer organisation, and audit samples of decisions with reviews.

A sample is drawn with the operating system's randomness from every decision made in a period:
assessments, objection decisions and appeal decisions. Observers review each item (agree or
disagree, with a comment); agreement rates go into the transparency figures.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotlist.errors import Conflict, NotFound, PermissionDenied, PolicyError
from hotlist.server.accounts.models import Organisation, OrgKind
from hotlist.server.appeals.models import Appeal
from hotlist.server.assessments.models import Assessment
from hotlist.server.db.base import utcnow
from hotlist.server.db.rows import get_or_missing, page_after
from hotlist.server.kit.principal import Principal
from hotlist.server.objections.models import Objection
from hotlist.server.observers.models import (
    AuditItem,
    AuditReview,
    AuditSample,
    DecisionKind,
    PlaintextGrant,
    Verdict,
)

MAX_SAMPLE_SIZE = 1_000


def set_grant(
    session: Session, org_id: int, granted: bool, reason: str, by: Principal
) -> PlaintextGrant:
    """Grant (or withdraw) plaintext access to an observer organisation; a new record each time."""
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound(f"no organisation {org_id}")
    if org.kind != OrgKind.OBSERVER:
        raise PolicyError(
            f"organisation {org_id} is {OrgKind(org.kind).with_article}, not an observer; only "
            "observers get a grant"
        )
    grant = PlaintextGrant(
        org_id=org_id, granted=granted, reason=reason, decided_by=by.user_id, at=utcnow()
    )
    session.add(grant)
    session.flush()
    return grant


def current_grant(session: Session, org_id: int) -> PlaintextGrant | None:
    """The grant record in force for ``org_id`` (the latest), if any."""
    query = select(PlaintextGrant).where(PlaintextGrant.org_id == org_id)
    return session.scalars(query.order_by(PlaintextGrant.id.desc()).limit(1)).first()


def plaintext_granted(session: Session, org_id: int | None) -> bool:
    """Whether the observer organisation ``org_id`` may read plaintext URLs now."""
    if org_id is None:
        return False
    grant = current_grant(session, org_id)
    return grant is not None and grant.granted


@dataclass(frozen=True)
class Decided:
    """A decision in a period: its kind, id and time."""

    kind: DecisionKind
    subject_id: int
    decided_at: datetime


def decisions_in(session: Session, start: datetime, end: datetime) -> list[Decided]:
    """Every decision made in ``[start, end)``: assessments, objection and appeal decisions."""
    found: list[Decided] = []
    sources = (
        (DecisionKind.ASSESSMENT, Assessment.id, Assessment.decided_at),
        (DecisionKind.OBJECTION, Objection.id, Objection.decided_at),
        (DecisionKind.APPEAL, Appeal.id, Appeal.decided_at),
    )
    for kind, id_column, at_column in sources:
        rows = session.execute(
            select(id_column, at_column)
            .where(at_column >= start)
            .where(at_column < end)
            .order_by(id_column)
        ).all()
        found.extend(Decided(kind, row[0], row[1]) for row in rows if row[1] is not None)
    return found


def draw_sample(
    session: Session, start: datetime, end: datetime, size: int, by: Principal
) -> AuditSample:
    """Draw ``size`` decisions at random from those made in ``[start, end)`` (all if fewer)."""
    if not 1 <= size <= MAX_SAMPLE_SIZE:
        raise PolicyError(f"a sample holds 1 to {MAX_SAMPLE_SIZE} decisions")
    if end <= start:
        raise PolicyError("the period's end must come after its start")
    population = decisions_in(session, start, end)
    chosen = secrets.SystemRandom().sample(population, min(size, len(population)))
    chosen.sort(key=lambda d: (d.decided_at, d.kind.value, d.subject_id))
    sample = AuditSample(
        period_from=start,
        period_to=end,
        requested=size,
        population=len(population),
        drawn_by=by.user_id,
        drawn_at=utcnow(),
    )
    session.add(sample)
    session.flush()
    for decided in chosen:
        session.add(
            AuditItem(
                sample_id=sample.id,
                kind=decided.kind.value,
                subject_id=decided.subject_id,
                decided_at=decided.decided_at,
            )
        )
    session.flush()
    return sample


def get_sample(session: Session, sample_id: int) -> AuditSample:
    """The sample with id ``sample_id``."""
    return get_or_missing(session, AuditSample, sample_id, f"no audit sample {sample_id}")


def list_samples(session: Session, after_id: int = 0, limit: int = 50) -> Sequence[AuditSample]:
    """Samples in the order drawn."""
    return page_after(session, select(AuditSample), AuditSample.id, after_id, limit)


def items_of(session: Session, sample: AuditSample) -> Sequence[AuditItem]:
    """The sample's decisions, in time order."""
    query = select(AuditItem).where(AuditItem.sample_id == sample.id).order_by(AuditItem.id)
    return session.scalars(query).all()


def reviews_of(session: Session, sample: AuditSample) -> Sequence[AuditReview]:
    """Every review of the sample's items, oldest first."""
    query = (
        select(AuditReview)
        .join(AuditItem, AuditItem.id == AuditReview.item_id)
        .where(AuditItem.sample_id == sample.id)
        .order_by(AuditReview.id)
    )
    return session.scalars(query).all()


def review(
    session: Session,
    sample: AuditSample,
    item_id: int,
    verdict: Verdict,
    comment: str,
    by: Principal,
) -> AuditReview:
    """An observer's review of one item of ``sample``; one per observer and item."""
    if by.user_id is None or by.org_id is None:
        raise PermissionDenied("a review is a person's judgement; use a person's API key")
    item = session.get(AuditItem, item_id)
    if item is None or item.sample_id != sample.id:
        raise NotFound(f"audit sample {sample.id} has no item {item_id}")
    already = session.scalar(
        select(AuditReview.id)
        .where(AuditReview.item_id == item.id)
        .where(AuditReview.user_id == by.user_id)
    )
    if already is not None:
        raise Conflict(f"you have reviewed item {item_id} already; reviews are final")
    row = AuditReview(
        item_id=item.id,
        org_id=by.org_id,
        user_id=by.user_id,
        verdict=verdict.value,
        comment=comment,
        at=utcnow(),
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"you have reviewed item {item_id} already; reviews are final") from exc
    return row
