"""``hotlist publish``: the list is published only with a public URL people can open, since every
member's block page links appeals to it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from hotlist.cli.main import app
from hotlist.errors import ConfigError
from hotlist.publish.public_policy import decode_public_policy
from hotlist.server.config import Settings
from hotlist.server.db.session import make_engine, session_factory
from hotlist.server.policies import service as policies
from hotlist.server.publishing.service import make_publisher


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in (
        "HOTLIST_DATABASE_URL",
        "HOTLIST_PUBLIC_URL",
        "HOTLIST_UNSAFE_LOOPBACK_PUBLIC_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    directory = tmp_path / "data"
    result = CliRunner().invoke(app, ["db", "upgrade", "--data-dir", str(directory)])
    assert result.exit_code == 0, result.output
    engine = make_engine(Settings.load(directory, environ={}).database_url)
    try:
        with session_factory(engine)() as session, session.begin():
            policies.ensure_policy(session)  # as `hotlist serve` does at start
    finally:
        engine.dispose()
    return directory


def _publish(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, ["publish", "--data-dir", str(data_dir), *args], env=env)


def _appeal_url(data_dir: Path) -> str:
    publisher = make_publisher(Settings.load(data_dir, environ={}))
    index = publisher.index()
    assert index is not None
    data = publisher.repository.read_target(index["extras"]["policy.json"]["path"])
    assert data is not None
    return decode_public_policy(data).appeal_url


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        ((), None, "--public-url"),
        (("--public-url", "http://127.0.0.1:8000"), None, "loopback"),
        ((), {"HOTLIST_PUBLIC_URL": "http://localhost:8123"}, "HOTLIST_UNSAFE_LOOPBACK_PUBLIC_URL"),
    ],
)
def test_no_public_url_or_a_loopback_one_is_refused(
    data_dir: Path, args: tuple[str, ...], env: dict[str, str] | None, message: str
) -> None:
    result = _publish(data_dir, *args, env=env)
    assert isinstance(result.exception, ConfigError)
    assert message in str(result.exception)
    assert not (data_dir / "repository" / "metadata" / "timestamp.json").exists()


def test_the_public_url_goes_into_the_members_policy(data_dir: Path) -> None:
    result = _publish(data_dir, "--public-url", "https://hotline.example")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "published list version 1: 0 entries (+0 -0 ~0), snapshot " in said
    assert re.search(r"snapshot \d+ bytes, delta \d+ bytes, [\d.]+ s", said)
    assert _appeal_url(data_dir) == "https://hotline.example/appeal"


def test_the_unsafe_setting_allows_a_loopback_public_url(data_dir: Path) -> None:
    env = {"HOTLIST_UNSAFE_LOOPBACK_PUBLIC_URL": "1"}
    result = _publish(data_dir, "--public-url", "http://127.0.0.1:8123", env=env)
    assert result.exit_code == 0, result.output
    assert _appeal_url(data_dir) == "http://127.0.0.1:8123/appeal"
