"""Importing a list the hotline already has: one URL a line, each made an entry.

Each line gets the checks an assessment makes, from the same homes: the category must be in the
policy in force, the scope rules of :mod:`hotlist.server.entries.scope` (host scope, and any
URL whose entry would cover a whole host, needs a category that allows it, a scope reason and a
host off the shared-hosting warning list). Each
entry carries a full statement of reasons: the given reason as its facts, the policy version in
force, the importing person as its decider, and ``imported`` as the decider's note on its
``created`` event; each is logged in the transparency log as any new entry is, and goes out in
the next list version.

An import runs in two passes. :func:`plan_import` reads and checks every line without writing
anything, so a line that is refused is known before the first write. :func:`apply_import` then
writes in batches, each one transaction that either commits whole or not at all; expressions
already listed by an active entry are skipped and counted, so running the same import again
adds nothing, and after an interruption it completes the rest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from hotlist.errors import ConfigError, HotlistError, InvalidRequest, PermissionDenied, StorageError
from hotlist.policy import Category, SharedHostingList
from hotlist.server.accounts import service as accounts
from hotlist.server.accounts.models import User
from hotlist.server.entries import service as entries
from hotlist.server.entries.scope import check_scope, scope_reason
from hotlist.server.kit.permissions import Permission, Role, allows
from hotlist.server.kit.types import Reason
from hotlist.server.policies import service as policies
from hotlist.urls import Scope, entry_expression, expression_hash

IMPORT_NOTE = "imported"
"""The decider's note on an imported entry's ``created`` event."""

IMPORT_PERMISSION = Permission.REPORTS_ASSESS
"""Importing makes entries, which is what assessing does: analysts and supervisors hold it."""

BATCH_SIZE = 5_000
"""Entries written per transaction."""

_RETRIES = 3
_SQLITE_CACHE_KIB = 64 * 1024
_WHITESPACE = re.compile(r"\s")
_REASON = TypeAdapter(Reason)

Progress = Callable[[int], None]
"""Called with how many more lines were checked (or written)."""


@dataclass(frozen=True)
class Line:
    """A line of the file that holds a URL (blank lines and ``#`` comments are not lines)."""

    number: int
    text: str


@dataclass(frozen=True)
class Refusal:
    """A line not imported, and why (a message naming the rule it breaks)."""

    line: int
    reason: str


@dataclass(frozen=True)
class ImportRequest:
    """What every line of the file becomes: its scope, category and reasons."""

    scope: Scope
    category: str
    reason: str
    scope_reason: str | None = None


@dataclass(frozen=True)
class Planned:
    """A line that passed the checks, and the decision it becomes."""

    line: int
    decision: entries.Decision
    digest: bytes


@dataclass
class Plan:
    """What the lines would do: the decisions to write, and the lines refused or repeated."""

    lines: int = 0
    planned: list[Planned] = field(default_factory=list)
    repeated: int = 0
    refused: list[Refusal] = field(default_factory=list)


@dataclass
class Summary:
    """What an import did: entries added, lines already listed (in the file or an active entry)
    and lines refused."""

    lines: int
    added: int
    duplicates: int
    refused: list[Refusal]


def read_lines(data: bytes, origin: str) -> list[Line]:
    """The URL lines of a file's bytes: UTF-8 (a leading byte order mark is allowed), LF or
    CRLF line ends, blank lines and ``#`` comments skipped, surrounding whitespace trimmed.

    A file that is not UTF-8 or does not end with a line end (so it may have been cut off in
    the middle of a URL, which would list a shorter URL than meant) is a ConfigError naming the
    line: nothing of it is imported.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        number = data.count(b"\n", 0, exc.start) + 1
        if exc.reason == "unexpected end of data":
            raise ConfigError(
                f"{origin} is truncated: line {number} ends in the middle of a UTF-8 character; "
                "nothing was imported"
            ) from exc
        raise ConfigError(
            f"{origin} is not UTF-8 text: line {number} holds the byte 0x{data[exc.start]:02x} "
            "(convert the file to UTF-8); nothing was imported"
        ) from exc
    rows = text.split("\n")
    if rows[-1] != "":
        raise ConfigError(
            f"{origin} looks truncated: its last line ({len(rows)}) has no line end, so it may "
            "have been cut off in the middle of a URL; if the file is complete, end it with a "
            "newline; nothing was imported"
        )
    lines: list[Line] = []
    for number, row in enumerate(rows[:-1], start=1):
        stripped = row.strip()
        if stripped and not stripped.startswith("#"):
            lines.append(Line(number, stripped))
    return lines


def importer(session: Session, ref: int | str) -> User:
    """The person an import is made by (id or name): a hotline person allowed to make entries."""
    user = accounts.find_user(session, ref)
    if user.disabled_at is not None:
        raise PermissionDenied(f"user {user.id} ({user.name}) is disabled; they cannot import")
    if not allows(Role(user.role), IMPORT_PERMISSION):
        raise PermissionDenied(
            f"user {user.id} ({user.name}) has the role {user.role}; importing entries needs the "
            f"permission {IMPORT_PERMISSION.value} (analysts and supervisors hold it)"
        )
    return user


def plan_import(
    session: Session,
    lines: Sequence[Line],
    request: ImportRequest,
    by: User,
    shared_hosting: SharedHostingList,
    progress: Progress | None = None,
) -> Plan:
    """Check every line against the policy in force without writing anything.

    What holds for the whole file (a category not in the policy, a reason too long, host scope
    without a scope reason or in a category that does not allow it) raises before any line is
    looked at; what holds for one line (not a URL, a host on the shared-hosting list) refuses
    that line. A line whose expression an earlier line has is counted as repeated.
    """
    facts = _text(request.reason, "the reason")
    given = request.scope_reason
    if given is not None:
        given = _text(given, "the scope reason")
    request = ImportRequest(request.scope, request.category, facts, given)
    version, policy = policies.current_policy(session)
    category = policy.category(request.category)
    scope_reason(request.scope, request.scope_reason, category)  # the same for every line
    plan = Plan(lines=len(lines))
    seen: set[bytes] = set()
    done = 0
    for line in lines:
        done += 1
        if progress is not None and done == 1_000:
            progress(done)
            done = 0
        try:
            expression, scope, reason = _decide(line.text, request, category, shared_hosting)
        except HotlistError as exc:
            plan.refused.append(Refusal(line.number, exc.message))
            continue
        digest = expression_hash(expression)
        if digest in seen:
            plan.repeated += 1
            continue
        seen.add(digest)
        decision = entries.Decision(
            expression=expression,
            scope=scope,
            category=category,
            policy_version_id=version.id,
            facts=request.reason,
            scope_reason=reason,
            decided_by=by.id,
            report_id=None,
            note=IMPORT_NOTE,
        )
        plan.planned.append(Planned(line.number, decision, digest))
    if progress is not None and done:
        progress(done)
    return plan


def _text(value: str, what: str) -> str:
    """``value`` if a statement of reasons can hold it (as the API's reasons), else why not."""
    try:
        return _REASON.validate_python(value)
    except ValidationError as exc:
        raise InvalidRequest(f"{what} is not usable: {exc.errors()[0]['msg']}") from exc


def _decide(
    text: str, request: ImportRequest, category: Category, shared_hosting: SharedHostingList
) -> tuple[str, Scope, str]:
    """The line's expression, its scope and scope reason; a HotlistError refuses the line."""
    if _WHITESPACE.search(text):
        raise InvalidRequest(
            "the line holds a space: one URL a line, with a space in a URL escaped as %20"
        )
    expression = entry_expression(text, request.scope)
    scope, reason = check_scope(
        request.scope, expression, request.scope_reason, category, shared_hosting
    )
    return expression, scope, reason


def apply_import(
    sessions: sessionmaker[Session],
    plan: Plan,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> Summary:
    """Write the plan's entries, ``batch_size`` a transaction; what was added and skipped.

    Each batch looks up which of its expressions an active entry lists already (skipped and
    counted as duplicates) and writes the rest with :func:`entries.create_many`. A batch that
    meets an entry made at the same moment by someone else is rolled back and done again.
    A database error stops the import with the batches before it committed: running the
    import again completes it.
    """
    _tune(sessions)
    added = 0
    duplicates = plan.repeated
    for start in range(0, len(plan.planned), batch_size):
        batch = plan.planned[start : start + batch_size]
        made = _write_batch(sessions, batch)
        added += made
        duplicates += len(batch) - made
        if progress is not None:
            progress(len(batch))
    return Summary(lines=plan.lines, added=added, duplicates=duplicates, refused=plan.refused)


def _tune(sessions: sessionmaker[Session]) -> None:
    """On SQLite, a page cache large enough for the indexes of a big list (inserting at random
    places in them is most of an import's time); the one pooled connection keeps it."""
    with sessions() as session:
        if session.get_bind().dialect.name == "sqlite":
            session.connection().exec_driver_sql(f"PRAGMA cache_size=-{_SQLITE_CACHE_KIB}")


def _write_batch(sessions: sessionmaker[Session], batch: Sequence[Planned]) -> int:
    attempt = 0
    while True:
        try:
            with sessions() as session, session.begin():
                listed = entries.active_hashes(session, [item.digest for item in batch])
                new = [item.decision for item in batch if item.digest not in listed]
                entries.create_many(session, new)
            return len(new)
        except IntegrityError as exc:
            # An entry made meanwhile for one of these expressions: look again, it is listed now.
            attempt += 1
            if attempt >= _RETRIES:
                raise StorageError(_stopped(batch, "entries kept being made meanwhile")) from exc
        except SQLAlchemyError as exc:
            why = getattr(exc, "orig", None) or type(exc).__name__
            raise StorageError(_stopped(batch, f"the database refused it ({why})")) from exc


def _stopped(batch: Sequence[Planned], why: str) -> str:
    return (
        f"the import stopped at the batch from line {batch[0].line}: {why}; the lines before "
        "it are in, this batch is not; run the same import again to complete it"
    )
