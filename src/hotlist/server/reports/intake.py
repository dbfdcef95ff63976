"""Filing a report: one ``INSERT ... SELECT ... ON CONFLICT`` that deduplicates and stores it.

The statement finds, in the same round trip, the active entry that covers the URL (by its
expression hashes, on the entries' partial unique index) and the open report of the same
canonical URL; the report is stored as ``assessed`` and linked to the entry, as a duplicate of
the open report, or as a new original. Two originals of one URL filed at the same moment meet
the partial unique index on open originals (:data:`~hotlist.server.reports.models.OPEN_ORIGINAL`):
the later one inserts nothing and runs again, and then finds the first. No address or other
identifier of the reporter is stored.

:func:`submit` files through a SQLAlchemy session (the report form, the CLI, tests);
:func:`submit_async` through an :class:`~hotlist.server.db.aio.AsyncDatabase` (the public API's
hot path). Both run the same statement with the same values.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    LargeBinary,
    String,
    Text,
    bindparam,
    case,
    func,
    literal,
    select,
    text,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert
from sqlalchemy.types import TypeDecorator

from hotlist.errors import InvalidURL, PolicyError, StorageError
from hotlist.policy import Policy
from hotlist.server.db.aio import AsyncDatabase
from hotlist.server.db.base import UTCDateTime, utcnow
from hotlist.server.entries.models import ACTIVE, Entry
from hotlist.server.kit.contacts import ContactCipher
from hotlist.server.policies import service as policies
from hotlist.server.reports.models import OPEN_ORIGINAL, Report, ReportStatus
from hotlist.urls import CanonicalURL, canonical_parts, expression_hashes_from_parts

HOST_NAME = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")
"""A canonical host that names something: labels of letters, digits, ``-`` and ``_`` (IDNs are
punycode by then, IPv4 addresses dotted decimal; IPv6 ones are bracketed and checked already)."""

POLICY_RECHECK_S = 1.0
"""How long the public intake trusts the policy in force it last read: a newly loaded policy's
categories are what every worker checks hints against within this time (the report form and
the CLI read it each time)."""
POLICY_RECHECK = timedelta(seconds=POLICY_RECHECK_S)

ATTEMPTS = 3
"""Runs of the statement before giving up: a run inserts nothing only when another original of
the same URL was stored in the meantime, and the next run then files a duplicate of it."""


def new_receipt() -> str:
    """A receipt: 120 random bits, URL-safe, unguessable (it is the reporter's only key)."""
    return secrets.token_urlsafe(15)


def canonical_hash(canonical_url: str) -> bytes:
    """SHA-256 of a canonical URL: the deduplication key."""
    return hashlib.sha256(canonical_url.encode("utf-8")).digest()


def reportable(url: str) -> CanonicalURL:
    """``url``'s canonical parts, once it names a page anyone could open: canonicalization's
    own checks (scheme, host present, length), and a host that is a domain name or an IP
    address, so ``not a url`` (canonical ``http://not%20a%20url/``) is refused too."""
    parts = canonical_parts(url)
    host = parts.host
    if not host.startswith("[") and not HOST_NAME.fullmatch(host):
        raise InvalidURL(
            "this is not the address of a web page: its host is neither a domain name nor an IP "
            "address; give the full address, like https://www.example.com/page.html"
        )
    return parts


def check_hint(policy: Policy | None, hint: str | None) -> None:
    """Refuse a ``category_hint`` that the policy in force (when one is loaded) lacks."""
    if hint is None or policy is None or policy.has_category(hint):
        return
    known = ", ".join(category.code for category in policy.categories)
    raise PolicyError(f"category_hint {hint!r} is not a category of the policy; use: {known}")


def filing(
    url: str,
    *,
    now: datetime,
    category_hint: str | None = None,
    comment: str | None = None,
    contact: str | None = None,
    cipher: ContactCipher | None = None,
) -> dict[str, Any]:
    """The statement's values for one report; InvalidURL for a URL that is not
    :func:`reportable`, PolicyError for a contact on a server that takes none."""
    parts = reportable(url)
    canonical = parts.url()
    return {
        "receipt": new_receipt(),
        "url": url,
        "canonical_url": canonical,
        "canonical_hash": canonical_hash(canonical),
        "category_hint": category_hint,
        "comment": comment,
        "contact": _encrypt(contact, cipher),
        "now": now,
        "expressions": expression_hashes_from_parts(parts),  # one parse for both
    }


def _encrypt(contact: str | None, cipher: ContactCipher | None) -> bytes | None:
    if contact is None:
        return None
    if cipher is None:
        raise PolicyError("this server takes no contact details; send the report without one")
    return cipher.encrypt(contact)


class _HexList(TypeDecorator[list[bytes]]):
    """A list of digests bound as one text value: their hex, comma-separated."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: list[bytes] | None, dialect: Dialect) -> str | None:
        return None if value is None else ",".join(map(bytes.hex, value))


@cache
def statement(dialect: str) -> Insert:
    """The filing statement for a database (``postgresql`` or ``sqlite``), built once; it
    returns the new report's id, or no row when another open original took the URL first."""
    insert: Callable[[Any], Any] = sqlite.insert
    # The URL's expression hashes: a list SQLAlchemy expands on SQLite; on PostgreSQL one text
    # parameter split in the query, so one statement is prepared whatever their number (an
    # array of bytea costs more to send than the rest of the statement's values together).
    hashes: ColumnElement[bool] = Entry.expression_hash.in_(
        bindparam("expressions", expanding=True)
    )
    if dialect == "postgresql":
        insert = postgresql.insert
        listed = func.string_to_array(bindparam("expressions", type_=_HexList()), literal(","))
        hashes = Entry.expression_hash.in_(select(func.decode(func.unnest(listed), literal("hex"))))
    # The constants are SQL text, as the partial indexes' predicates are: a bound value would
    # hide them from the planner of a prepared statement. The found entry is one CTE, looked up
    # once (a subquery would be repeated wherever its column is used).
    covering = (
        select(Entry.id).where(hashes, text(ACTIVE)).order_by(Entry.id).limit(1).scalar_subquery()
    )
    found = select(covering.label("entry_id")).cte("found").prefix_with("MATERIALIZED")
    # At most one row, by the partial unique index on open originals.
    open_original = (
        select(Report.id)
        .where(Report.canonical_hash == bindparam("canonical_hash", type_=LargeBinary))
        .where(text(OPEN_ORIGINAL))
        .scalar_subquery()
    )
    now = bindparam("now", type_=UTCDateTime())
    covered = found.c.entry_id.is_not(None)
    report = select(
        bindparam("receipt", type_=String),
        bindparam("url", type_=Text),
        bindparam("canonical_url", type_=Text),
        bindparam("canonical_hash", type_=LargeBinary),
        bindparam("category_hint", type_=String),
        bindparam("comment", type_=Text),
        bindparam("contact", type_=LargeBinary),
        case(
            (covered, literal(ReportStatus.ASSESSED.value, String)),
            else_=literal(ReportStatus.RECEIVED.value, String),
        ),
        case((covered, None), else_=open_original),
        found.c.entry_id,
        now,
        case((covered, now), else_=None),
    ).where(true())  # SQLite needs a WHERE between INSERT ... SELECT and ON CONFLICT
    columns = [
        "receipt",
        "url",
        "canonical_url",
        "canonical_hash",
        "category_hint",
        "comment",
        "contact",
        "status",
        "duplicate_of",
        "entry_id",
        "received_at",
        "status_changed_at",
    ]
    filed: Insert = (
        insert(Report.__table__)
        .from_select(columns, report, include_defaults=False)
        .on_conflict_do_nothing(index_elements=["canonical_hash"], index_where=text(OPEN_ORIGINAL))
        .returning(Report.id)
    )
    return filed


@dataclass(frozen=True)
class _InForce:
    read_at: datetime
    policy: Policy | None


_IN_FORCE: weakref.WeakKeyDictionary[AsyncDatabase, _InForce] = weakref.WeakKeyDictionary()


async def _policy_in_force(database: AsyncDatabase, now: datetime) -> Policy | None:
    """The policy in force, as read at most :data:`POLICY_RECHECK_S` before ``now``."""
    kept = _IN_FORCE.get(database)
    if kept is not None and kept.read_at <= now < kept.read_at + POLICY_RECHECK:
        return kept.policy
    policy = await _read_policy_in_force(database)
    _IN_FORCE[database] = _InForce(now, policy)
    return policy


async def _read_policy_in_force(database: AsyncDatabase) -> Policy | None:
    """The policy in force: its hash (one indexed row), then the parsed policy from this
    process's cache, or its document when another process loaded it."""
    row = await database.first(policies.current_hash_query(), {})
    if row is None or row[0] is None:
        return None
    content_hash = str(row[0])
    policy = policies.cached(content_hash)
    if policy is not None:
        return policy
    document = await database.first(policies.document_query(), {"content_hash": content_hash})
    if document is None:
        return None
    return policies.parsed(content_hash, document[0])


def _lost() -> StorageError:
    return StorageError(
        "the report could not be stored: other reports of the same address kept arriving at the "
        "same moment; send it again"
    )


def submit(
    session: Session,
    url: str,
    *,
    category_hint: str | None = None,
    comment: str | None = None,
    contact: str | None = None,
    cipher: ContactCipher | None = None,
    now: datetime | None = None,
) -> Report:
    """File a report in ``session`` (committed by the caller); see :func:`filing` for errors.

    ``category_hint`` must be a category of the policy in force (when one is loaded);
    ``contact`` is encrypted with ``cipher``.
    """
    values = filing(
        url,
        now=now or utcnow(),
        category_hint=category_hint,
        comment=comment,
        contact=contact,
        cipher=cipher,
    )
    if category_hint is not None:
        content_hash = session.execute(policies.current_hash_query()).scalar()
        policy = None if content_hash is None else policies.policy_with_hash(session, content_hash)
        check_hint(policy, category_hint)
    filed = statement(session.get_bind().dialect.name)
    for _ in range(ATTEMPTS):
        report_id = session.execute(filed, values).scalar()
        if report_id is not None:
            report = session.get(Report, report_id)
            assert report is not None
            return report
    raise _lost()


async def submit_async(
    database: AsyncDatabase,
    url: str,
    *,
    now: datetime,
    category_hint: str | None = None,
    comment: str | None = None,
    contact: str | None = None,
    cipher: ContactCipher | None = None,
) -> str:
    """File a report through ``database``, each run its own transaction; returns the receipt.

    The policy in force is read only for a ``category_hint`` (one indexed row, then the parsed
    policy from the cache), and then trusted for :data:`POLICY_RECHECK_S`: in a wave of
    hinted reports a worker reads it about once a second, not once a report.
    """
    values = filing(
        url,
        now=now,
        category_hint=category_hint,
        comment=comment,
        contact=contact,
        cipher=cipher,
    )
    if category_hint is not None:
        check_hint(await _policy_in_force(database, now), category_hint)
    filed = statement(database.dialect.name)
    for _ in range(ATTEMPTS):
        if await database.first(filed, values) is not None:
            return str(values["receipt"])
    raise _lost()
