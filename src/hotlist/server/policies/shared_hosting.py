"""The shared-hosting warning list in force for a server's settings, read again when it changes.

The HTTP API (through a dependency) and the command line (``hotlist entries import``) ask here,
so both refuse host scope on the same hosts.
"""

from __future__ import annotations

import threading
from pathlib import Path

from hotlist.policy import SharedHostingList, default_shared_hosting_path
from hotlist.server.config import Settings

SHARED_HOSTING_FILE_NAME = "shared-hosting.txt"
"""The name of a data directory's own list, used when no file is configured."""

_lists: dict[Path, tuple[float, SharedHostingList]] = {}
_lists_lock = threading.Lock()


def shared_hosting_path(settings: Settings) -> Path:
    """The list in force: the configured file, else ``<data_dir>/shared-hosting.txt`` when it
    exists, else the list shipped with the package."""
    if settings.shared_hosting_file is not None:
        return settings.shared_hosting_file
    if settings.data_dir is not None:
        local = settings.data_dir / SHARED_HOSTING_FILE_NAME
        if local.is_file():
            return local
    return default_shared_hosting_path()


def shared_hosting_list(settings: Settings) -> SharedHostingList:
    """The list in force, parsed once and read again whenever an admin has changed the file."""
    path = shared_hosting_path(settings)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = -1.0
    with _lists_lock:
        cached = _lists.get(path)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    listed = SharedHostingList.load(path)
    with _lists_lock:
        _lists[path] = (mtime, listed)
    return listed
