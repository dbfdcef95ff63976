"""``hotlist edge init|sync|status|run`` against a loopback repository."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotlist.cli.main import app
from hotlist.edge.config import EdgeConfig
from hotlist.errors import ConfigError, NotFound, StaleList, SyncError

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
    assert result.exit_code == NotFound.exit_code  # never synced: 7, not StaleList's 13
    assert json.loads(result.output)["synced"] is False
    assert json.loads(result.output)["state"] == "never_synced"

    result = runner.invoke(app, ["edge", "status", "--store", store])
    assert result.exit_code == NotFound.exit_code
    (state,) = [line for line in result.output.splitlines() if line.startswith("state")]
    assert "never synced" in state
    assert "no list in force yet" in state
    assert "STALE" not in result.output

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


def test_a_relative_key_file_is_kept_absolute(
    runner: CliRunner, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given from one directory, read by every later sync from wherever it runs.
    (world.tmp / "secrets").mkdir()
    (world.tmp / "secrets" / "member.key").write_text(API_KEY + "\n")
    root = str(world.repo / "metadata" / "1.root.json")
    monkeypatch.chdir(world.tmp)
    store = str(world.tmp / "cli-store")
    args = ["edge", "init", "--server", world.server.url, "--root", root, "--store", store]
    result = runner.invoke(app, [*args, "--key", "file:secrets/member.key"])
    assert result.exit_code == 0, result.output
    config = json.loads((world.tmp / "cli-store" / "config.json").read_text())
    assert config["key"] == f"file:{world.tmp / 'secrets' / 'member.key'}"
    monkeypatch.chdir(world.tmp / "secrets")
    result = runner.invoke(app, ["edge", "sync", "--store", store, "-q"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("file:no-such.key", r"cannot read the API key file /\S+/no-such\.key: No such file"),
        ("file:", "needs a path"),
        ("file:empty.key", r"/empty\.key is empty"),
    ],
)
def test_a_key_file_that_holds_no_key_is_refused_at_init(
    runner: CliRunner, world: World, monkeypatch: pytest.MonkeyPatch, key: str, message: str
) -> None:
    (world.tmp / "empty.key").write_text("\n")
    monkeypatch.chdir(world.tmp)
    root = str(world.repo / "metadata" / "1.root.json")
    args = ["edge", "init", "--server", world.server.url, "--root", root]
    result = runner.invoke(app, [*args, "--key", key, "--store", str(world.tmp / "s")])
    assert isinstance(result.exception, ConfigError)
    assert re.search(message, str(result.exception)), result.exception
    assert not (world.tmp / "s").exists()


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
    assert "never synced" not in result.output


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


def _sync_in_a_process(store: str) -> subprocess.CompletedProcess[str]:
    """``hotlist edge sync`` as a user runs it: its own process, stderr to a pipe."""
    return subprocess.run(
        [sys.executable, "-m", "hotlist", "edge", "sync", "--quiet", "--store", store],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_failed_sync_says_so_once_and_what_stays_in_force(world: World) -> None:
    store = str(world.store.path)
    world.server.stop()
    result = _sync_in_a_process(store)
    assert result.returncode == SyncError.exit_code
    assert result.stderr.count("is it down?") == 1, result.stderr
    assert "no list is in force" in result.stderr
    assert "previous" not in result.stderr
    assert "no list is in force" in (world.store.state().last_error or "")


def test_a_failed_sync_after_a_good_one_names_the_list_that_stays(world: World) -> None:
    store = str(world.store.path)
    assert _sync_in_a_process(store).returncode == 0
    world.server.stop()
    result = _sync_in_a_process(store)
    assert result.returncode == SyncError.exit_code
    assert result.stderr.count("is it down?") == 1, result.stderr
    assert "the list in force (version 1) stays" in result.stderr


def test_a_run_where_every_sync_failed_says_whether_a_list_is_in_force(
    runner: CliRunner, world: World
) -> None:
    root = str(world.repo / "metadata" / "1.root.json")
    store = init(runner, world, "--root", root)
    world.server.stop()
    result = runner.invoke(app, ["edge", "run", "--store", store, "--once"])
    assert isinstance(result.exception, StaleList)
    assert "no list is in force" in str(result.exception)
    assert "previous" not in str(result.exception)


def test_a_list_of_one_entry_is_one_entry(runner: CliRunner, world: World) -> None:
    root = str(world.repo / "metadata" / "1.root.json")
    store = init(runner, world, "--root", root)
    world.publish(count=1)
    result = runner.invoke(app, ["edge", "sync", "--store", store, "-q"])
    assert result.exit_code == 0, result.output
    assert "list version 2: 1 entry (via snapshot, " in result.output


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
