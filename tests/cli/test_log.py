"""``hotlist log show`` on a data directory's database, and the errors of ``hotlist log``.

Over the API (``--server``), show and verify are tested end to end in
tests/server/log/test_edge.py, against a live server and an edge store.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotlist.cli.main import app
from hotlist.errors import ConfigError
from hotlist.server.db.session import make_engine, session_factory
from hotlist.server.log import service


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data directory whose log holds 3 entry_removed events."""
    monkeypatch.delenv("HOTLIST_DATABASE_URL", raising=False)
    directory = tmp_path / "data"
    result = CliRunner().invoke(app, ["db", "upgrade", "--data-dir", str(directory)])
    assert result.exit_code == 0, result.output
    engine = make_engine(f"sqlite:///{directory / 'hotlist.db'}")
    with session_factory(engine)() as session, session.begin():
        for number in range(3):
            service.record(
                session,
                "entry_removed",
                entry_id=f"{number + 1:016x}",
                expression_hash="ab" * 32,
                category="csam",
            )
    engine.dispose()
    return directory


def test_show_prints_the_events_as_json_or_a_table(data_dir: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["log", "show", "--data-dir", str(data_dir), "--json"])
    assert result.exit_code == 0, result.output
    events = json.loads(result.output)
    assert [event["index"] for event in events] == [0, 1, 2]
    assert events[1]["entry_id"] == "0000000000000002"
    assert events[1]["kind"] == "entry_removed"
    ranged = runner.invoke(
        app, ["log", "show", "--data-dir", str(data_dir), "--start", "1", "--end", "2", "--json"]
    )
    assert [event["index"] for event in json.loads(ranged.output)] == [1]
    table = runner.invoke(app, ["log", "show", "--data-dir", str(data_dir)], terminal_width=200)
    assert table.exit_code == 0, table.output
    assert "entry_removed" in table.output
    assert "3 events" in table.output


def test_verify_names_what_is_missing(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["log", "verify", "--head", str(tmp_path / "absent.json")])
    assert isinstance(result.exception, ConfigError)
    assert "cannot read" in result.exception.message


def test_verify_needs_the_log_key(tmp_path: Path) -> None:
    head = tmp_path / "head.json"
    head.write_text(
        json.dumps(
            {
                "size": 0,
                "root_hash": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "timestamp": "1970-01-01T00:00:00Z",
                "key_id": "00",
                "signature": "",
            }
        )
    )
    result = CliRunner().invoke(app, ["log", "verify", "--head", str(head)])
    assert isinstance(result.exception, ConfigError)
    assert "--log-key" in result.exception.message
