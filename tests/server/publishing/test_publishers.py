"""The publishers: a first version, a refresh when nothing changed, a new version for changed
records or extras, with the counts of what changed (the contract both inherit); the server's
publish hands any of them the entries in force and the extras."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from hotlist.publish.publisher import Publisher
from hotlist.publish.synthetic import synthetic_records
from hotlist.publish.wire import LOG_HEAD_EXTRA, LOG_KEY_EXTRA
from hotlist.server.kit.paths import RepositoryPaths
from hotlist.server.publishing.publishers import InMemoryPublisher, ListPublisher
from hotlist.server.publishing.service import ensure_keys, publish

PUBLIC_URL = "https://hotline.example"


class ListPublisherContract:
    """What every :class:`ListPublisher` does; an implementation's tests inherit this."""

    def make(self, tmp_path: Path) -> ListPublisher:
        raise NotImplementedError

    def test_a_first_version_then_a_refresh(self, tmp_path: Path) -> None:
        publisher = self.make(tmp_path)
        records = synthetic_records(20)
        first = publisher.publish(records, {"policy.json": b"{}"})
        assert (first.published, first.version, first.count, first.added) == (True, 1, 20, 20)
        again = publisher.publish(list(reversed(records)), {"policy.json": b"{}"})
        assert (again.published, again.version, again.count) == (False, 1, 20)

    def test_changed_records_make_a_version_counting_the_change(self, tmp_path: Path) -> None:
        publisher = self.make(tmp_path)
        publisher.publish(synthetic_records(20))
        grown = publisher.publish(synthetic_records(21))
        assert (grown.published, grown.version, grown.count) == (True, 2, 21)
        assert (grown.added, grown.removed) == (1, 0)
        shrunk = publisher.publish(synthetic_records(19, start=2))
        assert (shrunk.version, shrunk.count, shrunk.added, shrunk.removed) == (3, 19, 0, 2)

    def test_changed_extras_alone_make_a_version(self, tmp_path: Path) -> None:
        publisher = self.make(tmp_path)
        records = synthetic_records(5)
        publisher.publish(records, {"policy.json": b"one"})
        changed = publisher.publish(records, {"policy.json": b"two"})
        assert (changed.published, changed.version, changed.added, changed.removed) == (
            True,
            2,
            0,
            0,
        )

    def test_its_keys_dir_is_where_it_was_made(self, tmp_path: Path) -> None:
        assert self.make(tmp_path).keys_dir == tmp_path / "keys"


class TestRepositoryPublisher(ListPublisherContract):
    def make(self, tmp_path: Path) -> ListPublisher:
        paths = RepositoryPaths(repository=tmp_path / "repository", keys=tmp_path / "keys")
        ensure_keys(paths)
        return Publisher(paths.repository, paths.keys)


class TestInMemoryPublisher(ListPublisherContract):
    def make(self, tmp_path: Path) -> ListPublisher:
        return InMemoryPublisher(tmp_path / "keys")


def test_the_servers_publish_hands_entries_and_extras_to_any_publisher(
    listed_entry: Callable[..., str], sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    listed_entry("http://www.example.com/a.html")
    publisher = InMemoryPublisher(tmp_path / "keys")
    result = publish(sessions, publisher, public_url=PUBLIC_URL)
    assert (result.published, result.count) == (True, 1)
    (version,) = publisher.versions
    assert {LOG_HEAD_EXTRA, LOG_KEY_EXTRA, "hosts.json"} <= set(version.extras)
    assert (tmp_path / "keys" / "log.pem").exists()
    assert not publish(sessions, publisher, public_url=PUBLIC_URL).published
