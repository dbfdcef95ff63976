"""Publishers, a seam: :class:`ListPublisher` is what the server's publish
(:func:`hotlist.server.publishing.service.publish`) asks of whatever signs and keeps its list
versions.

The real one is the TUF repository's :class:`~hotlist.publish.publisher.Publisher` (made by
:func:`~hotlist.server.publishing.service.make_publisher`); :class:`InMemoryPublisher` keeps
the versions in memory, unsigned, and decides what is a new version by the same snapshot
digests (tests).
Both keep the log's signing key in ``keys_dir``, beside the list's keys.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from hotlist.publish.format import Snapshot, diff
from hotlist.publish.publisher import PublishResult
from hotlist.publish.records import ListRecord


class ListPublisher(Protocol):
    """Publishes records (and extras) as the next list version, or refreshes the last one."""

    @property
    def keys_dir(self) -> Path:
        """Where the signing keys live (the log's key too)."""
        ...

    def publish(
        self, records: Iterable[ListRecord], extras: Mapping[str, bytes] | None = None
    ) -> PublishResult:
        """The next version, or ``published=False`` when neither records nor extras changed."""
        ...


@dataclass(frozen=True)
class PublishedVersion:
    """A version :class:`InMemoryPublisher` holds: its snapshot and extras."""

    snapshot: Snapshot
    extras: Mapping[str, bytes]


class InMemoryPublisher:
    """Versions kept in this process, unsigned; nothing is written but the log key."""

    def __init__(self, keys_dir: Path, list_name: str = "main") -> None:
        self._keys_dir = keys_dir
        self.list_name = list_name
        self.versions: list[PublishedVersion] = []
        self.refreshes = 0

    @property
    def keys_dir(self) -> Path:
        """Where the log's key is kept."""
        return self._keys_dir

    def publish(
        self, records: Iterable[ListRecord], extras: Mapping[str, bytes] | None = None
    ) -> PublishResult:
        """The next version in memory, or a refresh when nothing changed."""
        started = time.perf_counter()
        kept = dict(extras or {})
        previous = self.versions[-1] if self.versions else None
        version = 1 if previous is None else previous.snapshot.version + 1
        snapshot = Snapshot.from_records(self.list_name, version, records)
        if previous is None:
            added, removed, changed = snapshot.count, 0, 0
        elif previous.snapshot.digest == snapshot.digest and previous.extras == kept:
            self.refreshes += 1
            old = previous.snapshot
            return PublishResult(
                False, old.version, old.count, 0, 0, 0, 0, 0, time.perf_counter() - started
            )
        else:
            delta = diff(previous.snapshot, snapshot)
            added, removed, changed = len(delta.added), len(delta.removed), len(delta.changed)
        self.versions.append(PublishedVersion(snapshot, kept))
        return PublishResult(
            True,
            version,
            snapshot.count,
            added,
            removed,
            changed,
            0,
            0,
            time.perf_counter() - started,
        )
