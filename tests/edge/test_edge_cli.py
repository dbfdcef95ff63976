"""``hotlist edge init|sync|status|run`` against a loopback repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotlist.cli.main import app
from hotlist.edge.config import EdgeConfig
from hotlist.errors import ConfigError, StaleList, SyncError

from .conftest import API_KEY, World


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def init(runner: CliRunner, world: World, *extra: str) -> str:
    store = str(world.tmp / "cli-store")
    result = runner.invoke(
        app,
        ["edge", "init", "--server", world.server.url, "--key", API_KEY, "--store", store, *extra],
    )
    assert result.exit_code == 0, result.output
    return store


def test_init_sync_status(runner: CliRunner, world: World) -> None:
    root = str(world.repo / "metadata" / "1.root.json")
    store = init(runner, world, "--root", root)
    result = runner.invoke(app, ["edge", "status", "--store", store, "--json"])
    assert result.exit_code == 7  # never synced
    assert json.loads(result.output)["synced"] is False

    result = runner.invoke(app, ["edge", "sync", "--store", store, "--quiet"])
    assert result.exit_code == 0, result.output
    assert "list version 1: 50 entries" in result.output

    result = runner.invoke(app, ["edge", "status", "--store", store, "--json"])
    assert result.exit_code == 0, result.output
    status = json.loads(result.output)
    assert (status["version"], status["count"], status["stale"]) == (1, 50, False)

    result = runner.invoke(app, ["edge", "status", "--store", store])
    assert result.exit_code == 0
    assert "fresh" in result.output


def test_init_records_the_suspend_disputed_setting(runner: CliRunner, world: World) -> None:
    root = str(world.repo / "metadata" / "1.root.json")
    store = init(runner, world, "--root", root, "--suspend-disputed")
    config = json.loads((world.tmp / "cli-store" / "config.json").read_text())
    assert config["suspend_disputed"] is True
    assert runner.invoke(app, ["edge", "sync", "--store", store, "-q"]).exit_code == 0


def test_trust_on_first_use_must_be_asked_for(runner: CliRunner, world: World) -> None:
    store = str(world.tmp / "tofu")
    args = ["edge", "init", "--server", world.server.url, "--key", API_KEY, "--store", store]
    result = runner.invoke(app, args)
    assert isinstance(result.exception, ConfigError)
    result = runner.invoke(app, [*args, "--unsafe-trust-on-first-use"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["edge", "sync", "--store", store, "-q"]).exit_code == 0


def test_a_root_that_is_not_a_root_is_refused(runner: CliRunner, world: World) -> None:
    bogus = world.tmp / "bogus.json"
    bogus.write_text("{}")
    args = ["edge", "init", "--server", world.server.url, "--key", API_KEY, "--root", str(bogus)]
    result = runner.invoke(app, [*args, "--store", str(world.tmp / "bogus-store")])
    assert isinstance(result.exception, ConfigError)


def test_status_of_a_stale_list_exits_13(runner: CliRunner, world: World) -> None:
    root = str(world.repo / "metadata" / "1.root.json")
    store = init(runner, world, "--root", root, "--max-age", "1")
    assert runner.invoke(app, ["edge", "sync", "--store", store, "-q"]).exit_code == 0
    state = world.tmp / "cli-store" / "state.json"
    data = json.loads(state.read_text())
    data["synced_at"] = "2020-01-01T00:00:00+00:00"
    state.write_text(json.dumps(data))
    result = runner.invoke(app, ["edge", "status", "--store", store])
    assert result.exit_code == StaleList.exit_code
    assert "STALE" in result.output


def test_run_once_and_a_failing_run(runner: CliRunner, world: World) -> None:
    root = str(world.repo / "metadata" / "1.root.json")
    store = init(runner, world, "--root", root)
    assert runner.invoke(app, ["edge", "run", "--store", store, "--once"]).exit_code == 0
    world.server.stop()
    result = runner.invoke(app, ["edge", "run", "--store", store, "--once"])
    assert isinstance(result.exception, StaleList)


def test_sync_of_a_down_server_fails(runner: CliRunner, world: World) -> None:
    root = str(world.repo / "metadata" / "1.root.json")
    store = init(runner, world, "--root", root)
    world.server.stop()
    result = runner.invoke(app, ["edge", "sync", "--store", store, "-q"])
    assert isinstance(result.exception, SyncError)


def test_sync_with_a_progress_bar(runner: CliRunner, world: World) -> None:
    root = str(world.repo / "metadata" / "1.root.json")
    store = init(runner, world, "--root", root)
    result = runner.invoke(app, ["edge", "sync", "--store", store])
    assert result.exit_code == 0, result.output
    assert "list version 1" in result.output


def test_trust_on_first_use_with_the_server_down(runner: CliRunner, world: World) -> None:
    world.server.stop()
    args = ["edge", "init", "--server", world.server.url, "--key", API_KEY]
    result = runner.invoke(
        app, [*args, "--store", str(world.tmp / "s"), "--unsafe-trust-on-first-use"]
    )
    assert isinstance(result.exception, SyncError)
    assert "1.root.json" in str(result.exception)


@pytest.mark.parametrize(
    "server", ["http://hotline.example/v1/tuf/", "http://192.0.2.10:8000/v1/tuf/"]
)
def test_plain_http_to_another_host_is_refused(
    runner: CliRunner, world: World, server: str
) -> None:
    root = str(world.repo / "metadata" / "1.root.json")
    store = world.tmp / "plain-store"
    args = ["edge", "init", "--server", server, "--key", API_KEY, "--root", root]
    result = runner.invoke(app, [*args, "--store", str(store)])
    assert isinstance(result.exception, ConfigError)
    assert "in clear" in result.exception.message
    assert "--unsafe-http" in result.exception.message
    assert not store.exists()
    result = runner.invoke(app, [*args, "--store", str(store), "--unsafe-http"])
    assert result.exit_code == 0, result.output
    assert json.loads((store / "config.json").read_text())["unsafe_http"] is True


@pytest.mark.parametrize(
    "server",
    ["http://127.0.0.1:8000/v1/tuf/", "http://[::1]:8000/", "http://localhost/", "https://x.test/"],
)
def test_loopback_and_https_need_no_option(server: str) -> None:
    assert EdgeConfig(server=server, key="env:KEY").server == server


def test_an_edited_config_cannot_drop_https_quietly(tmp_path: Path) -> None:
    text = json.dumps({"server": "http://hotline.example/v1/tuf/", "key": "env:KEY"})
    with pytest.raises(ConfigError, match='"unsafe_http": true'):
        EdgeConfig.from_json(text, tmp_path / "config.json")
