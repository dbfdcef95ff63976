"""``hotlist report transparency``: the report files from a data directory's database."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from hotlist.cli.main import app
from hotlist.errors import ConfigError, StorageError
from hotlist.server.db.session import make_engine, session_factory
from hotlist.server.reports import intake

URL = "http://secret-host.example.com/page.html"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data directory whose database holds two reports."""
    monkeypatch.delenv("HOTLIST_DATABASE_URL", raising=False)
    directory = tmp_path / "data"
    result = CliRunner().invoke(app, ["db", "upgrade", "--data-dir", str(directory)])
    assert result.exit_code == 0, result.output
    engine = make_engine(f"sqlite:///{directory / 'hotlist.db'}")
    try:
        with session_factory(engine)() as session:
            intake.submit(session, URL)
            intake.submit(session, "http://www.example.org/")
            session.commit()
    finally:
        engine.dispose()
    return directory


def _report(data_dir: Path, out: Path, *period: str) -> Result:
    return CliRunner().invoke(
        app,
        ["report", "transparency", *period, "--out", str(out), "--data-dir", str(data_dir)],
    )


def test_writes_html_csv_and_json(data_dir: Path, tmp_path: Path) -> None:
    today = datetime.now(UTC).date().isoformat()
    out = tmp_path / "out"
    result = _report(data_dir, out, "--from", today, "--to", today)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "2 reports, 0 entries added, 0 objections, 0 appeals." in said
    figures = json.loads((out / "transparency.json").read_text())
    assert figures["reports"]["received"] == 2
    for name in ("index.html", "transparency.csv", "transparency.json"):
        assert "secret-host" not in (out / name).read_text()


@pytest.mark.parametrize(
    "period",
    [
        ("--from", "2026-02-01", "--to", "2026-01-01"),
        ("--from", "01/02/2026", "--to", "2026-01-01"),
    ],
)
def test_bad_periods_are_config_errors(
    data_dir: Path, tmp_path: Path, period: tuple[str, ...]
) -> None:
    result = _report(data_dir, tmp_path / "out", *period)
    assert isinstance(result.exception, ConfigError)


def test_no_database_is_a_storage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOTLIST_DATABASE_URL", raising=False)
    period = ("--from", "2026-01-01", "--to", "2026-01-31")
    result = _report(tmp_path / "none", tmp_path / "out", *period)
    assert isinstance(result.exception, StorageError)
