"""Recording and reading the access log."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotlist.server.access_log.models import AccessLog
from hotlist.server.db.base import utcnow
from hotlist.server.kit.principal import Principal


def record_plaintext_access(
    session: Session,
    principal: Principal,
    action: str,
    subject_type: str,
    subject_id: str | int,
) -> AccessLog:
    """Log that ``principal`` was shown a plaintext URL by ``action`` on a subject.

    Call it in the same session (transaction) as the read, so the URL is never returned
    without its log row. ``action`` names what happened (``report.open``, ``entry.expression``);
    ``subject_type`` and ``subject_id`` name what was read (``report``, a receipt).
    """
    role = principal.role.value if principal.role is not None else "anonymous"
    row = AccessLog(
        at=utcnow(),
        user_id=principal.user_id,
        org_id=principal.org_id,
        key_id=principal.key_id,
        role=role,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
    )
    session.add(row)
    session.flush()
    return row


def list_access_log(
    session: Session,
    before_id: int | None = None,
    limit: int = 50,
    user_id: int | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
) -> Sequence[AccessLog]:
    """Log rows newest first, before ``before_id``, optionally filtered."""
    query = select(AccessLog)
    if before_id is not None:
        query = query.where(AccessLog.id < before_id)
    if user_id is not None:
        query = query.where(AccessLog.user_id == user_id)
    if subject_type is not None:
        query = query.where(AccessLog.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(AccessLog.subject_id == subject_id)
    return session.scalars(query.order_by(AccessLog.id.desc()).limit(limit)).all()
