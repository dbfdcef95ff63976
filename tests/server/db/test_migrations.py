"""The migrations build exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from hotlist.server.db.base import utcnow
from hotlist.server.db.engine import make_engine
from hotlist.server.db.models import Base
from hotlist.server.db.upgrade import current_revision, downgrade, head_revision, upgrade
from hotlist.server.reports.models import SPARSE_INDEXED, Report
from hotlist.server.web.auth.names import normalise


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


def test_people_who_could_sign_in_get_a_login_name(empty_db_url: str) -> None:
    """0006 gives every existing sign-in row a login name (the column is required after it)."""
    upgrade(empty_db_url)
    downgrade(empty_db_url, "0005_web_login")
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO organisations (id, name, kind, created_at) "
                    "VALUES (1, 'H', 'hotline', :t)"
                ),
                {"t": utcnow()},
            )
            for user_id in (1, 2):
                connection.execute(
                    text(
                        "INSERT INTO users (id, org_id, name, role, created_at) "
                        "VALUES (:id, 1, 'Ada', 'analyst', :t)"
                    ),
                    {"id": user_id, "t": utcnow()},
                )
                connection.execute(
                    text("INSERT INTO user_logins (user_id, failed_count) VALUES (:id, 0)"),
                    {"id": user_id},
                )
        assert upgrade(empty_db_url) == head_revision()
        with engine.connect() as connection:
            names = connection.execute(text("SELECT login_name FROM user_logins")).scalars().all()
    finally:
        engine.dispose()
    assert len(set(names)) == 2
    assert all(normalise(name) == name for name in names)


def test_reports_that_raced_to_be_originals_are_linked_to_the_first(empty_db_url: str) -> None:
    """0007 links later open originals of one canonical URL to the first, then its partial
    unique index keeps one open original per URL."""
    upgrade(empty_db_url)
    downgrade(empty_db_url, "0006_login_names")
    engine = make_engine(empty_db_url)
    digest = bytes(32)
    try:
        with engine.begin() as connection:
            for report_id, receipt in ((1, "first"), (2, "second"), (3, "third")):
                connection.execute(
                    text(
                        "INSERT INTO reports (id, receipt, url, canonical_url, canonical_hash, "
                        "status, received_at) VALUES (:id, :receipt, :url, :url, :digest, "
                        "'received', :t)"
                    ),
                    {
                        "id": report_id,
                        "receipt": receipt,
                        "url": "http://www.example.com/",
                        "digest": digest,
                        "t": utcnow(),
                    },
                )
        assert upgrade(empty_db_url) == head_revision()
        with engine.connect() as connection:
            links = connection.execute(text("SELECT id, duplicate_of FROM reports ORDER BY id"))
            assert [tuple(row) for row in links] == [(1, None), (2, 1), (3, 1)]
    finally:
        engine.dispose()


def test_the_reports_indexes_are_partial_as_the_models_say(engine: Engine) -> None:
    """compare_metadata sees index names and columns, not their WHERE: 0008's sparse indexes
    hold only the rows where their column is set, on both databases."""
    dialect = engine.dialect.name
    expected = {
        index.name: str(index.dialect_options[dialect]["where"])
        for index in Report.__table__.indexes
        if index.dialect_options[dialect]["where"] is not None
    }
    found = {
        index["name"]: str(index["dialect_options"][f"{dialect}_where"])
        for index in inspect(engine).get_indexes("reports")
        if f"{dialect}_where" in index.get("dialect_options", {})
    }
    assert set(found) == set(expected)
    for column in SPARSE_INDEXED:
        assert column in found[f"ix_reports_{column}"]
        assert "not null" in found[f"ix_reports_{column}"].lower()
