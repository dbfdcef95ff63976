"""The list's and the keys' directories: from the settings, else inside the data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotlist.errors import ConfigError
from hotlist.server.config import Settings
from hotlist.server.kit.paths import repository_paths


def test_repository_paths_default_to_the_data_dir(settings: Settings) -> None:
    paths = repository_paths(settings)
    assert settings.data_dir is not None
    assert paths.repository == settings.data_dir / "repository"
    assert paths.keys == settings.data_dir / "keys"


def test_repository_paths_from_settings(settings: Settings, tmp_path: Path) -> None:
    changed = settings.with_changes(repository_dir=tmp_path / "r", keys_dir=tmp_path / "k")
    assert repository_paths(changed).repository == tmp_path / "r"
    assert repository_paths(changed).keys == tmp_path / "k"


def test_no_place_for_the_list_is_a_clear_error(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="HOTLIST_REPOSITORY_DIR"):
        repository_paths(settings.with_changes(data_dir=None))
