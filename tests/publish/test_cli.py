"""``hotlist keys init|rotate`` and ``hotlist repo refresh``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hotlist.cli.main import app
from hotlist.errors import ConfigError
from hotlist.publish.publisher import Publisher
from hotlist.publish.synthetic import synthetic_records


def test_keys_init_rotate_and_refresh(tmp_path: Path) -> None:
    runner = CliRunner()
    keys, repo = tmp_path / "keys", tmp_path / "repo"
    result = runner.invoke(app, ["keys", "init", "--keys", str(keys)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in keys.glob("*.pem")) == [
        "log.pem",
        "root.pem",
        "snapshot.pem",
        "targets.pem",
        "timestamp.pem",
    ]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in keys.glob("*.pem"))
    again = runner.invoke(app, ["keys", "init", "--keys", str(keys)])
    assert isinstance(again.exception, ConfigError)

    Publisher(repo, keys).publish(synthetic_records(5))
    result = runner.invoke(app, ["repo", "refresh", "--repo", str(repo), "--keys", str(keys)])
    assert result.exit_code == 0, result.output
    assert "timestamp version 3" in result.output

    result = runner.invoke(
        app, ["keys", "rotate", "--role", "targets", "--keys", str(keys), "--repo", str(repo)]
    )
    assert result.exit_code == 0, result.output
    root = json.loads((repo / "metadata" / "2.root.json").read_text())
    assert root["signed"]["version"] == 2
    assert len(list((keys / "retired").glob("targets-*.pem"))) == 1

    bad = runner.invoke(
        app, ["keys", "rotate", "--role", "admin", "--keys", str(keys), "--repo", str(repo)]
    )
    assert isinstance(bad.exception, ConfigError)


def test_refresh_of_a_missing_repository(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["repo", "refresh", "--repo", str(tmp_path / "none"), "--keys", str(tmp_path)]
    )
    assert isinstance(result.exception, ConfigError)
