"""Fixtures for the server's tests: both databases, isolation, account factories, a client.

``db_url`` runs a test on SQLite (always) and PostgreSQL (127.0.0.1:5432, user ``postgres``,
trust auth, database ``test``; skipped when unreachable, a failure when ``CI=true``). Each
database is created and migrated once per session; every table is emptied after each test, which
stays correct whatever the test did with its own sessions and connections.
"""

from __future__ import annotations

import itertools
import os
import secrets
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from hotlist.server.accounts import service as accounts
from hotlist.server.accounts.models import Organisation, OrgKind, User
from hotlist.server.app import create_app
from hotlist.server.config import Settings
from hotlist.server.db.models import Base
from hotlist.server.db.session import make_engine, session_factory
from hotlist.server.db.upgrade import upgrade
from hotlist.server.kit.permissions import Role
from hotlist.server.kit.principal import Principal

with warnings.catch_warnings():
    # Starlette now prefers httpx2 for its test client; the project pins httpx, which still works.
    warnings.filterwarnings("ignore", message=".*httpx2", category=UserWarning)
    from starlette.testclient import TestClient

POSTGRES_ADMIN_URL = os.environ.get(
    "HOTLIST_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
"""Argon2 at its cheapest: the tests issue many keys; production uses DEFAULT_HASHER."""

ORG_KIND_FOR_ROLE = {
    Role.ANALYST: OrgKind.HOTLINE,
    Role.SUPERVISOR: OrgKind.HOTLINE,
    Role.ADMIN: OrgKind.HOTLINE,
    Role.MEMBER: OrgKind.ISP,
    Role.OBSERVER: OrgKind.OBSERVER,
    Role.PARTNER: OrgKind.PARTNER,
}
MACHINE_ROLES = frozenset({Role.MEMBER, Role.PARTNER})
"""Roles whose keys the factories issue to machines; the others go to people."""


@pytest.fixture
def hasher() -> PasswordHasher:
    """A cheap Argon2 hasher for tests that issue keys through the services."""
    return FAST_HASHER


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _postgres_unreachable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required under CI=true but {reason}")
    pytest.skip(f"PostgreSQL not reachable at {make_url(POSTGRES_ADMIN_URL).host}: {reason}")


class _Databases:
    """One migrated database per backend per session, and one engine per database."""

    def __init__(self, tmp: Path) -> None:
        self._tmp = tmp
        self._urls: dict[str, str] = {}
        self._engines: dict[str, Engine] = {}
        self._pg_name: str | None = None
        self._pg_error: str | None = None

    def url(self, backend: str) -> str:
        if backend not in self._urls:
            self._urls[backend] = self._create(backend)
        return self._urls[backend]

    def engine(self, url: str) -> Engine:
        if url not in self._engines:
            if url.startswith("postgresql"):
                # Tests need no durability: commits skip the wait for the disk.
                options = {"options": "-c synchronous_commit=off"}
                self._engines[url] = make_engine(url, connect_args=options)
            else:
                # One connection, as the server has; a request that needs two fails in 5 s.
                self._engines[url] = make_engine(url, pool_timeout=5)
        return self._engines[url]

    def _create(self, backend: str) -> str:
        if backend == "sqlite":
            url = f"sqlite:///{self._tmp / 'hotlist.db'}"
        else:
            url = self._create_postgres()
        upgrade(url)
        return url

    def _create_postgres(self) -> str:
        if self._pg_error is not None:
            _postgres_unreachable(self._pg_error)
        name = f"hotlist_t_{secrets.token_hex(6)}"
        try:
            with psycopg.connect(
                _libpq_url(POSTGRES_ADMIN_URL), autocommit=True, connect_timeout=3
            ) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error as exc:
            self._pg_error = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            _postgres_unreachable(self._pg_error)
        self._pg_name = name
        return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def close(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        if self._pg_name is not None:
            with psycopg.connect(_libpq_url(POSTGRES_ADMIN_URL), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')


def empty_all_tables(engine: Engine) -> None:
    """Delete every row of every model's table (the schema, its revision and id sequences stay).

    DELETE, not TRUNCATE: on a handful of rows it is much faster on PostgreSQL. Foreign keys are
    set aside while deleting, so tables that refer to each other empty in any order.
    """
    tables = list(reversed(Base.metadata.sorted_tables))
    if engine.dialect.name == "postgresql":
        try:
            with engine.begin() as connection:
                # Needs a superuser (the default test user, postgres): triggers, FKs included, off.
                connection.execute(text("SET LOCAL session_replication_role = replica"))
                for table in tables:
                    connection.execute(table.delete())
        except DBAPIError:
            names = ", ".join(f'"{table.name}"' for table in tables)
            with engine.begin() as connection:
                connection.execute(text(f"TRUNCATE TABLE {names} CASCADE"))
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            for table in tables:
                connection.execute(table.delete())
            connection.commit()
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new database with nothing in it (not migrated), dropped after the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"hotlist_t_{secrets.token_hex(6)}"
    try:
        with psycopg.connect(
            _libpq_url(POSTGRES_ADMIN_URL), autocommit=True, connect_timeout=3
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        _postgres_unreachable(str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc))
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq_url(POSTGRES_ADMIN_URL), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Databases]:
    databases = _Databases(tmp_path_factory.mktemp("db"))
    yield databases
    databases.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, _databases: _Databases) -> Iterator[str]:
    """A migrated, empty database's URL; the test runs once per backend."""
    url = _databases.url(request.param)
    yield url
    empty_all_tables(_databases.engine(url))


@pytest.fixture
def engine(db_url: str, _databases: _Databases) -> Engine:
    """The engine for ``db_url`` (shared across tests)."""
    return _databases.engine(db_url)


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    """A session factory on the test database."""
    return session_factory(engine)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session for calling services directly; commit to make rows visible to the app."""
    with sessions() as db_session:
        yield db_session


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Server settings on the test database; the rate limit high enough not to interfere, and a
    public URL (the block pages' appeal link) that is not loopback, as a deployment has."""
    return Settings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        rate_limit_per_second=10_000.0,
        rate_limit_burst=10_000,
        publish_interval_s=0.0,
        public_url="https://hotline.example",
    )


@pytest.fixture
def make_app(settings: Settings, engine: Engine) -> Callable[..., FastAPI]:
    """``make_app(**setting_changes)``: an app on the test database with changed settings."""

    def make(**changes: Any) -> FastAPI:
        return create_app(settings.with_changes(**changes), engine=engine)

    return make


@pytest.fixture
def app(make_app: Callable[..., FastAPI]) -> FastAPI:
    """The app with the test settings."""
    return make_app()


@pytest.fixture
def client_for() -> Callable[..., TestClient]:
    """``client_for(app, raise_server_exceptions=True)``: a client; use it in a ``with``."""

    def make(app: FastAPI, raise_server_exceptions: bool = True) -> TestClient:
        return TestClient(
            app, base_url="http://hotlist.test", raise_server_exceptions=raise_server_exceptions
        )

    return make


@pytest.fixture
def client(app: FastAPI, client_for: Callable[..., TestClient]) -> Iterator[TestClient]:
    """An HTTP client for ``app`` (in process); server errors raise in the test."""
    with client_for(app) as test_client:
        yield test_client


_names = itertools.count(1)


@pytest.fixture
def make_org(sessions: sessionmaker[Session]) -> Callable[..., Organisation]:
    """``make_org(kind="hotline", name=None)``: a committed organisation."""

    def make(kind: OrgKind | str = OrgKind.HOTLINE, name: str | None = None) -> Organisation:
        with sessions() as db_session:
            org = accounts.create_org(db_session, name or f"Org {next(_names)}", kind)
            db_session.commit()
            return org

    return make


@pytest.fixture
def org_for(make_org: Callable[..., Organisation]) -> Callable[[Role | str], Organisation]:
    """``org_for(role)``: one organisation per kind per test, of the kind ``role`` belongs to."""
    made: dict[OrgKind, Organisation] = {}

    def get(role: Role | str) -> Organisation:
        kind = ORG_KIND_FOR_ROLE[Role(role)]
        if kind not in made:
            made[kind] = make_org(kind, f"{kind.value} {next(_names)}")
        return made[kind]

    return get


@pytest.fixture
def make_user(
    sessions: sessionmaker[Session], org_for: Callable[[Role | str], Organisation]
) -> Callable[..., User]:
    """``make_user(role, org=None, name=None)``: a committed person with ``role``."""

    def make(role: Role | str, org: Organisation | None = None, name: str | None = None) -> User:
        with sessions() as db_session:
            user = accounts.create_user(
                db_session, org or org_for(role), name or f"Person {next(_names)}", role
            )
            db_session.commit()
            return user

    return make


@pytest.fixture
def make_key(
    sessions: sessionmaker[Session],
    make_user: Callable[..., User],
    org_for: Callable[[Role | str], Organisation],
) -> Callable[..., tuple[str, Principal]]:
    """``make_key(role, person=None)``: a new key and the principal it stands for.

    ``person`` defaults to a machine key for members and partners, a person's key otherwise.
    """

    def make(role: Role | str, person: bool | None = None) -> tuple[str, Principal]:
        role = Role(role)
        is_person = role not in MACHINE_ROLES if person is None else person
        with sessions() as db_session:
            if is_person:
                user = db_session.merge(make_user(role))
                row, secret = accounts.issue_key(db_session, user=user, hasher=FAST_HASHER)
            else:
                org = db_session.merge(org_for(role))
                row, secret = accounts.issue_key(db_session, org=org, role=role, hasher=FAST_HASHER)
            db_session.commit()
            principal = Principal(
                user_id=row.user_id,
                org_id=row.org_id,
                role=role,
                is_person=is_person,
                key_id=row.id,
            )
            return secret, principal

    return make


@pytest.fixture
def api_key(make_key: Callable[..., tuple[str, Principal]]) -> Callable[[Role | str], str]:
    """``api_key(role)``: a ready key for ``role`` (the same one each call within a test)."""
    issued: dict[Role, str] = {}

    def get(role: Role | str) -> str:
        role = Role(role)
        if role not in issued:
            issued[role] = make_key(role)[0]
        return issued[role]

    return get


@pytest.fixture
def auth(api_key: Callable[[Role | str], str]) -> Callable[[Role | str], dict[str, str]]:
    """``auth(role)``: request headers carrying a key for ``role``."""

    def headers(role: Role | str) -> dict[str, str]:
        return {"Authorization": f"Bearer {api_key(role)}"}

    return headers
