"""The migrations build exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from hotlist.server.db.engine import make_engine
from hotlist.server.db.models import Base
from hotlist.server.db.upgrade import current_revision, downgrade, head_revision, upgrade


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_database_is_at_the_head_revision(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()


def test_every_revision_goes_down_and_up_again(empty_db_url: str) -> None:
    assert upgrade(empty_db_url) == head_revision()
    assert downgrade(empty_db_url, "base") == "base"
    engine = make_engine(empty_db_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert upgrade(empty_db_url) == head_revision()
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
