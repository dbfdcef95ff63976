"""Factories for list records and snapshots."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hotlist.publish.format import Snapshot
from hotlist.publish.synthetic import synthetic_records

SnapshotFactory = Callable[..., Snapshot]


@pytest.fixture
def make_snapshot() -> SnapshotFactory:
    """Build a snapshot of expressions ``start .. start+count-1`` at ``version``."""

    def make(count: int = 40, *, version: int = 1, start: int = 0, name: str = "test") -> Snapshot:
        return Snapshot.from_records(name, version, synthetic_records(count, start=start))

    return make
