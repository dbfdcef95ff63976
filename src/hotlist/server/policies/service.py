"""Loading policy files into versions, and finding the version in force.

A version is made only when the loaded policy's content hash differs from the current one's,
so loading the same file twice is harmless. Parsed policies are cached by content hash (the
same hash, the same policy) for the life of the process.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import ScalarSelect, Select, String, bindparam, func, select, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from hotlist.errors import Conflict, NotFound
from hotlist.policy import Policy, load_demo_policy, load_policy, policy_from_dict
from hotlist.publish.log.events import LogEventKind
from hotlist.server.db.base import utcnow
from hotlist.server.log.service import record
from hotlist.server.policies.models import PolicyVersion

_parsed: dict[str, Policy] = {}
_parsed_lock = threading.Lock()


def policy_of(row: PolicyVersion) -> Policy:
    """The :class:`Policy` a stored version holds (validated once per content hash)."""
    return parsed(row.content_hash, row.document)


def parsed(content_hash: str, document: dict[str, Any]) -> Policy:
    """The policy ``document`` (whose content hash is ``content_hash``), parsed once."""
    found = cached(content_hash)
    if found is None:
        found = policy_from_dict(document)
        with _parsed_lock:
            _parsed[content_hash] = found
    return found


def cached(content_hash: str) -> Policy | None:
    """The policy with ``content_hash`` if this process parsed it before."""
    with _parsed_lock:
        return _parsed.get(content_hash)


@cache
def current_hash_query() -> Select[str | None]:
    """A query for the content hash of the version in force (a row of NULL when none); one
    object, so that it is compiled once."""
    return select(current_hash_subquery())


@cache
def document_query() -> Select[dict[str, Any]]:
    """A query for the document of the version whose hash is bound as ``content_hash``."""
    return (
        select(PolicyVersion.document)
        .where(PolicyVersion.content_hash == bindparam("content_hash", type_=String))
        .limit(1)
    )


def current_hash_subquery() -> ScalarSelect[str]:
    """A scalar subquery: the content hash of the version in force (NULL when none)."""
    query = select(PolicyVersion.content_hash).order_by(PolicyVersion.version.desc()).limit(1)
    return query.scalar_subquery()


def policy_with_hash(session: Session, content_hash: str) -> Policy:
    """The stored policy with ``content_hash``; from the cache when it was read before."""
    found = cached(content_hash)
    if found is not None:
        return found
    query = select(PolicyVersion).where(PolicyVersion.content_hash == content_hash).limit(1)
    row = session.scalars(query).first()
    if row is None:
        raise NotFound(f"no policy version has content hash {content_hash}")
    return policy_of(row)


def current_or_none(session: Session) -> PolicyVersion | None:
    """The version in force (the highest number), or None before any policy was loaded."""
    query = select(PolicyVersion).order_by(PolicyVersion.version.desc()).limit(1)
    return session.scalars(query).first()


def current(session: Session) -> PolicyVersion:
    """The version in force; NotFound when no policy was ever loaded."""
    row = current_or_none(session)
    if row is None:
        raise NotFound("no policy is loaded yet; a supervisor or admin loads one (POST /v1/policy)")
    return row


def current_policy(session: Session) -> tuple[PolicyVersion, Policy]:
    """The version in force and its parsed policy."""
    row = current(session)
    return row, policy_of(row)


def policy_in_force(session: Session) -> Policy | None:
    """The parsed policy in force, or None before any policy was loaded (the forms show the
    categories when there is one)."""
    row = current_or_none(session)
    return policy_of(row) if row is not None else None


def get_version(session: Session, version: int) -> PolicyVersion:
    """The policy version numbered ``version``."""
    row = session.scalar(select(PolicyVersion).where(PolicyVersion.version == version))
    if row is None:
        raise NotFound(f"no policy version {version}; GET /v1/policy shows the current one")
    return row


def list_versions(session: Session, after: int = 0, limit: int = 50) -> Sequence[PolicyVersion]:
    """Versions in order, after number ``after``."""
    query = select(PolicyVersion).where(PolicyVersion.version > after)
    return session.scalars(query.order_by(PolicyVersion.version).limit(limit)).all()


def load(
    session: Session, source: Path | str | bytes | Policy, by: int | None
) -> tuple[PolicyVersion, bool]:
    """Store ``source`` as a new version unless it equals the current one.

    ``source`` is a policy file, YAML text or a validated policy; ``by`` the user loading it
    (None: the server itself). Returns the version in force afterwards and whether it is new.
    Raises :class:`~hotlist.errors.InvalidPolicy` listing every problem of a bad file.
    """
    policy = source if isinstance(source, Policy) else load_policy(source)
    _lock_versions(session)
    latest = current_or_none(session)
    if latest is not None and latest.content_hash == policy.content_hash:
        return latest, False
    number = (session.scalar(select(func.max(PolicyVersion.version))) or 0) + 1
    row = PolicyVersion(
        version=number,
        policy_id=policy.policy_id,
        content_hash=policy.content_hash,
        document=policy.to_dict(),
        loaded_at=utcnow(),
        loaded_by=by,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("another policy was loaded at the same moment; load yours again") from exc
    _log_version(session, row)
    return row, True


def _log_version(session: Session, row: PolicyVersion) -> int:
    """Log a newly loaded policy version (number, policy id, content hash); the leaf index."""
    return record(
        session,
        LogEventKind.POLICY_VERSION,
        at=row.loaded_at,
        policy_version=row.version,
        policy_id=row.policy_id,
        content_hash=row.content_hash,
    )


_LOAD_LOCK_KEY = 0x686F746C6973_01
"""PostgreSQL advisory lock key ("hotlis" + 1): one policy load at a time."""


def _lock_versions(session: Session) -> None:
    """Serialise loads until the transaction ends, so two cannot both number a new version.

    PostgreSQL takes an advisory lock; SQLite serialises writers by itself (a stale writer
    fails and is retried or reported).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOAD_LOCK_KEY})


def ensure_policy(session: Session, path: Path | None = None) -> PolicyVersion:
    """The version in force, loading ``path`` (default: the demo policy) when there is none."""
    row = current_or_none(session)
    if row is not None:
        return row
    row, _ = load(session, path if path is not None else load_demo_policy(), by=None)
    return row


def version_numbers(session: Session, ids: set[int]) -> dict[int, int]:
    """The version number of each policy version row id in ``ids``."""
    if not ids:
        return {}
    query = select(PolicyVersion.id, PolicyVersion.version).where(PolicyVersion.id.in_(ids))
    return {row.id: row.version for row in session.execute(query)}


def load_at_start(
    sessions: sessionmaker[Session], policy_file: Path | None
) -> PolicyVersion | None:
    """What the server does on start: load ``policy_file`` when configured (a new version if it
    changed), else the demo policy when the database has none yet. Commits.

    A database that does not answer is left for ``/healthz`` to report (None is returned and
    the next start tries again); a bad policy file stops the start with its problems.
    """
    for _attempt in range(3):
        try:
            with sessions() as session:
                if policy_file is not None:
                    row, _ = load(session, policy_file, by=None)
                else:
                    row = ensure_policy(session)
                session.commit()
                return row
        except Conflict:
            continue  # another worker process stored a version at the same moment: look again
        except SQLAlchemyError:
            return None
    return None
