"""Where the signed list (static files) and the signing keys live: publishing writes the list
there, the log signs its heads with a key kept beside the list's keys."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hotlist.errors import ConfigError
from hotlist.server.config import Settings


@dataclass(frozen=True)
class RepositoryPaths:
    """Where the signed list (static files) and the signing keys live."""

    repository: Path
    keys: Path


def repository_paths(settings: Settings) -> RepositoryPaths:
    """The repository and key directories: from the settings, else inside the data directory."""
    base = settings.data_dir
    repository = settings.repository_dir or (base / "repository" if base else None)
    keys = settings.keys_dir or (base / "keys" if base else None)
    if repository is None or keys is None:
        raise ConfigError(
            "no place for the list: give --data-dir DIR, or set HOTLIST_REPOSITORY_DIR and "
            "HOTLIST_KEYS_DIR"
        )
    return RepositoryPaths(repository=repository, keys=keys)
