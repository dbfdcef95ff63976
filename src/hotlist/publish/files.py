"""Crash-safe file replacement, shared by the publisher's repository and the edge store."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from hotlist.errors import StorageError


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never a mix.

    Write a temporary file, fsync it, rename it over ``path``, fsync the directory. Any failure
    (a full disk, a read-only file system) removes the temporary file and raises StorageError;
    the previous file at ``path`` stays untouched.
    """
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


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
