"""``hotlist keys init|rotate`` and ``hotlist repo refresh``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hotlist.cli.main import app
from hotlist.errors import ConfigError
from hotlist.publish.publisher import Publisher
from hotlist.publish.synthetic import synthetic_records

from .conftest import API_KEY, Ceremony


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


def test_the_documented_ceremony(ceremony: Ceremony) -> None:
    """docs/keys.md, step by step: root offline between ceremonies, brought back for one."""
    runner = CliRunner()
    keys, repo = str(ceremony.keys), str(ceremony.repo)
    store = str(ceremony.tmp / "cli-store")
    root_v1 = str(ceremony.repo / "metadata" / "1.root.json")
    init = ["edge", "init", "--server", ceremony.server.url, "--key", API_KEY, "--store", store]
    assert runner.invoke(app, [*init, "--root", root_v1]).exit_code == 0

    def edge_sync() -> str:
        result = runner.invoke(app, ["edge", "sync", "--store", store, "--quiet"])
        assert result.exit_code == 0, result.output
        return result.output

    assert "list version 1" in edge_sync()
    # "Then move root.pem off the server"; publishing and refreshing go on without it.
    ceremony.root_offline()
    assert ceremony.publish(start=1) == 2
    refresh = runner.invoke(app, ["repo", "refresh", "--repo", repo, "--keys", keys])
    assert refresh.exit_code == 0, refresh.output
    assert "list version 2" in edge_sync()

    # A rotation with root offline is refused, and nothing changes.
    before = ceremony.state()
    rotate = ["keys", "rotate", "--role", "timestamp", "--keys", keys, "--repo", repo]
    refused = runner.invoke(app, rotate)
    assert isinstance(refused.exception, ConfigError)
    assert refused.exception.exit_code == 4
    assert "put root.pem back in" in refused.exception.message
    assert ceremony.state() == before

    # The ceremony: root back (mode 0600), rotate, root offline again.
    ceremony.root_back()
    rotated = runner.invoke(app, rotate)
    assert rotated.exit_code == 0, rotated.output
    assert "root version 2 published" in rotated.output
    assert "root.pem offline" in rotated.output
    ceremony.root_offline()
    assert ceremony.publish(start=2) == 3
    assert "list version 3" in edge_sync()
    assert ceremony.trusted("timestamp") == [ceremony.key_id("timestamp")]
