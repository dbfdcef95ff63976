"""Entries in force become list records; a publish makes the next signed version."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient
from typer.testing import CliRunner

from hotlist.cli.main import app
from hotlist.errors import ConfigError
from hotlist.publish.publisher import Publisher
from hotlist.server.config import Settings
from hotlist.server.kit.paths import repository_paths
from hotlist.server.publishing.service import (
    ensure_keys,
    list_records,
    make_publisher,
    publish,
)
from hotlist.urls import entry_expression

URL = "http://www.example.com/a/b/page.html"
PUBLIC_URL = "https://hotline.example"


def test_an_entry_becomes_a_record_of_hashes_only(
    listed_entry: Callable[..., str], sessions: sessionmaker[Session]
) -> None:
    public_id = listed_entry(URL)
    with sessions() as session:
        (record,) = list_records(session)
    expression = entry_expression(URL, "page")
    assert record.expression_hash == hashlib.sha256(expression.encode()).digest()
    assert record.host_hash == hashlib.sha256(b"www.example.com/").digest()
    assert record.entry_id == int(public_id, 16)
    assert record.flags == 0
    assert record.category > 0


def test_suspended_entries_are_not_listed(
    listed_entry: Callable[..., str],
    sessions: sessionmaker[Session],
    client: TestClient,
    auth: Callable[[str], dict[str, str]],
) -> None:
    public_id = listed_entry(URL)
    response = client.post(
        f"/v1/entries/{public_id}/transitions",
        json={"to": "suspended", "reason": "Checking whether the page changed."},
        headers=auth("supervisor"),
    )
    assert response.status_code == 201, response.text
    with sessions() as session:
        assert list_records(session) == []


def test_publish_makes_a_version_and_then_only_refreshes(
    listed_entry: Callable[..., str], sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    listed_entry(URL)
    first = publish(sessions, publisher, public_url=PUBLIC_URL)
    assert first.published
    assert (first.version, first.count, first.added) == (1, 1, 1)
    again = publish(sessions, publisher, public_url=PUBLIC_URL)
    assert not again.published
    assert again.version == 1
    listed_entry("http://www.example.com/other.html")
    second = publish(sessions, publisher, public_url=PUBLIC_URL)
    assert (second.version, second.count, second.added, second.removed) == (2, 2, 1, 0)


# -- Keys: made only when there are none at all; root kept offline -----------------------------


def root_offline(settings: Settings) -> Path:
    """Move root.pem off the data directory, as docs/keys.md says; returns where it went."""
    keys = repository_paths(settings).keys
    offline = keys.parent / "offline-root.pem"
    (keys / "root.pem").rename(offline)
    return offline


def test_keys_are_made_on_first_use_only(settings: Settings) -> None:
    paths = repository_paths(settings)
    ensure_keys(paths)
    made = {p.name: p.read_bytes() for p in paths.keys.glob("*.pem")}
    assert set(made) == {"root.pem", "targets.pem", "snapshot.pem", "timestamp.pem"}
    (paths.keys / "root.pem").unlink()
    ensure_keys(paths)
    assert {p.name: p.read_bytes() for p in paths.keys.glob("*.pem")} == {
        name: data for name, data in made.items() if name != "root.pem"
    }


def test_a_repository_without_its_keys_makes_no_new_keys(
    settings: Settings, sessions: sessionmaker[Session], publisher: Publisher
) -> None:
    publish(sessions, publisher, public_url=PUBLIC_URL)
    paths = repository_paths(settings)
    for key in paths.keys.glob("*.pem"):
        key.unlink()
    with pytest.raises(ConfigError, match="put the key files back"):
        ensure_keys(paths)
    assert not list(paths.keys.glob("*.pem"))


def test_publish_with_root_offline(
    listed_entry: Callable[..., str],
    settings: Settings,
    sessions: sessionmaker[Session],
    publisher: Publisher,
) -> None:
    listed_entry(URL)
    publish(sessions, publisher, public_url=PUBLIC_URL)
    root_offline(settings)
    repository = publisher.repository
    timestamp = repository.timestamp().signed.version
    snapshot = repository.snapshot().signed.version
    targets = repository.targets().signed.version
    listed_entry("http://www.example.com/other.html")
    again = make_publisher(settings, create_keys=True)
    result = publish(sessions, again, public_url=PUBLIC_URL)
    assert (result.published, result.version) == (True, 2)
    assert repository.timestamp().signed.version > timestamp
    assert repository.snapshot().signed.version == snapshot + 1
    assert repository.targets().signed.version == targets + 1
    assert repository.root().signed.version == 1
    unchanged = publish(sessions, again, public_url=PUBLIC_URL)
    assert not unchanged.published
    assert not (repository_paths(settings).keys / "root.pem").exists()


def test_the_publish_command_with_root_offline(
    listed_entry: Callable[..., str], settings: Settings, db_url: str
) -> None:
    assert settings.data_dir is not None
    args = [
        "publish",
        "--data-dir",
        str(settings.data_dir),
        "--database-url",
        db_url,
        "--public-url",
        PUBLIC_URL,
        "--json",
    ]
    listed_entry(URL)
    runner = CliRunner()
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    root_offline(settings)
    listed_entry("http://www.example.com/other.html")
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["version"] == 2
    assert not (repository_paths(settings).keys / "root.pem").exists()


@pytest.mark.parametrize(
    ("public_url", "message"),
    [
        (None, "--public-url"),
        ("http://127.0.0.1:8000", "loopback"),
        ("http://localhost:8123/", "HOTLIST_UNSAFE_LOOPBACK_PUBLIC_URL=1"),
    ],
)
def test_a_public_url_nobody_else_can_open_is_not_published(
    listed_entry: Callable[..., str],
    sessions: sessionmaker[Session],
    publisher: Publisher,
    public_url: str | None,
    message: str,
) -> None:
    listed_entry(URL)
    with pytest.raises(ConfigError, match=message):
        publish(sessions, publisher, public_url=public_url)
    assert publisher.index() is None  # nothing was published
