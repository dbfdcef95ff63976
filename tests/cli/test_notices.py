"""``hotlist notices`` on a data directory's database: list, send-due, ingest."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotlist.cli.main import app
from hotlist.errors import ConfigError


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("HOTLIST_DATABASE_URL", raising=False)
    directory = tmp_path / "data"
    result = CliRunner().invoke(app, ["db", "upgrade", "--data-dir", str(directory)])
    assert result.exit_code == 0, result.output
    return directory


def test_list_and_send_due_on_an_empty_database(data_dir: Path) -> None:
    listed = CliRunner().invoke(app, ["notices", "list", "--data-dir", str(data_dir), "--json"])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output) == []
    tick = CliRunner().invoke(app, ["notices", "send-due", "--data-dir", str(data_dir)])
    assert tick.exit_code == 0, tick.output
    assert "routed 0" in tick.output


def test_ingest_reports_a_message_naming_no_notice(data_dir: Path) -> None:
    message = EmailMessage()
    message["Subject"] = "Re: [hotlist N-ABCDEFGH] Notice"
    message["Message-ID"] = "<m1@net.example>"
    message.set_content("Done.")
    result = CliRunner().invoke(
        app, ["notices", "ingest", "-", "--data-dir", str(data_dir)], input=message.as_bytes()
    )
    assert result.exit_code == 9, result.output
    assert "N-ABCDEFGH" in result.output


def test_ingest_needs_a_source(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["notices", "ingest", "inbox", "--data-dir", str(data_dir)])
    assert isinstance(result.exception, ConfigError)
    assert "--maildir" in str(result.exception)
