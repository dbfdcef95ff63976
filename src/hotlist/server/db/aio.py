"""Running one statement from async code, each run its own transaction: the public intake's
database path, with no thread hop on PostgreSQL.

:class:`AsyncDatabase` is what intake asks of one. :class:`PsycopgDatabase` runs the statement
on psycopg 3's own async connection pool, compiled once by SQLAlchemy for the engine's dialect
(type processors, bind casts and all), so no ORM or async-SQLAlchemy layer sits on the hot path:
measured, SQLAlchemy's asyncio engine cost ~230 us of CPU more per transaction than psycopg's
pool, more than the rest of the request. :class:`EngineDatabase` runs it on the SQLAlchemy
engine in a worker thread: SQLite (whose driver is not async) and any database without psycopg.
:func:`async_database` picks one for an engine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler
from starlette.concurrency import run_in_threadpool

from hotlist.errors import StorageError

POOL_MAX_SIZE = 16
"""Connections per process at most (each worker has its own pool; the sync engine has more)."""
POOL_TIMEOUT_S = 10.0
"""How long a statement waits for a free connection before the request fails with 503."""


class AsyncDatabase(Protocol):
    """Runs one statement in a transaction of its own and returns its first row."""

    @property
    def dialect(self) -> Dialect:
        """The dialect statements are built and compiled for."""
        ...

    async def first(self, statement: Executable, values: Mapping[str, Any]) -> Sequence[Any] | None:
        """The statement's first row (None when it returns none), committed; StorageError
        when the database refuses it or cannot be reached."""
        ...

    async def close(self) -> None:
        """Close the connections (the app's shutdown)."""
        ...


def _refused(exc: BaseException) -> StorageError:
    return StorageError(f"the database refused the change: {type(exc).__name__}")


class EngineDatabase:
    """Statements on a SQLAlchemy engine, run in a worker thread (SQLite; the reference)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def dialect(self) -> Dialect:
        """The engine's dialect."""
        return self._engine.dialect

    def _first(self, statement: Executable, values: Mapping[str, Any]) -> Sequence[Any] | None:
        try:
            with self._engine.begin() as connection:
                row = connection.execute(statement, dict(values)).first()
        except SQLAlchemyError as exc:
            raise _refused(exc) from exc
        return None if row is None else tuple(row)

    async def first(self, statement: Executable, values: Mapping[str, Any]) -> Sequence[Any] | None:
        """The first row, from a worker thread."""
        return await run_in_threadpool(self._first, statement, values)

    async def close(self) -> None:
        """Nothing to close: the engine belongs to the app."""


@dataclass(frozen=True)
class Compiled:
    """A statement compiled once for psycopg: its SQL and how each value is bound. Rows come
    back as psycopg makes them (integers, text, bytes, JSON as Python objects)."""

    sql: str
    defaults: Mapping[str, Any]
    processors: Mapping[str, Callable[[Any], Any]]

    @classmethod
    def of(cls, statement: Executable, dialect: Dialect) -> Compiled:
        """Compile ``statement`` (named parameters, as psycopg's pyformat takes them)."""
        assert isinstance(statement, ClauseElement)
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        assert not compiled.positional
        defaults: dict[str, Any] = {}
        processors = {}
        for bind, name in compiled.bind_names.items():
            if not bind.required:
                defaults[name] = bind.effective_value
            processor = bind.type.bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
        return cls(compiled.string, defaults, processors)

    def parameters(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The statement's parameters for ``values``, processed as SQLAlchemy would."""
        bound = {**self.defaults, **values}
        for name, processor in self.processors.items():
            bound[name] = processor(bound[name])
        return bound


class PsycopgDatabase:
    """Statements on psycopg's async connection pool (PostgreSQL), in autocommit.

    The pool opens at the first statement, on the running event loop, and reopens when a later
    statement runs on another loop (an app served again by a test client).
    """

    def __init__(
        self,
        conninfo: str,
        dialect: Dialect,
        *,
        max_size: int = POOL_MAX_SIZE,
        timeout_s: float = POOL_TIMEOUT_S,
    ) -> None:
        self._conninfo = conninfo
        self._dialect = dialect
        self._max_size = max_size
        self._timeout_s = timeout_s
        self._pool: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._opening: asyncio.Lock | None = None
        self._compiled: dict[int, tuple[Executable, Compiled]] = {}

    @property
    def dialect(self) -> Dialect:
        """PostgreSQL with psycopg."""
        return self._dialect

    def _compile(self, statement: Executable) -> Compiled:
        found = self._compiled.get(id(statement))
        if found is None or found[0] is not statement:
            found = (statement, Compiled.of(statement, self._dialect))
            self._compiled[id(statement)] = found
        return found[1]

    async def _open(self) -> Any:
        loop = asyncio.get_running_loop()
        if self._pool is not None and self._loop is loop:
            return self._pool
        if self._opening is None or self._loop is not loop:
            self._opening, self._loop, self._pool = asyncio.Lock(), loop, None
        async with self._opening:
            if self._pool is None:
                self._pool = await self._new_pool()
        return self._pool

    async def _new_pool(self) -> Any:
        from psycopg_pool import AsyncConnectionPool

        pool = AsyncConnectionPool(
            self._conninfo,
            min_size=1,
            max_size=self._max_size,
            timeout=self._timeout_s,
            kwargs={"autocommit": True},
            open=False,
        )
        try:
            await pool.open(wait=True, timeout=self._timeout_s)
        except Exception as exc:
            await pool.close()
            raise StorageError(
                "the database does not answer: check HOTLIST_DATABASE_URL and that PostgreSQL "
                "is running"
            ) from exc
        return pool

    async def first(self, statement: Executable, values: Mapping[str, Any]) -> Sequence[Any] | None:
        """The first row, on a pooled connection (one statement: its own transaction)."""
        import psycopg
        from psycopg_pool import PoolTimeout

        compiled = self._compile(statement)
        pool = await self._open()
        try:
            async with pool.connection() as connection, connection.cursor() as cursor:
                await cursor.execute(compiled.sql, compiled.parameters(values))
                raw = await cursor.fetchone() if cursor.description is not None else None
        except PoolTimeout as exc:
            raise StorageError("the database is busy: no connection came free; try again") from exc
        except psycopg.Error as exc:
            raise _refused(exc) from exc
        return None if raw is None else tuple(raw)

    async def close(self) -> None:
        """Close the pool if it was opened on this loop."""
        pool, self._pool = self._pool, None
        if pool is not None and self._loop is asyncio.get_running_loop():
            await pool.close()


def async_database(engine: Engine) -> AsyncDatabase:
    """The async path for ``engine``: psycopg's pool for PostgreSQL with psycopg, else the
    engine in a worker thread."""
    if engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg":
        url = engine.url.set(drivername="postgresql")
        return PsycopgDatabase(url.render_as_string(hide_password=False), engine.dialect)
    return EngineDatabase(engine)
