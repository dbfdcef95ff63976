"""Crash-safe file replacement, shared by the publisher's repository and the edge store, and
reading a file in place (mapped read-only)."""

from __future__ import annotations

import contextlib
import errno
import mmap
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from hotlist.errors import StorageError


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never a mix.

    Write a temporary file, fsync it, rename it over ``path``, fsync the directory. Any failure
    (a full disk, a read-only file system) removes the temporary file and raises StorageError;
    the previous file at ``path`` stays untouched.

    A ``path`` that is not a regular file (``/dev/stdout``, ``/dev/null``, a pipe) is written
    in place: renaming over it would replace the device or pipe with a file.
    """
    if _special(path):
        _write_in_place(path, data)
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        reason = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror
        raise StorageError(
            f"could not write {path}: {reason}; the previous version stays in force"
        ) from exc


def map_file(path: Path) -> memoryview:
    """The bytes of ``path``, mapped read-only rather than read into this process's memory.

    Every process that maps the same file shares the machine's one copy of it (the page
    cache). Sound because hotlist never writes such a file in place: a new version is a new
    file renamed over the old one, and a mapped file stays whole until the last view of it
    goes. An empty file gives an empty view. FileNotFoundError and other OSErrors propagate.
    """
    with open(path, "rb") as file:
        if os.fstat(file.fileno()).st_size == 0:
            return memoryview(b"")
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    return memoryview(mapped)


def _special(path: Path) -> bool:
    """Whether ``path`` exists and is something other than a regular file or a directory."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _write_in_place(path: Path, data: bytes) -> None:
    """Write ``data`` into the device or pipe at ``path``; StorageError when it cannot."""
    try:
        with path.open("wb") as out:
            out.write(data)
    except OSError as exc:
        raise StorageError(f"could not write {path}: {exc.strerror}") from exc


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Replacement(NamedTuple):
    """One file of a :func:`replace_together`: ``path`` gets ``data`` with ``mode``."""

    path: Path
    data: bytes
    mode: int = 0o644


def _reason(exc: OSError) -> str:
    return "the disk is full" if exc.errno == errno.ENOSPC else str(exc.strerror or exc)


def _write_synced(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_together(changes: Sequence[Replacement]) -> None:
    """Put every file of ``changes`` in place, in their order, or leave them all as they were.

    Every new content is first written to a temporary file beside its target and fsynced (the
    step that can run out of space); then each is renamed over its target, so a reader sees the
    old file or the new one, never none. The file each rename replaces is kept under a hard
    link until the last rename is done: any failure renames the old files back, removes the new
    ones and raises StorageError. Only a crash between two renames (power lost in those
    microseconds) can leave some renamed and others not.
    """
    tag = f"{os.getpid()}.{os.urandom(4).hex()}"
    staged: list[tuple[Path, Path]] = []  # (target, its new content's temporary file)
    kept: list[tuple[Path, Path | None]] = []  # (target renamed, its previous file or None)
    current = changes[0].path if changes else Path()
    try:
        for change in changes:
            current = change.path
            tmp = change.path.with_name(f".{change.path.name}.{tag}.tmp")
            staged.append((change.path, tmp))
            _write_synced(tmp, change.data, change.mode)
        for path, tmp in staged:
            current = path
            backup = _keep(path, path.with_name(f".{path.name}.{tag}.old"))
            kept.append((path, backup))
            os.replace(tmp, path)
        for directory in dict.fromkeys(path.parent for path, _ in staged):
            fsync_dir(directory)
    except OSError as exc:
        unrestored = _restore(kept, staged)
        message = f"could not write {current}: {_reason(exc)}; "
        if unrestored:
            raise StorageError(
                f"{message}restoring the previous files failed too, for {', '.join(unrestored)}"
                " (the previous content of each is beside it, named .NAME.*.old)"
            ) from exc
        raise StorageError(f"{message}nothing changed") from exc
    for _path, backup in kept:
        if backup is not None:
            with contextlib.suppress(OSError):
                backup.unlink()


def _keep(path: Path, backup: Path) -> Path | None:
    """Keep ``path``'s current file as ``backup`` (a hard link, else a copy); None if none."""
    if not path.exists():
        return None
    try:
        os.link(path, backup)
    except OSError:  # a file system without hard links
        _write_synced(backup, path.read_bytes(), path.stat().st_mode & 0o777)
    return backup


def _restore(kept: list[tuple[Path, Path | None]], staged: list[tuple[Path, Path]]) -> list[str]:
    """Undo the renames of a failed :func:`replace_together`; the paths it could not restore."""
    unrestored: list[str] = []
    for path, backup in reversed(kept):
        try:
            if backup is None:
                path.unlink(missing_ok=True)
            else:
                os.replace(backup, path)
                # A rename onto another link to the same file does nothing (POSIX): the target
                # was never replaced; drop the link.
                backup.unlink(missing_ok=True)
        except OSError:
            unrestored.append(str(path))
    for _path, tmp in staged:
        with contextlib.suppress(OSError):
            tmp.unlink()
    for directory in dict.fromkeys(path.parent for path, _ in staged):
        with contextlib.suppress(OSError):
            fsync_dir(directory)
    return unrestored
