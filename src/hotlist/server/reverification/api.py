"""``/v1/entries/{id}/checks``: an entry's check log and a check made now (staff);
``/v1/checks/attention``: the entries an analyst should look at (no address)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from hotlist.server.access_log.service import record_plaintext_access
from hotlist.server.entries.models import Entry
from hotlist.server.entries.service import entry_by_ref
from hotlist.server.kit.checker import UrlChecker
from hotlist.server.kit.deps import ClockDep, DbSession, ServicesDep, require
from hotlist.server.kit.params import EntryRefPath
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal
from hotlist.server.reverification import service
from hotlist.server.reverification.models import CheckKind, CheckSchedule
from hotlist.server.reverification.schemas import (
    AttentionOut,
    EntryChecksOut,
    ScheduleOut,
    UrlCheckOut,
)

router = APIRouter(prefix="/v1", tags=["re-verification"])

Reader = Annotated[Principal, Depends(require(Permission.ENTRIES_READ_EXPRESSION))]
Checker = Annotated[Principal, Depends(require(Permission.CHECKS_RUN))]
AttentionReader = Annotated[Principal, Depends(require(Permission.CHECKS_READ))]


async def url_checker(services: ServicesDep) -> UrlChecker:
    """The checker (the settings'; tests swap it with ``dependency_overrides``)."""
    return services.checker


CheckerDep = Annotated[UrlChecker, Depends(url_checker)]


def entry_checks(session: Session, entry: Entry) -> EntryChecksOut:
    """The entry's URL, schedule and check log as the API shows them."""
    row = session.get(CheckSchedule, entry.id)
    return EntryChecksOut(
        entry_id=entry.public_ref,
        url=service.entry_url(session, entry),
        schedule=ScheduleOut.of(row) if row is not None else None,
        checks=[UrlCheckOut.of(check) for check in service.checks_of(session, entry)],
    )


@router.get(
    "/entries/{public_id}/checks",
    response_model=EntryChecksOut,
    summary="An entry's check log (logged: it holds the URL)",
)
def list_checks(public_id: EntryRefPath, session: DbSession, principal: Reader) -> EntryChecksOut:
    """Whether the content is still there, as each check found it (newest first), and the
    entry's place in the schedule; every read is written to the access log."""
    entry = entry_by_ref(session, public_id)
    record_plaintext_access(session, principal, "entry.checks", "entry", entry.public_ref)
    return entry_checks(session, entry)


@router.post(
    "/entries/{public_id}/checks",
    response_model=UrlCheckOut,
    status_code=201,
    summary="Check an entry's URL now",
)
def check_entry(
    public_id: EntryRefPath,
    session: DbSession,
    checker: CheckerDep,
    services: ServicesDep,
    clock: ClockDep,
    principal: Checker,
) -> UrlCheckOut:
    """A manual check, recorded like a scheduled one: it counts towards removal (a second
    ``gone`` 12 hours (``check_gone_apart_s``) after the first removes the entry) and clears an
    analyst's flag when the content is there."""
    entry = entry_by_ref(session, public_id, for_update=True)
    apart = timedelta(seconds=services.settings.check_gone_apart_s)
    made = service.check_now(
        session, checker, entry, kind=CheckKind.MANUAL, now=clock.now(), gone_apart=apart
    )
    record_plaintext_access(session, principal, "entry.check", "entry", entry.public_ref)
    return UrlCheckOut.of(made)


@router.get(
    "/checks/attention",
    response_model=list[AttentionOut],
    summary="Entries no check could confirm for too long",
)
def needs_attention(session: DbSession, _p: AttentionReader) -> list[AttentionOut]:
    """Active entries with no successful check for their category's ``unchecked_days``, the
    longest waiting first: an analyst looks whether the content is still there."""
    return [AttentionOut.of(entry, row) for entry, row in service.attention(session)]
