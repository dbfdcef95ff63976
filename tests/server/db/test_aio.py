"""The async statement runners: every implementation answers as :class:`AsyncDatabase` says,
on every database it serves (a contract each one inherits)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import pytest
from sqlalchemy import Engine, column, insert, literal, select, table, text
from sqlalchemy.sql.dml import ReturningInsert

from hotlist.errors import StorageError
from hotlist.server.db.aio import AsyncDatabase, EngineDatabase, PsycopgDatabase, async_database
from hotlist.server.db.engine import make_engine
from server.loops import run_on_new_loop

T = TypeVar("T")
NOTES = table("aio_notes", column("id"), column("body"))


@pytest.fixture(params=["engine", "native"])
def database(request: pytest.FixtureRequest, engine: Engine) -> Iterator[AsyncDatabase]:
    """Each runner over a table of its own: the engine's in a thread, and the native one
    :func:`async_database` picks (psycopg's pool on PostgreSQL)."""
    key = "INTEGER PRIMARY KEY" if engine.dialect.name == "sqlite" else "SERIAL PRIMARY KEY"
    with engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE aio_notes (id {key}, body TEXT NOT NULL UNIQUE)"))
    try:
        yield EngineDatabase(engine) if request.param == "engine" else async_database(engine)
    finally:
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE aio_notes"))


def run(database: AsyncDatabase, work: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        try:
            return await work()
        finally:
            await database.close()

    return run_on_new_loop(main)


def _add(body: str) -> ReturningInsert[tuple[int]]:
    return insert(NOTES).values(body=literal(body)).returning(NOTES.c.id)


def test_first_returns_the_first_row_committed(database: AsyncDatabase, engine: Engine) -> None:
    row = run(database, lambda: database.first(_add("one"), {}))
    assert row is not None
    assert len(row) == 1
    with engine.connect() as connection:
        assert connection.execute(text("SELECT body FROM aio_notes")).scalars().all() == ["one"]


def test_first_is_none_when_no_row_comes_back(database: AsyncDatabase) -> None:
    nothing = select(NOTES.c.id).where(NOTES.c.body == "absent")
    assert run(database, lambda: database.first(nothing, {})) is None


def test_a_refused_statement_is_a_storage_error_and_stores_nothing(
    database: AsyncDatabase, engine: Engine
) -> None:
    async def twice() -> None:
        await database.first(_add("same"), {})
        await database.first(_add("same"), {})

    with pytest.raises(StorageError, match="refused"):
        run(database, twice)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM aio_notes")).scalar() == 1


def test_it_serves_a_second_event_loop(database: AsyncDatabase) -> None:
    one = select(literal(1))
    assert run(database, lambda: database.first(one, {})) == (1,)
    assert run(database, lambda: database.first(one, {})) == (1,)


def test_the_runner_for_each_engine() -> None:
    sqlite = make_engine("sqlite://")
    postgres = make_engine("postgresql+psycopg://postgres@127.0.0.1:9/none")
    try:
        assert isinstance(async_database(sqlite), EngineDatabase)
        assert isinstance(async_database(postgres), PsycopgDatabase)
    finally:
        sqlite.dispose()
        postgres.dispose()


def test_a_server_that_does_not_answer_is_a_storage_error() -> None:
    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:9/none")
    database = PsycopgDatabase(
        "postgresql://postgres@127.0.0.1:9/none", engine.dialect, timeout_s=1
    )
    try:
        with pytest.raises(StorageError, match="does not answer"):
            run(database, lambda: database.first(select(literal(1)), {}))
    finally:
        engine.dispose()
