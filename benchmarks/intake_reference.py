"""The peer ``bench_intake.py`` measures hotlist's intake against: the least a FastAPI app can do.

Its handler validates a small Pydantic model and INSERTs one row, returning a random receipt
with 201: on PostgreSQL through psycopg 3's async pool (autocommit, as hotlist's intake), on
SQLite through the standard library's driver in FastAPI's thread pool (one connection per thread,
WAL, as hotlist's engine sets up). No deduplication, no canonical URL, no rate limit, no
encryption: what is left of hotlist's cost above it is the price of those.

    REFERENCE_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/uvicorn --factory intake_reference:make_app --app-dir benchmarks --workers 2
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

TABLE = "reference_reports"
SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (id {{id}}, receipt TEXT NOT NULL, url TEXT NOT NULL, "
    "comment TEXT, received_at TIMESTAMP NOT NULL)"
)
INSERT = (
    "INSERT INTO reference_reports (receipt, url, comment, received_at) "
    "VALUES ({marks}) RETURNING id"
)


class ReportIn(BaseModel):
    """A report: a URL and an optional comment, bounded as hotlist's are."""

    url: str = Field(min_length=1, max_length=8192)
    comment: str | None = Field(default=None, max_length=4000)


class Receipt(BaseModel):
    """The answer: a receipt."""

    receipt: str


def create_schema(url: str) -> None:
    """Create the reference table (the benchmark calls it once, before the workers start)."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(SCHEMA.format(id="INTEGER PRIMARY KEY"))
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(SCHEMA.format(id="BIGSERIAL PRIMARY KEY"))


def count_rows(url: str) -> int:
    """How many reports the reference stored."""
    query = f"SELECT count(*) FROM {TABLE}"  # noqa: S608 - a constant
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            return int(connection.execute(query).fetchone()[0])
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute(query).fetchone()
        return int(row[0]) if row else 0


def _sqlite_app(path: str) -> FastAPI:
    local = threading.local()
    sql = INSERT.format(marks="?, ?, ?, ?")

    def connection() -> sqlite3.Connection:
        found: sqlite3.Connection | None = getattr(local, "connection", None)
        if found is None:
            found = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            found.execute("PRAGMA journal_mode=WAL")
            found.execute("PRAGMA synchronous=NORMAL")
            found.execute("PRAGMA busy_timeout=10000")
            local.connection = found
        return found

    app = FastAPI()

    @app.post("/v1/reports", status_code=201)
    def create(body: ReportIn) -> Receipt:
        receipt = secrets.token_urlsafe(15)
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ")
        connection().execute(sql, (receipt, body.url, body.comment, now)).fetchone()
        return Receipt(receipt=receipt)

    return app


def _postgres_app(url: str) -> FastAPI:
    from psycopg_pool import AsyncConnectionPool

    pool = AsyncConnectionPool(
        url, min_size=1, max_size=16, kwargs={"autocommit": True}, open=False
    )
    sql = INSERT.format(marks="%s, %s, %s, %s")

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await pool.open()
        yield
        await pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/v1/reports", status_code=201)
    async def create(body: ReportIn) -> Receipt:
        receipt = secrets.token_urlsafe(15)
        async with pool.connection() as connection:
            cursor = await connection.execute(
                sql, (receipt, body.url, body.comment, datetime.now(UTC))
            )
            await cursor.fetchone()
        return Receipt(receipt=receipt)

    return app


def make_app() -> FastAPI:
    """The app for ``REFERENCE_DATABASE_URL`` (``sqlite:///PATH`` or a libpq URL)."""
    url = os.environ["REFERENCE_DATABASE_URL"]
    if url.startswith("sqlite:///"):
        app = _sqlite_app(url.removeprefix("sqlite:///"))
    else:
        app = _postgres_app(url)

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok"}

    return app
