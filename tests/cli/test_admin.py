"""``hotlist admin``: organisations, people and keys on a data directory's database."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from hotlist.cli.main import app
from hotlist.errors import Conflict, InvalidRequest, StorageError
from hotlist.server.accounts.service import authenticate
from hotlist.server.db.session import make_engine, session_factory

Run = Callable[..., dict[str, object]]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("HOTLIST_DATABASE_URL", raising=False)
    directory = tmp_path / "data"
    result = CliRunner().invoke(app, ["db", "upgrade", "--data-dir", str(directory)])
    assert result.exit_code == 0, result.output
    return directory


@pytest.fixture
def run(data_dir: Path) -> Run:
    """Run an admin command with --json on the data directory; return its JSON output."""

    def invoke(*args: str) -> dict[str, object]:
        result = CliRunner().invoke(
            app, ["admin", *args, "--data-dir", str(data_dir), "--json"], catch_exceptions=True
        )
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert result.exit_code == 0, result.output
        loaded: dict[str, object] = json.loads(result.output)
        return loaded

    return invoke


def test_org_user_key_then_revoke(run: Run, data_dir: Path) -> None:
    org = run("create-org", "Example Hotline", "--kind", "hotline")
    user = run("create-user", "Ana", "--org", "Example Hotline", "--role", "analyst")
    assert user["role"] == "analyst"
    issued = run("issue-key", "--user", str(user["id"]), "--label", "desk")
    key = str(issued["key"])
    assert key.startswith("hk_")
    engine = make_engine(f"sqlite:///{data_dir / 'hotlist.db'}")
    try:
        with session_factory(engine)() as session:
            principal = authenticate(session, key)
            assert principal is not None
            assert principal.org_id == org["id"]
        run("revoke-key", str(issued["id"]))
        with session_factory(engine)() as session:
            assert authenticate(session, key) is None
    finally:
        engine.dispose()


def test_machine_key_and_listing(run: Run, data_dir: Path) -> None:
    run("create-org", "Example ISP", "--kind", "isp")
    issued = run("issue-key", "--org", "Example ISP", "--role", "member")
    assert issued["user_id"] is None
    result = CliRunner().invoke(app, ["admin", "list-orgs", "--data-dir", str(data_dir)])
    assert result.exit_code == 0
    assert "Example ISP" in result.output


def test_mistakes_are_our_errors(run: Run) -> None:
    run("create-org", "Example ISP", "--kind", "isp")
    with pytest.raises(Conflict):
        run("create-org", "Example ISP", "--kind", "isp")
    with pytest.raises(InvalidRequest, match="unknown organisation kind"):
        run("create-org", "Other", "--kind", "bank")
    with pytest.raises(InvalidRequest, match="cannot belong"):
        run("create-user", "Mo", "--org", "Example ISP", "--role", "analyst")
    with pytest.raises(InvalidRequest, match="needs an organisation and a role"):
        run("issue-key", "--org", "Example ISP")


def test_an_unmigrated_database_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOTLIST_DATABASE_URL", raising=False)
    result = CliRunner().invoke(app, ["admin", "list-orgs", "--data-dir", str(tmp_path / "empty")])
    assert isinstance(result.exception, StorageError)
    assert "hotlist db upgrade" in str(result.exception)


def test_list_disable_and_enable_users(data_dir: Path) -> None:
    def invoke(*args: str) -> Any:
        result = CliRunner().invoke(app, ["admin", *args, "--data-dir", str(data_dir), "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    def ids(*args: str) -> list[int]:
        return [person["id"] for person in invoke("list-users", *args)]

    def text(*args: str) -> Result:
        return CliRunner().invoke(app, ["admin", *args, "--data-dir", str(data_dir)])

    invoke("create-org", "Example Hotline", "--kind", "hotline")
    invoke("create-org", "Example Observers", "--kind", "observer")
    ana = invoke("create-user", "Ana", "--org", "Example Hotline", "--role", "analyst")["id"]
    olu = invoke("create-user", "Olu", "--org", "Example Observers", "--role", "observer")["id"]
    invoke("issue-key", "--user", str(ana))
    assert [p["name"] for p in invoke("list-users")] == ["Ana", "Olu"]
    assert ids("--role", "observer", "--org", "Example Observers") == [olu]
    assert ids("--role", "analyst", "--org", "Example Observers") == []

    disabled = invoke("disable-user", "--user", str(ana), "--reason", "left the team")
    assert len(disabled["revoked_key_ids"]) == 1
    assert ids("--disabled") == [ana]
    assert ids("--enabled") == [olu]

    table = text("list-users")
    assert table.exit_code == 0
    assert "Example Observers" in table.output
    shown = text("disable-user", "--user", str(olu), "--reason", "moved on")
    assert shown.exit_code == 0
    assert "(Olu) disabled; 0 API keys revoked" in shown.output
    again = text("disable-user", "--user", str(ana), "--reason", "x")
    assert isinstance(again.exception, Conflict)
    assert "disabled already" in again.exception.message
    assert text("enable-user", "--user", str(ana)).exit_code == 2  # the reason is required
    enabled = text("enable-user", "--user", str(ana), "--reason", "back")
    assert enabled.exit_code == 0, enabled.output
    assert "(Ana) enabled" in enabled.output
    assert ids("--disabled") == [olu]
