"""Filing through the async path (the public API's): one original per URL whatever the timing,
the policy's hints, encrypted contacts, and the same rows as the session's path."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from hotlist.errors import PolicyError
from hotlist.server.db.aio import AsyncDatabase, async_database
from hotlist.server.kit.contacts import InMemoryContactCipher
from hotlist.server.policies import service as policies
from hotlist.server.reports import intake
from hotlist.server.reports.models import Report, ReportStatus
from server.loops import run_on_new_loop

URL = "http://www.example.com/wave/page.html"
NOW = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
T = TypeVar("T")


def run(engine: Engine, work: Callable[[AsyncDatabase], Awaitable[T]]) -> T:
    """``work`` on the engine's async path, on a loop of its own, closed after."""

    async def main() -> T:
        database = async_database(engine)
        try:
            return await work(database)
        finally:
            await database.close()

    return run_on_new_loop(main)


def test_reports_of_one_url_at_once_make_one_original(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    async def wave(database: AsyncDatabase) -> list[str]:
        spellings = [URL, "HTTP://WWW.EXAMPLE.COM/wave/page.html", URL + "#top"]
        filed = [
            intake.submit_async(database, spellings[number % 3], now=NOW) for number in range(24)
        ]
        return list(await asyncio.gather(*filed))

    receipts = run(engine, wave)
    assert len(set(receipts)) == 24
    with sessions() as session:
        reports = session.scalars(select(Report).order_by(Report.id)).all()
    assert sorted(report.receipt for report in reports) == sorted(receipts)
    originals = [report for report in reports if report.duplicate_of is None]
    assert len(originals) == 1
    assert all(report.duplicate_of == originals[0].id for report in reports[1:])
    assert {report.status for report in reports} == {ReportStatus.RECEIVED.value}


def test_the_async_path_stores_what_the_sessions_path_stores(
    engine: Engine, session: Session
) -> None:
    cipher = InMemoryContactCipher()
    comment, contact = "seen on a forum", "reporter@example.org"
    receipt = run(
        engine,
        lambda db: intake.submit_async(
            db, URL, now=NOW, comment=comment, contact=contact, cipher=cipher
        ),
    )
    other = "http://www.example.com/other.html"
    by_session = intake.submit(
        session, other, now=NOW, comment=comment, contact=contact, cipher=cipher
    )
    session.commit()
    by_async = session.scalars(select(Report).where(Report.receipt == receipt)).one()
    for report in (by_async, by_session):
        assert report.comment == "seen on a forum"
        assert report.contact is not None
        assert b"reporter" not in report.contact
        assert cipher.decrypt(report.contact) == "reporter@example.org"
        assert report.received_at == NOW
        assert report.status == ReportStatus.RECEIVED.value


def test_a_hint_is_checked_against_the_policy_read_at_most_a_second_before(
    engine: Engine, session: Session
) -> None:
    def hinted(at: datetime) -> str:
        return run(
            engine, lambda db: intake.submit_async(db, URL, now=at, category_hint="anything")
        )

    async def both_reads(database: AsyncDatabase) -> None:
        # One database object, as in a worker: the policy it read stays trusted for a second.
        await intake.submit_async(database, URL, now=NOW, category_hint="anything")
        policies.ensure_policy(session)
        session.commit()
        await intake.submit_async(
            database, URL, now=NOW + timedelta(seconds=0.5), category_hint="anything"
        )
        with pytest.raises(PolicyError, match="not a category"):
            await intake.submit_async(
                database, URL, now=NOW + timedelta(seconds=1), category_hint="anything"
            )
        await intake.submit_async(
            database, URL, now=NOW + timedelta(seconds=2), category_hint="csam"
        )

    run(engine, both_reads)
    with pytest.raises(PolicyError, match="not a category"):
        hinted(NOW)  # another worker reads the policy now
