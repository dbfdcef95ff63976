"""The member's list store on disk: configuration, trusted metadata, current and previous list.

Layout of a store directory::

    config.json         EdgeConfig (server, key reference, list name, max age, fail mode)
    key                 the API key, mode 0600, when given on the command line
    trusted/            TUF client metadata (root.json and what ngclient caches)
    current.snapshot    the verified list in force (the wire format of hotlist.publish.format),
                        mapped read-only by the processes that read it: one copy per machine
    current.filter      the host filter's table for it (a cache, also mapped: each process checks
                        that it covers every host key of the list, else builds its own)
    previous.snapshot   the one before it
    state.json          version, count, digest, synced_at, last_error...
    extras/             the list version's extras (policy, host names for DNS, log head...)
    .lock               taken while a sync runs
    .install.PID/       a new version being written, before it is put in place

Every write goes to a temporary file, is fsync'ed, renamed over the target and the directory
fsync'ed, so a crash or a full disk leaves the previous file in force, never half a file. A new
version (list, extras, state) is written whole in ``.install.PID/`` first, then put in place by
renames that are undone if one fails (:meth:`Store.install`): a full disk never leaves the new
extras beside the old list, nor loses ``previous.snapshot``. ``current.snapshot`` exists at
every instant once the first sync succeeded.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from hotlist import _core
from hotlist.edge.config import EdgeConfig
from hotlist.edge.extras import extra_path
from hotlist.errors import ConfigError, StorageError, SyncError, VerificationError
from hotlist.publish.files import atomic_write, fsync_dir, map_file
from hotlist.publish.format import Snapshot, decode_snapshot, encode_snapshot, verify_checksum
from hotlist.publish.public_policy import PublicPolicy, decode_public_policy
from hotlist.publish.wire import POLICY_EXTRA

if TYPE_CHECKING:
    from hotlist.publish.format import Column

__all__ = ["FILTER_MAGIC", "Store", "StoreState", "atomic_write", "utc_now"]

FILTER_MAGIC = b"HLFILT1\n"
"""The first bytes of ``current.filter``; the host filter's table follows."""


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class StoreState(NamedTuple):
    """What ``state.json`` says about the list in force and the last sync attempts."""

    version: int | None = None
    count: int | None = None  # type: ignore[assignment]  # a field: tuple.count is never called on it
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
            known = {k: raw[k] for k in cls._fields if k in raw}
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
        self.filter_path = self.path / "current.filter"
        self.state_path = self.path / "state.json"
        self._cached: tuple[tuple[int, int, int], Snapshot] | None = None
        # The list last loaded with checksum=False and the mapped file its checksum is in,
        # until verify_checksum has checked it.
        self._unchecked: tuple[Snapshot, Column] | None = None

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

    def _load(self, path: Path, *, checksum: bool = True) -> Snapshot | None:
        try:
            data = map_file(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(f"cannot read {path}: {exc.strerror}") from exc
        snapshot = decode_snapshot(data, checksum=checksum)
        if not checksum:
            self._unchecked = (snapshot, data)
        return snapshot

    def load_current(self, *, checksum: bool = True) -> Snapshot | None:
        """The verified list in force, or None before the first sync.

        The decoded list is kept while the file stays the same (inode, size, mtime), so a
        long-running process does not decode and verify it again on every sync.

        ``checksum=False``: the file's structure is checked (header, counts, hash order, value
        ranges), not its checksum, which :meth:`verify_checksum` checks later. For a process
        whose start-up counts (the Squid helper): the file was verified whole, signatures and
        checksum, by ``hotlist edge sync`` before it was put in place, and the checksum only
        guards against its corruption on disk since; over 51 MB (1,000,000 entries) it costs
        about 50 ms. A list kept from an earlier call with ``checksum=True`` is verified already.
        """
        try:
            info = os.stat(self.current_path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(f"cannot read {self.current_path}: {exc.strerror}") from exc
        signature = (info.st_ino, info.st_size, info.st_mtime_ns)
        if self._cached is not None and self._cached[0] == signature:
            if checksum:
                self.verify_checksum(self._cached[1])
            return self._cached[1]
        snapshot = self._load(self.current_path, checksum=checksum)
        if snapshot is not None:
            self._cached = (signature, snapshot)
        return snapshot

    def verify_checksum(self, snapshot: Snapshot) -> bool:
        """Verify the checksum of the list file ``snapshot`` was decoded from by
        :meth:`load_current` with ``checksum=False`` (the last one so loaded), once.

        True when the checksum was checked now and matched; False when nothing was left to
        check (the list was loaded verified, or checked already). VerificationError, each time
        it is asked, when the file is corrupt: this store then forgets the list, so that the
        next load reads the file again (and refuses it, verified).
        """
        pending = self._unchecked
        if pending is None or pending[0] is not snapshot:
            return False
        try:
            verify_checksum(pending[1])
        except VerificationError:
            if self._cached is not None and self._cached[1] is snapshot:
                self._cached = None
            raise
        self._unchecked = None
        return True

    def host_filter(self) -> memoryview | None:
        """The host filter's table kept for the list in force, mapped read-only (shared by
        every process that maps it), or None when there is none to read. It is only a cache:
        the matcher takes it when it covers every host key of the list it loaded, and builds
        its own when not (a store from before it was kept, or a load between two renames)."""
        try:
            data = map_file(self.filter_path)
        except OSError:
            return None
        if data[: len(FILTER_MAGIC)] != FILTER_MAGIC:
            return None
        return data[len(FILTER_MAGIC) :]

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

    def install(
        self, snapshot: Snapshot, state: StoreState, extras: Mapping[str, bytes] | None = None
    ) -> None:
        """Make ``snapshot``, its ``extras`` and ``state`` the version in force, keeping the
        current list as previous: all of it, or none of it.

        Every byte of the new version is first written and fsync'ed in a staging directory in
        the store, so a full disk or a failed write leaves the store as it was. Then renames
        alone put it in place: the extras (those the version no longer has go), the previous
        list (a hard link of the current one), the list, the state. Should one of them fail,
        those done are undone. ``current.snapshot`` is replaced by one rename, so it exists at
        every instant, and the state never names a list that is not there. ``extras`` None
        leaves the extras in force as they are.
        """
        import shutil  # not at start-up: only installs need it (a Squid helper never does)

        stage = self.path / f".install.{os.getpid()}"
        shutil.rmtree(stage, ignore_errors=True)
        try:
            moves = self._stage(stage, snapshot, state, extras)
            self._put_in_place(stage, moves, snapshot.version)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        info = os.stat(self.current_path)
        self._cached = ((info.st_ino, info.st_size, info.st_mtime_ns), snapshot)

    def _stage(
        self, stage: Path, snapshot: Snapshot, state: StoreState, extras: Mapping[str, bytes] | None
    ) -> list[tuple[Path | None, Path]]:
        """Write the new version under ``stage``; the (staged file or None to remove, target)
        pairs that put it in place, in order."""
        try:
            (stage / "new").mkdir(mode=0o700, parents=True)
        except OSError as exc:
            raise StorageError(f"cannot write in {self.path}: {exc.strerror}") from exc
        moves: list[tuple[Path | None, Path]] = []
        if extras is not None:
            for name, data in sorted(extras.items()):
                staged = stage / "new" / "extras" / name
                _mkdir(staged.parent)
                atomic_write(staged, data)
                moves.append((staged, extra_path(self.path, name)))
            folder = self.path / "extras"
            if folder.is_dir():
                for path in sorted(folder.rglob("*")):
                    if path.is_file() and path.relative_to(folder).as_posix() not in extras:
                        moves.append((None, path))
        if self.current_path.exists():
            kept = stage / "new" / self.previous_path.name
            try:
                os.link(self.current_path, kept)
            except OSError as exc:
                raise StorageError(
                    f"could not keep the previous list in {self.path}: {exc.strerror}"
                ) from exc
            moves.append((kept, self.previous_path))
        # The filter first: a process that reloads when the list changes finds its table.
        staged = stage / "new" / self.filter_path.name
        atomic_write(staged, FILTER_MAGIC + _core.host_filter_table(snapshot.host_keys))
        moves.append((staged, self.filter_path))
        staged = stage / "new" / self.current_path.name
        atomic_write(staged, encode_snapshot(snapshot))
        moves.append((staged, self.current_path))
        staged = stage / "new" / self.state_path.name
        atomic_write(staged, _state_bytes(state))
        moves.append((staged, self.state_path))
        return moves

    def _put_in_place(
        self, stage: Path, moves: list[tuple[Path | None, Path]], version: int
    ) -> None:
        """Carry out ``moves``, each target's old file kept under ``stage`` until all are done;
        on a failure, put every old file back."""
        undo: list[Callable[[], None]] = []
        folders: set[Path] = set()
        try:
            for staged, target in moves:
                undo.append(_move(staged, target, stage / "old" / target.relative_to(self.path)))
                folders.add(target.parent)
            for folder in sorted(folders):
                fsync_dir(folder)
        except OSError as exc:
            for step in reversed(undo):
                with contextlib.suppress(OSError):
                    step()
            reason = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror
            raise StorageError(
                f"could not install list version {version} in {self.path}: {reason}; the "
                "previous version stays in force"
            ) from exc

    def write_state(self, state: StoreState) -> None:
        """Replace ``state.json`` atomically."""
        atomic_write(self.state_path, _state_bytes(state))

    def record_error(self, message: str) -> None:
        """Note a failed sync in the state; the list in force is untouched."""
        now = utc_now().isoformat()
        state = self.state()._replace(last_attempt_at=now, last_error=message, last_error_at=now)
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


def _state_bytes(state: StoreState) -> bytes:
    return (json.dumps(state._asdict(), indent=2, sort_keys=True) + "\n").encode()


def _mkdir(folder: Path) -> None:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create {folder}: {exc.strerror}") from exc


def _move(staged: Path | None, target: Path, keep: Path) -> Callable[[], None]:
    """Put ``staged`` at ``target`` (or remove ``target`` when None), the old ``target`` kept
    at ``keep``; returns how to undo it."""
    had = target.exists()
    if had:
        keep.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.link(target, keep)
    if staged is None:
        target.unlink()
    else:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.replace(staged, target)

    def undo() -> None:
        if had:
            os.replace(keep, target)
        else:
            target.unlink(missing_ok=True)

    return undo
