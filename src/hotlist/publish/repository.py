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
from hotlist.publish.files import Replacement, atomic_write, replace_together
from hotlist.publish.keys import KeyRing, Role, new_key

Clock = Callable[[], datetime]
#: Versions of targets and snapshot metadata kept on disk for members in the middle of a sync.
KEEP_METADATA = 10
#: The keys that sign a publish or a timestamp refresh: every role but root.
ONLINE_ROLES: tuple[Role, ...] = ("targets", "snapshot", "timestamp")
#: The other keys a rotation of each role signs with: the rotated role's metadata is re-signed
#: with its new key at once, and what names that metadata with these.
RESIGNED_BY_ROTATION: dict[Role, tuple[Role, ...]] = {
    "root": (),
    "targets": ("snapshot", "timestamp"),
    "snapshot": ("timestamp",),
    "timestamp": (),
}
Signers = Mapping[Role, Signer]


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

    def _untrusted(self, root: Root, role: Role, signer: Signer) -> str | None:
        """Why ``signer`` cannot sign for ``role`` under ``root``, or None when it can."""
        keyid = signer.public_key.keyid
        if keyid in root.roles[role].keyids:
            return None
        return (
            f"{self.keys.key_path(role)} (key {keyid[:16]}) is not the {role} key root.json "
            f"trusts (root version {root.version}): put back the key it trusts (a replaced one "
            f"is in {self.keys.path / 'retired'}), or rotate the {role} key with root online "
            "(docs/keys.md)"
        )

    def _online_signers(self) -> dict[Role, Signer]:
        """The publishing keys, each checked against root.json before anything is written.

        A key root does not trust would sign metadata that every member refuses: the list
        would stop for all of them. Refusing to publish keeps the last good version in force
        and says why (the server's /healthz and log).
        """
        root = self.root().signed
        signers: dict[Role, Signer] = {}
        for role in ONLINE_ROLES:
            signer = self.keys.signer(role)
            problem = self._untrusted(root, role, signer)
            if problem is not None:
                raise PublishError(f"cannot sign the {role} metadata: {problem}; nothing changed")
            signers[role] = signer
        return signers

    def _signed(self, md: Metadata[Any], signers: list[Signer]) -> bytes:
        md.signatures.clear()
        for signer in signers:
            md.sign(signer, append=True)
        data: bytes = md.to_bytes(self._serializer)
        return data

    def _write(self, name: str, md: Metadata[Any], signers: list[Signer]) -> None:
        atomic_write(self.metadata_dir / name, self._signed(md, signers))

    def create_keys_if_none(self) -> bool:
        """Make every key when there are none at all and no repository; whether it did.

        The embedded default's first start. Any key file (root.pem kept offline is the normal
        state, docs/keys.md) or any metadata means the keys were made once: nothing is created
        then, and a repository whose keys are all gone is an error, never a new set of keys.
        """
        if self.keys.holds_keys():
            return False
        if self.metadata_dir.is_dir() and any(self.metadata_dir.glob("*.json")):
            raise ConfigError(
                f"{self.path} is signed by keys that are not in {self.keys.path}: put the key "
                "files back (no new keys were made: members would refuse them)"
            )
        KeyRing.init(self.keys.path)
        return True

    def create(self) -> None:
        """Write root, targets, snapshot and timestamp version 1 (an empty repository).

        The only publish that needs the root key: it signs root version 1.
        """
        if self.exists():
            raise PublishError(f"{self.path} already holds a repository")
        if not self.keys.key_path("root").exists() and self.keys.holds_keys():
            raise ConfigError(
                f"creating the repository needs the root key: put root.pem back in {self.keys.path}"
            )
        root_signer = self.keys.signer("root")
        root = Root(expires=self._expiry(self.settings.root_expiry), consistent_snapshot=True)
        root.add_key(root_signer.public_key, "root")
        for role in ONLINE_ROLES:
            root.add_key(self.keys.public_key(role), role)
        try:
            self.metadata_dir.mkdir(parents=True, exist_ok=True)
            self.targets_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create {self.path}: {exc.strerror}") from exc
        root_md = Metadata(root)
        self._write("1.root.json", root_md, [root_signer])
        self._write("root.json", root_md, [root_signer])
        signers = self._online_signers()
        targets = Metadata(Targets(expires=self._expiry(self.settings.metadata_expiry)))
        self._write("1.targets.json", targets, [signers["targets"]])
        self._commit(1, None, signers)

    def _next_snapshot(
        self, targets_version: int, snapshot_version: int | None
    ) -> Metadata[TufSnapshot]:
        version = 1 if snapshot_version is None else snapshot_version + 1
        return Metadata(
            TufSnapshot(
                version=version,
                expires=self._expiry(self.settings.metadata_expiry),
                meta={"targets.json": MetaFile(version=targets_version)},
            )
        )

    def _next_timestamp(self, snapshot_version: int) -> Metadata[Timestamp]:
        old_version = 0
        with contextlib.suppress(ConfigError):
            old_version = self.timestamp().signed.version
        return Metadata(
            Timestamp(
                version=old_version + 1,
                expires=self._expiry(self.settings.timestamp_expiry),
                snapshot_meta=MetaFile(version=snapshot_version),
            )
        )

    def _commit(self, targets_version: int, snapshot_version: int | None, signers: Signers) -> None:
        """Write a new snapshot naming ``targets_version``, then the timestamp naming it."""
        snapshot = self._next_snapshot(targets_version, snapshot_version)
        version = snapshot.signed.version
        self._write(f"{version}.snapshot.json", snapshot, [signers["snapshot"]])
        self._write("timestamp.json", self._next_timestamp(version), [signers["timestamp"]])

    def update_targets(self, add: Mapping[str, bytes], remove: frozenset[str]) -> Targets:
        """Publish new target files and drop others: new targets, snapshot and timestamp.

        ``remove`` is applied first, so a name in both (``list.json``) is replaced. Files are
        written before any metadata names them; targets listed by the previous
        targets version stay on disk (a member may be fetching them), older unlisted ones go.
        """
        signers = self._online_signers()
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
        self._write(f"{targets_md.signed.version}.targets.json", targets_md, [signers["targets"]])
        self._commit(targets_md.signed.version, self.snapshot().signed.version, signers)
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
        signers = self._online_signers()
        horizon = self._clock() + 2 * self.settings.timestamp_expiry
        snapshot = self.snapshot()
        targets = self.targets()
        if targets.signed.expires <= horizon:
            targets.signed.version += 1
            targets.signed.expires = self._expiry(self.settings.metadata_expiry)
            self._write(f"{targets.signed.version}.targets.json", targets, [signers["targets"]])
            self._commit(targets.signed.version, snapshot.signed.version, signers)
        elif snapshot.signed.expires <= horizon:
            self._commit(targets.signed.version, snapshot.signed.version, signers)
        else:
            timestamp = self.timestamp()
            timestamp.signed.version += 1
            timestamp.signed.expires = self._expiry(self.settings.timestamp_expiry)
            self._write("timestamp.json", timestamp, [signers["timestamp"]])
        return self.timestamp().signed.version

    def rotate(self, role: Role) -> int:
        """Replace ``role``'s key and publish a root that trusts the new one; the new root's
        version.

        Every key the rotation signs with is loaded and checked against root.json first: the
        root key (it signs the new root; offline, the rotation is refused), and the keys that
        re-sign the rotated role's metadata at once. For a root rotation the new root is signed
        by the old and the new root key, so members holding the old root accept it. The new
        key file, the old one in ``retired/``, the new root and the re-signed metadata are then
        put in place together (:func:`replace_together`): a failure leaves every file as it was.

        An online role's current key is not needed: a lost or untrusted key file is replaced
        all the same, and every key root lists for the role is revoked.
        """
        root_md = self.root()
        root = root_md.signed
        root_signer = self._root_signer(root, role)
        old: Signer | None = None
        if role == "root":
            old = root_signer
        elif self.keys.key_path(role).exists():
            old = self.keys.signer(role)  # an unreadable or unsafe key file stops here
        old_pem = None if old is None else self.keys.key_path(role).read_bytes()
        signers: dict[Role, Signer] = {}
        for other in RESIGNED_BY_ROTATION[role]:
            signer = self.keys.signer(other)
            problem = self._untrusted(root, other, signer)
            if problem is not None:
                raise ConfigError(f"rotating the {role} key re-signs {other} metadata: {problem}")
            signers[other] = signer
        new_pem, new = new_key()
        signers[role] = new

        for keyid in list(root.roles[role].keyids):
            root.revoke_key(keyid, role)
        root.add_key(new.public_key, role)
        root.version += 1
        root.expires = self._expiry(self.settings.root_expiry)
        root_bytes = self._signed(root_md, [new, root_signer] if role == "root" else [root_signer])

        changes: list[Replacement] = []
        if old is not None and old_pem is not None:  # a lost online key leaves nothing to retire
            changes.append(
                Replacement(self.keys.retired_path(role, old.public_key.keyid), old_pem, 0o600)
            )
        changes += [
            Replacement(self.keys.key_path(role), new_pem, 0o600),
            Replacement(self.metadata_dir / f"{root.version}.root.json", root_bytes),
            Replacement(self.metadata_dir / "root.json", root_bytes),
            *self._resigned(role, signers),
        ]
        retired = self.keys.path / "retired"
        made_retired = old is not None and not retired.exists()
        try:
            if made_retired:
                retired.mkdir(mode=0o700)
            replace_together(changes)
        except (OSError, StorageError) as exc:
            if made_retired:
                with contextlib.suppress(OSError):
                    retired.rmdir()
            reason = exc.message if isinstance(exc, StorageError) else str(exc)
            raise PublishError(f"rotating the {role} key failed: {reason}") from exc
        return root.version

    def _root_signer(self, root: Root, role: Role) -> Signer:
        """The root key for a rotation of ``role``, checked against root.json."""
        if not self.keys.key_path("root").exists():
            raise ConfigError(
                f"rotating the {role} key needs the root key: put root.pem back in {self.keys.path}"
            )
        signer = self.keys.signer("root")
        problem = self._untrusted(root, "root", signer)
        if problem is not None:
            raise ConfigError(problem)
        return signer

    def _resigned(self, role: Role, signers: Signers) -> list[Replacement]:
        """The rotated role's metadata re-signed with its new key (and what names it)."""
        if role == "root":
            return []
        changes: list[Replacement] = []
        targets_version = self.targets().signed.version
        snapshot_version = self.snapshot().signed.version
        if role == "targets":
            targets = self.targets()
            targets.signed.version += 1
            targets.signed.expires = self._expiry(self.settings.metadata_expiry)
            targets_version = targets.signed.version
            data = self._signed(targets, [signers["targets"]])
            changes.append(Replacement(self.metadata_dir / f"{targets_version}.targets.json", data))
        if role in ("targets", "snapshot"):
            snapshot = self._next_snapshot(targets_version, snapshot_version)
            snapshot_version = snapshot.signed.version
            data = self._signed(snapshot, [signers["snapshot"]])
            changes.append(
                Replacement(self.metadata_dir / f"{snapshot_version}.snapshot.json", data)
            )
        timestamp = self._next_timestamp(snapshot_version)
        data = self._signed(timestamp, [signers["timestamp"]])
        changes.append(Replacement(self.metadata_dir / "timestamp.json", data))
        return changes


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data`` (what list.json records for a snapshot file)."""
    return hashlib.sha256(data).hexdigest()
