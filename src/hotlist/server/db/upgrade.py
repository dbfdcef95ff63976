"""Apply the migrations programmatically (``hotlist db upgrade``, ``hotlist serve``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from hotlist.errors import StorageError
from hotlist.server.db.engine import make_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic configuration for ``url`` with our migrations; no alembic.ini needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest revision the package ships."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    if head is None:  # pragma: no cover - the package always ships revisions
        raise StorageError("the package ships no migrations")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot read the database's revision: {exc}") from exc


def _migrate(url: str, step: Callable[[Config, str], None], revision: str, what: str) -> str:
    """Run Alembic's ``step`` to ``revision`` on ``url`` in one transaction; returns where the
    database is after. A failure is a StorageError saying ``what`` failed."""
    engine = make_engine(url)
    try:
        config = alembic_config(url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            step(config, revision)
        return current_revision(engine) or "base"
    except SQLAlchemyError as exc:
        raise StorageError(f"{what} failed: {exc}") from exc
    finally:
        engine.dispose()


def downgrade(url: str, revision: str) -> str:
    """Migrate the database at ``url`` back to ``revision`` (``base``: empty); returns where."""
    return _migrate(url, command.downgrade, revision, "migrating the database back")


def require_head(engine: Engine) -> None:
    """Refuse to work on a database that is not at the package's head revision."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise StorageError(
            f"the database is at revision {current or 'none (empty)'}, this hotlist needs "
            f"{head}: run `hotlist db upgrade` (or start `hotlist serve`, which upgrades)"
        )


def _ensure_sqlite_dir(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def upgrade(url: str, revision: str = "head") -> str:
    """Migrate the database at ``url`` to ``revision``; returns the revision it is at after."""
    _ensure_sqlite_dir(url)
    return _migrate(url, command.upgrade, revision, "migrating the database")
