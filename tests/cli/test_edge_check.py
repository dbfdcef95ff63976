"""``hotlist edge check``: verdicts from the store's list, --json, and clear errors."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from hotlist.cli import edge_check
from hotlist.edge.config import EdgeConfig
from hotlist.edge.store import Store, StoreState, utc_now
from hotlist.errors import ConfigError, InvalidURL, NotFound, StaleList, VerificationError
from hotlist.publish.format import CHECKSUM_SIZE, Snapshot
from hotlist.publish.public_policy import PublicCategory, PublicPolicy, encode_public_policy
from hotlist.publish.records import ListRecord
from hotlist.publish.wire import FLAG_DISPUTED, POLICY_EXTRA


@pytest.fixture
def app() -> typer.Typer:
    """``hotlist`` with an ``edge`` group holding ``check``, as the edge module registers it."""
    app = typer.Typer()
    edge_app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Keep ``edge`` a sub-command."""

    @edge_app.callback()
    def _edge() -> None:
        """Keep ``check`` a sub-command."""

    edge_app.command("check", help=edge_check.HELP)(edge_check.check)
    app.add_typer(edge_app, name="edge")
    return app


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _record(expression: str, category: int, entry_id: int, flags: int = 0) -> ListRecord:
    host = expression.split("/", 1)[0]
    return ListRecord(
        expression_hash=hashlib.sha256(expression.encode()).digest(),
        host_hash=hashlib.sha256(f"{host}/".encode()).digest(),
        category=category,
        entry_id=entry_id,
        flags=flags,
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A store holding version 3 of a two-entry list (its server is never contacted)."""
    config = EdgeConfig(server="http://127.0.0.1:9/", key="env:HOTLIST_TEST_KEY")
    store = Store.create(tmp_path / "store", config, root=b"{}")
    snapshot = Snapshot.from_records(
        "main",
        3,
        [
            _record("www.example.com/bad/page.html", 1, 0x2A),
            _record("files.example.org/", 2, 0xBEEF, FLAG_DISPUTED),
        ],
    )
    store.install(snapshot, StoreState(version=3, count=2, synced_at=utc_now().isoformat()))
    return store


def _make_stale(store: Store, fail_mode: str) -> None:
    config = store.config()._replace(fail_mode=fail_mode)
    store.config_path.write_text(config.to_json(), encoding="utf-8")
    long_ago = (utc_now() - timedelta(days=2)).isoformat()
    store.write_state(store.state()._replace(synced_at=long_ago))


def test_shows_blocked_and_unlisted_urls(app: typer.Typer, runner: CliRunner, store: Store) -> None:
    result = runner.invoke(
        app,
        [
            "edge",
            "check",
            "--store",
            str(store.path),
            "http://www.example.com/bad/page.html",
            "http://www.example.com/good.html",
        ],
        terminal_width=200,
    )
    assert result.exit_code == 0, result.output
    assert "list main version 3, 2 entries" in result.output
    blocked, unlisted = [line for line in result.output.splitlines() if "example.com" in line]
    assert "blocked" in blocked
    assert "000000000000002a" in blocked
    assert "not blocked" in unlisted


def test_a_narrow_console_neither_crops_nor_folds_a_row(
    app: typer.Typer, runner: CliRunner, store: Store
) -> None:
    url = "http://www.example.com/bad/page.html?and-a-rather-long-query-string=to-overflow-40"
    result = runner.invoke(
        app, ["edge", "check", "--store", str(store.path), url], env={"COLUMNS": "40"}
    )
    assert result.exit_code == 0, result.output
    (row,) = [line for line in result.output.splitlines() if "example.com" in line]
    assert url in row
    assert "000000000000002a" in row


def test_json_gives_every_verdict(app: typer.Typer, runner: CliRunner, store: Store) -> None:
    urls = ["https://cdn.files.example.org/x.zip", "http://example.com/"]
    result = runner.invoke(app, ["edge", "check", "--store", str(store.path), "--json", *urls])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert (document["list"], document["version"], document["stale"]) == ("main", 3, False)
    assert document["results"] == [
        {
            "url": urls[0],
            "blocked": True,
            "category": 2,
            "entry_id": "000000000000beef",
            "disputed": True,
            "list_version": 3,
            "error": None,
            "category_code": None,  # the list carries no policy to name it
            "category_name": None,
        },
        {
            "url": urls[1],
            "blocked": False,
            "category": None,
            "entry_id": None,
            "disputed": False,
            "list_version": 3,
            "error": None,
            "category_code": None,
            "category_name": None,
        },
    ]


POLICY = PublicPolicy(
    operator="Example Hotline",
    policy_id="example-hotline-demo",
    policy_version=1,
    title="Demo policy",
    appeal_url="https://hotline.example/appeal",
    categories=(
        PublicCategory.of(1, "csam", "Child sexual abuse material", {"GB": "PCA 1978"}, False),
        PublicCategory.of(3, "terror", "Terrorist content", {"EU": "Reg 2021/784"}, True),
    ),
)


def _with_policy(store: Store, policy: bytes) -> Store:
    """The store's list again, now with a policy extra (category 2 is not in POLICY)."""
    snapshot = store.load_current()
    assert snapshot is not None
    store.install(snapshot, store.state(), extras={POLICY_EXTRA: policy})
    return store


def test_a_category_is_shown_by_the_name_the_lists_policy_gives_it(
    app: typer.Typer, runner: CliRunner, store: Store
) -> None:
    _with_policy(store, encode_public_policy(POLICY))
    urls = ["http://www.example.com/bad/page.html", "http://files.example.org/"]
    args = ["edge", "check", "--store", str(store.path), *urls]
    result = runner.invoke(app, args, terminal_width=200)
    assert result.exit_code == 0, result.output
    named, unnamed = [line for line in result.output.splitlines() if "example." in line]
    assert "Child sexual abuse material" in named
    assert " 1 " not in named
    assert " 2 " in unnamed  # the policy does not name category 2: its number, not nothing

    result = runner.invoke(app, [*args, "--json"])
    first, second = json.loads(result.output)["results"]
    assert (first["category"], first["category_code"], first["category_name"]) == (
        1,
        "csam",
        "Child sexual abuse material",
    )
    assert (second["category"], second["category_code"], second["category_name"]) == (2, None, None)


def test_a_malformed_policy_leaves_numbers_and_a_warning(
    app: typer.Typer, runner: CliRunner, store: Store
) -> None:
    _with_policy(store, b"{not json")
    args = ["edge", "check", "--store", str(store.path), "http://www.example.com/bad/page.html"]
    result = runner.invoke(app, args, terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "categories are shown as numbers" in result.output
    (row,) = [line for line in result.output.splitlines() if "example.com" in line]
    assert " 1 " in row


def test_the_store_can_come_from_the_environment(
    app: typer.Typer, runner: CliRunner, store: Store
) -> None:
    result = runner.invoke(
        app,
        ["edge", "check", "--json", "http://files.example.org/"],
        env={"HOTLIST_EDGE_STORE": str(store.path)},
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["results"][0]["blocked"] is True


def test_an_invalid_url_is_reported_and_the_others_still_checked(
    app: typer.Typer, runner: CliRunner, store: Store
) -> None:
    result = runner.invoke(
        app,
        ["edge", "check", "--store", str(store.path), "--json", "http://:80/", "files.example.org"],
    )
    assert result.exit_code == InvalidURL.exit_code
    first, second = json.loads(result.output)["results"]
    assert first["blocked"] is False
    assert first["error"]
    assert second["blocked"] is True


def test_a_store_without_a_list_is_an_error(
    app: typer.Typer, runner: CliRunner, tmp_path: Path
) -> None:
    config = EdgeConfig(server="http://127.0.0.1:9/", key="env:HOTLIST_TEST_KEY")
    empty = Store.create(tmp_path / "empty", config, root=b"{}")
    result = runner.invoke(app, ["edge", "check", "--store", str(empty.path), "http://x.test/"])
    assert isinstance(result.exception, NotFound)
    assert "hotlist edge sync" in result.exception.message


def test_a_missing_store_is_an_error(app: typer.Typer, runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["edge", "check", "--store", str(tmp_path / "nowhere"), "http://x.test/"]
    )
    assert isinstance(result.exception, ConfigError)


def test_a_tampered_list_is_refused(app: typer.Typer, runner: CliRunner, store: Store) -> None:
    data = bytearray(store.current_path.read_bytes())
    data[-1] ^= 0xFF
    store.current_path.write_bytes(bytes(data))
    result = runner.invoke(app, ["edge", "check", "--store", str(store.path), "http://x.test/"])
    assert isinstance(result.exception, VerificationError)


def test_a_list_corrupted_inside_its_columns_is_refused_at_once(
    app: typer.Typer, runner: CliRunner, store: Store
) -> None:
    # The last entry id's most significant byte: only the checksum can tell (unlike the Squid
    # helper, which verifies it after its first answer, the command verifies it before).
    data = bytearray(store.current_path.read_bytes())
    data[-CHECKSUM_SIZE - 2 - 1] ^= 0x01
    store.current_path.write_bytes(bytes(data))
    result = runner.invoke(app, ["edge", "check", "--store", str(store.path), "http://x.test/"])
    assert isinstance(result.exception, VerificationError)
    assert "checksum mismatch" in result.exception.message


def test_a_stale_list_under_fail_closed_gives_no_verdicts(
    app: typer.Typer, runner: CliRunner, store: Store
) -> None:
    _make_stale(store, "closed")
    result = runner.invoke(app, ["edge", "check", "--store", str(store.path), "http://x.test/"])
    assert isinstance(result.exception, StaleList)
    assert "stale" in result.exception.message


def test_a_stale_list_under_fail_open_still_answers_and_says_so(
    app: typer.Typer, runner: CliRunner, store: Store
) -> None:
    _make_stale(store, "open")
    args = ["edge", "check", "--store", str(store.path), "files.example.org"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["stale"] is True
    assert document["results"][0]["blocked"] is True
    result = runner.invoke(app, args)
    assert "stale" in result.output
