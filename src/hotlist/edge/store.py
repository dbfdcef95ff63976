"""The member's list store on disk: configuration, trusted metadata, current and previous list.

Layout of a store directory::

    config.json         EdgeConfig (server, key reference, list name, max age, fail mode)
    key                 the API key, mode 0600, when given on the command line
    trusted/            TUF client metadata (root.json and what ngclient caches)
    current.snapshot    the verified list in force (the wire format of hotlist.publish.format)
    previous.snapshot   the one before it
    state.json          version, count, digest, synced_at, last_error...
    extras/             the list version's extras (policy, host names for DNS, log head...)
    .lock               taken while a sync runs

Every write goes to a temporary file, is fsync'ed, renamed over the target and the directory
fsync'ed, so a crash or a full disk leaves the previous file in force, never half a file.
``current.snapshot`` exists at every instant once the first sync succeeded.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from hotlist.edge.config import EdgeConfig
from hotlist.edge.extras import extra_path
from hotlist.errors import ConfigError, StorageError, SyncError
from hotlist.publish.files import atomic_write
from hotlist.publish.format import Snapshot, decode_snapshot, encode_snapshot
from hotlist.publish.public_policy import POLICY_EXTRA, PublicPolicy, decode_public_policy

__all__ = ["Store", "StoreState", "atomic_write", "utc_now"]


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class StoreState:
    """What ``state.json`` says about the list in force and the last sync attempts."""

    version: int | None = None
    count: int | None = None
    digest: str | None = None
    published_at: str | None = None
    synced_at: str | None = None
    last_attempt_at: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None

    @classmethod
    def from_json(cls, text: str, source: Path) -> StoreState:
        """Parse ``state.json``; unknown keys are ignored, a broken file is a StorageError."""
        try:
            raw = json.loads(text)
            if not isinstance(raw, dict):
                raise TypeError("not an object")
            known = {k: raw[k] for k in cls.__dataclass_fields__ if k in raw}
            return cls(**known)
        except (ValueError, TypeError) as exc:
            raise StorageError(f"{source} is corrupt: {exc}; run `hotlist edge sync`") from exc


class Store:
    """An edge store directory (see the module's docstring for its layout)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.config_path = self.path / "config.json"
        self.key_path = self.path / "key"
        self.trusted_dir = self.path / "trusted"
        self.current_path = self.path / "current.snapshot"
        self.previous_path = self.path / "previous.snapshot"
        self.state_path = self.path / "state.json"
        self._cached: tuple[tuple[int, int, int], Snapshot] | None = None

    @classmethod
    def create(
        cls, path: Path | str, config: EdgeConfig, root: bytes, api_key: str | None = None
    ) -> Store:
        """Make a new store trusting ``root`` (root.json's bytes); refuses an existing store."""
        store = cls(path)
        if store.config_path.exists():
            raise ConfigError(f"{store.path} already holds an edge store; use another --store")
        try:
            store.trusted_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create {store.path}: {exc.strerror}") from exc
        if api_key is not None:
            atomic_write(store.key_path, api_key.encode() + b"\n", mode=0o600)
        atomic_write(store.trusted_dir / "root.json", root)
        atomic_write(store.config_path, config.to_json().encode())
        return store

    def config(self) -> EdgeConfig:
        """The store's configuration; a missing store is a ConfigError saying how to make one."""
        try:
            text = self.config_path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise ConfigError(
                f"{self.path} is not an edge store: run `hotlist edge init --store {self.path}`"
            ) from exc
        except OSError as exc:
            raise StorageError(f"cannot read {self.config_path}: {exc.strerror}") from exc
        return EdgeConfig.from_json(text, self.config_path)

    def api_key(self) -> str:
        """The member's API key, resolved from the configuration's reference."""
        return self.config().api_key(self.path)

    def state(self) -> StoreState:
        """The store's state; a store that never synced has an empty state."""
        try:
            text = self.state_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return StoreState()
        except OSError as exc:
            raise StorageError(f"cannot read {self.state_path}: {exc.strerror}") from exc
        return StoreState.from_json(text, self.state_path)

    def _load(self, path: Path) -> Snapshot | None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(f"cannot read {path}: {exc.strerror}") from exc
        return decode_snapshot(data)

    def load_current(self) -> Snapshot | None:
        """The verified list in force, or None before the first sync.

        The decoded list is kept while the file stays the same (inode, size, mtime), so a
        long-running process does not decode and verify it again on every sync.
        """
        try:
            info = os.stat(self.current_path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(f"cannot read {self.current_path}: {exc.strerror}") from exc
        signature = (info.st_ino, info.st_size, info.st_mtime_ns)
        if self._cached is not None and self._cached[0] == signature:
            return self._cached[1]
        snapshot = self._load(self.current_path)
        if snapshot is not None:
            self._cached = (signature, snapshot)
        return snapshot

    def load_previous(self) -> Snapshot | None:
        """The list that was in force before the current one, if any."""
        return self._load(self.previous_path)

    def read_extra(self, name: str) -> bytes | None:
        """The extra ``name`` of the list in force (see :mod:`hotlist.edge.extras`), or None."""
        try:
            return extra_path(self.path, name).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(f"cannot read the extra {name} in {self.path}: {exc}") from exc

    def public_policy(self) -> PublicPolicy | None:
        """The public policy (category codes and names, legal basis...) that travels with the
        list in force, or None when it carries none; VerificationError when it is malformed."""
        data = self.read_extra(POLICY_EXTRA)
        return None if data is None else decode_public_policy(data)

    def _install_extras(self, extras: Mapping[str, bytes]) -> None:
        """Write the version's extras (each by one rename) and drop those it no longer has."""
        folder = self.path / "extras"
        for name, data in extras.items():
            target = extra_path(self.path, name)
            try:
                target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot create {target.parent}: {exc.strerror}") from exc
            atomic_write(target, data)
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_file() and path.relative_to(folder).as_posix() not in extras:
                    with contextlib.suppress(OSError):
                        path.unlink()

    def install(
        self, snapshot: Snapshot, state: StoreState, extras: Mapping[str, bytes] | None = None
    ) -> None:
        """Make ``snapshot`` (and its ``extras``) the list in force, keeping the current list
        as previous.

        ``current.snapshot`` is replaced by one rename, so it exists at every instant; the
        state is written after the list, so it never names a list that is not there. Extras
        are written before the list.
        """
        if extras is not None:
            self._install_extras(extras)
        data = encode_snapshot(snapshot)
        if self.current_path.exists():
            link = self.path / f".previous.{os.getpid()}.tmp"
            try:
                with contextlib.suppress(FileNotFoundError):
                    link.unlink()
                os.link(self.current_path, link)
                os.replace(link, self.previous_path)
            except OSError as exc:
                raise StorageError(
                    f"could not keep the previous list in {self.path}: {exc.strerror}"
                ) from exc
        atomic_write(self.current_path, data)
        info = os.stat(self.current_path)
        self._cached = ((info.st_ino, info.st_size, info.st_mtime_ns), snapshot)
        self.write_state(state)

    def write_state(self, state: StoreState) -> None:
        """Replace ``state.json`` atomically."""
        text = json.dumps(asdict(state), indent=2, sort_keys=True) + "\n"
        atomic_write(self.state_path, text.encode())

    def record_error(self, message: str) -> None:
        """Note a failed sync in the state; the list in force is untouched."""
        now = utc_now().isoformat()
        state = replace(self.state(), last_attempt_at=now, last_error=message, last_error_at=now)
        with contextlib.suppress(StorageError):
            # The disk may be the reason the sync failed; the error is raised to the caller anyway.
            self.write_state(state)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the store's lock: one sync at a time; another waiting one gets a SyncError."""
        try:
            fd = os.open(self.path / ".lock", os.O_WRONLY | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StorageError(f"cannot open the lock in {self.path}: {exc.strerror}") from exc
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise SyncError(f"another sync of {self.path} is running; try again later") from exc
            yield
        finally:
            os.close(fd)
