"""The list's TUF repository on disk, written with python-tuf's Metadata API.

Layout (static files, servable by any web server, CDN or object store)::

    metadata/1.root.json .. N.root.json, root.json      every root version, and the newest
    metadata/<v>.targets.json, <v>.snapshot.json        consistent snapshots
    metadata/timestamp.json                             the only file ever replaced
    targets/<sha256>.list.json                          the index (signed as a target)
    targets/snapshots/<sha256>.<N>.snapshot             snapshot N
    targets/deltas/<sha256>.<N-1>-<N>.delta             delta N-1 -> N

Target files carry their hash in their name and metadata its version, so nothing a member may
be reading is ever rewritten; ``timestamp.json`` is replaced last, by one rename: it is the
commit point of a publish. A lock file serialises writers (publish, refresh, rotate).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# The packages re-export these names without marking them public; mypy --strict wants the mark.
from securesystemslib.signer import Signer  # type: ignore[attr-defined]
from tuf.api.exceptions import RepositoryError
from tuf.api.metadata import (  # type: ignore[attr-defined]
    Metadata,
    MetaFile,
    Root,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.metadata import Snapshot as TufSnapshot  # type: ignore[attr-defined]
from tuf.api.serialization import DeserializationError
from tuf.api.serialization.json import JSONSerializer

from hotlist.errors import ConfigError, PublishError, StorageError
from hotlist.publish.files import atomic_write
from hotlist.publish.keys import ROLES, KeyRing, Role

Clock = Callable[[], datetime]
#: Versions of targets and snapshot metadata kept on disk for members in the middle of a sync.
KEEP_METADATA = 10


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PublishSettings:
    """How long signatures last and how much history the repository keeps.

    ``timestamp_expiry``: a member that cannot fetch a newer timestamp within this time stops
    trusting the list (freeze protection); the server re-signs it on schedule. ``keep_deltas``:
    deltas older than this many versions are pruned (a member further behind takes the
    snapshot). ``interval``: the server's publish schedule.
    """

    timestamp_expiry: timedelta = timedelta(hours=24)
    metadata_expiry: timedelta = timedelta(days=30)
    root_expiry: timedelta = timedelta(days=365)
    keep_deltas: int = 100
    interval: timedelta = timedelta(minutes=5)

    def __post_init__(self) -> None:
        for name in ("timestamp_expiry", "metadata_expiry", "root_expiry", "interval"):
            if getattr(self, name) <= timedelta(0):
                raise ConfigError(f"publish setting {name} must be a positive duration")
        if self.keep_deltas < 1:
            raise ConfigError("publish setting keep_deltas must be at least 1")


class Repository:
    """A TUF repository directory and the keys that sign it."""

    def __init__(
        self,
        repo_dir: Path | str,
        keys: KeyRing,
        settings: PublishSettings | None = None,
        *,
        clock: Clock = _utc_now,
    ) -> None:
        self.path = Path(repo_dir)
        self.metadata_dir = self.path / "metadata"
        self.targets_dir = self.path / "targets"
        self.keys = keys
        self.settings = settings or PublishSettings()
        self._clock = clock
        self._serializer = JSONSerializer(compact=False)

    # -- reading ---------------------------------------------------------------------------

    def exists(self) -> bool:
        """True once :meth:`create` has run."""
        return (self.metadata_dir / "timestamp.json").exists()

    def _read(self, name: str, kind: type[Any]) -> Metadata[Any]:
        path = self.metadata_dir / name
        try:
            md = Metadata.from_bytes(path.read_bytes())
        except FileNotFoundError as exc:
            raise ConfigError(
                f"{self.path} is not a list repository (no {name}): publish once to create it"
            ) from exc
        except (OSError, DeserializationError) as exc:
            raise StorageError(f"cannot read {path}: {exc}") from exc
        if not isinstance(md.signed, kind):
            raise StorageError(f"{path} does not hold {kind.type} metadata")
        return md

    def root(self) -> Metadata[Root]:
        """The newest root."""
        return self._read("root.json", Root)

    def timestamp(self) -> Metadata[Timestamp]:
        """The current timestamp."""
        return self._read("timestamp.json", Timestamp)

    def snapshot(self) -> Metadata[TufSnapshot]:
        """The snapshot metadata the timestamp names."""
        version = self.timestamp().signed.snapshot_meta.version
        return self._read(f"{version}.snapshot.json", TufSnapshot)

    def targets(self) -> Metadata[Targets]:
        """The targets metadata the snapshot names."""
        version = self.snapshot().signed.meta["targets.json"].version
        return self._read(f"{version}.targets.json", Targets)

    def target_path(self, info: TargetFile) -> Path:
        """Where a target's bytes live: its name prefixed with its SHA-256."""
        directory, _, name = info.path.rpartition("/")
        return self.targets_dir / directory / f"{info.hashes['sha256']}.{name}"

    def read_target(self, name: str) -> bytes | None:
        """A listed target's bytes after checking length and hash, or None if not listed."""
        info = self.targets().signed.targets.get(name)
        if info is None:
            return None
        path = self.target_path(info)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise StorageError(f"cannot read {path}: {exc.strerror}") from exc
        try:
            info.verify_length_and_hashes(data)
        except Exception as exc:
            raise StorageError(f"{path} does not match its signed hash: restore it") from exc
        return data

    # -- writing ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Serialise writers of this repository (blocking)."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path / ".lock", os.O_WRONLY | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StorageError(f"cannot lock {self.path}: {exc.strerror}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _expiry(self, delta: timedelta) -> datetime:
        return (self._clock() + delta).replace(microsecond=0)

    def _signers(self, role: Role) -> list[Signer]:
        return [self.keys.signer(role)]

    def _write(self, name: str, md: Metadata[Any], signers: list[Signer]) -> None:
        md.signatures.clear()
        for signer in signers:
            md.sign(signer, append=True)
        atomic_write(self.metadata_dir / name, md.to_bytes(self._serializer))

    def create(self) -> None:
        """Write root, targets, snapshot and timestamp version 1 (an empty repository)."""
        if self.exists():
            raise PublishError(f"{self.path} already holds a repository")
        try:
            self.metadata_dir.mkdir(parents=True, exist_ok=True)
            self.targets_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create {self.path}: {exc.strerror}") from exc
        root = Root(expires=self._expiry(self.settings.root_expiry), consistent_snapshot=True)
        for role in ROLES:
            root.add_key(self.keys.public_key(role), role)
        root_md = Metadata(root)
        self._write("1.root.json", root_md, self._signers("root"))
        self._write("root.json", root_md, self._signers("root"))
        targets = Metadata(Targets(expires=self._expiry(self.settings.metadata_expiry)))
        self._write("1.targets.json", targets, self._signers("targets"))
        self._commit(targets_version=1, snapshot_version=None)

    def _commit(self, targets_version: int, snapshot_version: int | None) -> None:
        """Write a new snapshot naming ``targets_version``, then the timestamp naming it."""
        version = 1 if snapshot_version is None else snapshot_version + 1
        snapshot = TufSnapshot(
            version=version,
            expires=self._expiry(self.settings.metadata_expiry),
            meta={"targets.json": MetaFile(version=targets_version)},
        )
        self._write(f"{version}.snapshot.json", Metadata(snapshot), self._signers("snapshot"))
        old_version = 0
        with contextlib.suppress(ConfigError):
            old_version = self.timestamp().signed.version
        timestamp = Timestamp(
            version=old_version + 1,
            expires=self._expiry(self.settings.timestamp_expiry),
            snapshot_meta=MetaFile(version=version),
        )
        self._write("timestamp.json", Metadata(timestamp), self._signers("timestamp"))

    def update_targets(self, add: Mapping[str, bytes], remove: frozenset[str]) -> Targets:
        """Publish new target files and drop others: new targets, snapshot and timestamp.

        ``remove`` is applied first, so a name in both (``list.json``) is replaced. Files are
        written before any metadata names them; targets listed by the previous
        targets version stay on disk (a member may be fetching them), older unlisted ones go.
        """
        targets_md = self.targets()
        previous = dict(targets_md.signed.targets)
        for name in remove:
            targets_md.signed.targets.pop(name, None)
        for name, data in add.items():
            if name in targets_md.signed.targets:
                raise PublishError(f"{name} is already published: versions never change")
            info = TargetFile.from_data(name, data, ["sha256"])
            path = self.target_path(info)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot create {path.parent}: {exc.strerror}") from exc
            atomic_write(path, data)
            targets_md.signed.targets[name] = info
        targets_md.signed.version += 1
        targets_md.signed.expires = self._expiry(self.settings.metadata_expiry)
        self._write(
            f"{targets_md.signed.version}.targets.json", targets_md, self._signers("targets")
        )
        self._commit(targets_md.signed.version, self.snapshot().signed.version)
        self._delete_unlisted([*previous.values(), *targets_md.signed.targets.values()])
        self._prune_metadata()
        return targets_md.signed

    def _prune_metadata(self) -> None:
        """Delete targets and snapshot metadata more than KEEP_METADATA versions old.

        Only members in the middle of a sync started that many versions ago could still ask
        for them; roots are never deleted (members follow the chain of roots).
        """
        for role in ("targets", "snapshot"):
            versions = sorted(
                int(p.name.split(".", 1)[0])
                for p in self.metadata_dir.glob(f"*.{role}.json")
                if p.name.split(".", 1)[0].isdigit()
            )
            for version in versions[:-KEEP_METADATA]:
                with contextlib.suppress(OSError):
                    (self.metadata_dir / f"{version}.{role}.json").unlink()

    def _delete_unlisted(self, keep: list[TargetFile]) -> None:
        wanted = {self.target_path(info) for info in keep}
        for path in self.targets_dir.rglob("*"):
            if path.is_file() and path not in wanted and not path.name.startswith("."):
                with contextlib.suppress(OSError):
                    path.unlink()

    def refresh_timestamp(self) -> int:
        """Re-sign the timestamp with a new expiry, even when nothing changed.

        Targets and snapshot are re-signed too when they would expire within two timestamp
        periods, so a list that does not change for a month stays valid. Returns the new
        timestamp version.
        """
        horizon = self._clock() + 2 * self.settings.timestamp_expiry
        snapshot = self.snapshot()
        targets = self.targets()
        if targets.signed.expires <= horizon:
            targets.signed.version += 1
            targets.signed.expires = self._expiry(self.settings.metadata_expiry)
            self._write(f"{targets.signed.version}.targets.json", targets, self._signers("targets"))
            self._commit(targets.signed.version, snapshot.signed.version)
        elif snapshot.signed.expires <= horizon:
            self._commit(targets.signed.version, snapshot.signed.version)
        else:
            timestamp = self.timestamp()
            timestamp.signed.version += 1
            timestamp.signed.expires = self._expiry(self.settings.timestamp_expiry)
            self._write("timestamp.json", timestamp, self._signers("timestamp"))
        return self.timestamp().signed.version

    def rotate(self, role: Role) -> int:
        """Replace ``role``'s key and publish a root that trusts the new one.

        The new root is signed by the new root key and, for a root rotation, by the old one
        too, so members holding the old root accept it. Metadata of the rotated role is
        re-signed with the new key at once. Returns the new root version.
        """
        root_md = self.root()
        old, new = self.keys.rotate(role)
        root = root_md.signed
        root.revoke_key(old.public_key.keyid, role)
        root.add_key(new.public_key, role)
        root.version += 1
        root.expires = self._expiry(self.settings.root_expiry)
        signers: list[Signer] = [self.keys.signer("root")]
        if role == "root":
            signers.append(old)
        try:
            self._write(f"{root.version}.root.json", root_md, signers)
            self._write("root.json", root_md, signers)
            if role == "targets":
                targets = self.targets()
                targets.signed.version += 1
                self._write(
                    f"{targets.signed.version}.targets.json", targets, self._signers("targets")
                )
                self._commit(targets.signed.version, self.snapshot().signed.version)
            elif role == "snapshot":
                self._commit(self.targets().signed.version, self.snapshot().signed.version)
            elif role == "timestamp":
                self.refresh_timestamp()
        except (StorageError, RepositoryError) as exc:
            raise PublishError(
                f"rotating the {role} key failed half-way ({exc}); the old key is in "
                f"{self.keys.path / 'retired'}: restore it and retry"
            ) from exc
        return root.version


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data`` (what list.json records for a snapshot file)."""
    return hashlib.sha256(data).hexdigest()
