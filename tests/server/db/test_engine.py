"""Engines: SQLite in WAL mode with foreign keys; unsupported URLs refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from hotlist.errors import ConfigError
from hotlist.server.db.engine import make_engine


def test_sqlite_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
            assert connection.scalar(text("PRAGMA foreign_keys")) == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://db.example/hotlist", "unsupported database"),
        ("not a url", "cannot parse"),
    ],
)
def test_bad_urls_are_config_errors(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        make_engine(url)
