"""Build list version N from the active entries and publish it in the TUF repository.

``list.json`` (a signed target, :class:`hotlist.publish.wire.Manifest`) is the index a member
reads first: the version, its content digest, the snapshot, the deltas still offered and the
extras. Extras are small signed documents that travel with a version (the policy's public part,
the host-scope names for DNS, the transparency log's signed tree head); a change in an extra
makes a new version even when the records did not change.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from hotlist.errors import PublishError, VerificationError
from hotlist.publish.format import (
    Snapshot,
    check_list_name,
    decode_snapshot,
    diff,
    encode_delta,
    encode_snapshot,
)
from hotlist.publish.keys import KeyRing
from hotlist.publish.records import ListRecord
from hotlist.publish.repository import Clock, PublishSettings, Repository, sha256_hex
from hotlist.publish.wire import (
    MANIFEST,
    DeltaRef,
    FileRef,
    Manifest,
    delta_target,
    extra_target,
    snapshot_target,
)


@dataclass(frozen=True)
class PublishResult:
    """What a publish did. ``published`` is False when nothing changed (timestamp refreshed)."""

    published: bool
    version: int
    count: int
    added: int
    removed: int
    changed: int
    snapshot_bytes: int
    delta_bytes: int
    seconds: float


class Publisher:
    """Publishes one list into one repository; keep one per process to reuse the last version."""

    def __init__(
        self,
        repo_dir: Path | str,
        keys_dir: Path | str,
        list_name: str = "main",
        settings: PublishSettings | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        check_list_name(list_name)
        self.list_name = list_name
        kwargs: dict[str, Any] = {} if clock is None else {"clock": clock}
        self.repository = Repository(repo_dir, KeyRing(keys_dir), settings, **kwargs)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._last: Snapshot | None = None

    @property
    def keys_dir(self) -> Path:
        """The directory of the signing keys (the server keeps its log key there too)."""
        return self.repository.keys.path

    def manifest(self) -> Manifest | None:
        """The published ``list.json``, or None before the first version."""
        if not self.repository.exists():
            return None
        data = self.repository.read_target(MANIFEST)
        if data is None:
            return None
        try:
            return Manifest.decode(data)
        except VerificationError as exc:
            raise PublishError(f"the published {MANIFEST} is corrupt: {exc}") from exc

    def index(self) -> dict[str, Any] | None:
        """The published ``list.json`` as a JSON document (to show it), or None before the
        first version; :meth:`manifest` is the typed form."""
        manifest = self.manifest()
        return None if manifest is None else manifest.to_json()

    def current(self) -> Snapshot | None:
        """The newest published snapshot (cached from the last publish when it is the same)."""
        manifest = self.manifest()
        if manifest is None:
            return None
        version = manifest.version
        if self._last is not None and self._last.version == version:
            return self._last
        data = self.repository.read_target(snapshot_target(version))
        if data is None:
            raise PublishError(f"list.json names version {version} but its snapshot is missing")
        try:
            snapshot = decode_snapshot(data)
        except VerificationError as exc:
            raise PublishError(f"published snapshot {version} is corrupt: {exc}") from exc
        self._last = snapshot
        return snapshot

    def publish(
        self, records: Iterable[ListRecord], extras: Mapping[str, bytes] | None = None
    ) -> PublishResult:
        """Publish the records (and ``extras``) as the next version, or refresh the timestamp
        when neither changed."""
        started = time.perf_counter()
        repo = self.repository
        extra_files = {extra_target(name): data for name, data in (extras or {}).items()}
        extra_index = {
            name: FileRef(extra_target(name), len(data), sha256_hex(data))
            for name, data in sorted((extras or {}).items())
        }
        with repo.lock():
            if not repo.exists():
                repo.create()
            previous = self.current()
            version = 1 if previous is None else previous.version + 1
            snapshot = Snapshot.from_records(self.list_name, version, records)
            delta = None
            if previous is not None:
                if previous.list_name != self.list_name:
                    raise PublishError(
                        f"{repo.path} publishes list {previous.list_name!r}, not {self.list_name!r}"
                    )
                old = self.manifest()
                same_extras = old is not None and dict(old.extras) == extra_index
                # Equal content digests mean equal columns: the common case on a schedule, and
                # far cheaper to establish than a diff.
                if snapshot.digest == previous.digest and same_extras:
                    repo.refresh_timestamp()
                    return PublishResult(
                        False, previous.version, previous.count, 0, 0, 0, 0, 0,
                        time.perf_counter() - started,
                    )  # fmt: skip
                delta = diff(previous, snapshot)
            snapshot_data = encode_snapshot(snapshot)
            files = {snapshot_target(version): snapshot_data}
            if delta is not None and previous is not None:
                files[delta_target(previous.version, version)] = encode_delta(delta, previous)
            old_manifest = self.manifest()
            files.update(extra_files)
            # Extras keep their names from version to version: the old ones are replaced.
            dropped_extras = (
                set() if old_manifest is None else {r.path for r in old_manifest.extras.values()}
            )
            deltas = [
                *(() if old_manifest is None else old_manifest.deltas),
                *(
                    DeltaRef(previous.version, version, name, len(data))
                    for name, data in files.items()
                    if previous is not None and name.startswith("deltas/")
                ),
            ]
            keep = deltas[-repo.settings.keep_deltas :]
            dropped = {d.path for d in deltas[: -repo.settings.keep_deltas]}
            if previous is not None:
                dropped.add(snapshot_target(previous.version - 1))
            manifest = Manifest(
                list_name=self.list_name,
                version=version,
                count=snapshot.count,
                digest=snapshot.digest.hex(),
                snapshot=FileRef(
                    snapshot_target(version), len(snapshot_data), sha256_hex(snapshot_data)
                ),
                deltas=tuple(keep),
                extras=MappingProxyType(extra_index),
                published_at=self._clock().replace(microsecond=0).isoformat(),
            )
            files[MANIFEST] = manifest.encode()
            repo.update_targets(files, remove=frozenset(dropped | dropped_extras | {MANIFEST}))
            self._last = snapshot
        added = 0 if delta is None else len(delta.added)
        return PublishResult(
            True,
            version,
            snapshot.count,
            snapshot.count if delta is None else added,
            0 if delta is None else len(delta.removed),
            0 if delta is None else len(delta.changed),
            len(snapshot_data),
            sum(len(d) for n, d in files.items() if n.startswith("deltas/")),
            time.perf_counter() - started,
        )

    def refresh(self) -> int:
        """Re-sign the timestamp (the server's schedule calls this); returns its version."""
        with self.repository.lock():
            if not self.repository.exists():
                raise PublishError(
                    f"{self.repository.path} holds no list yet: publish a first version"
                )
            return self.repository.refresh_timestamp()
