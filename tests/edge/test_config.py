"""Edge settings: key references that a later sync, run from anywhere, still resolves."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotlist.edge.config import EdgeConfig, file_key_reference
from hotlist.errors import ConfigError


def test_a_relative_key_file_is_made_absolute_against_where_it_was_given(tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "member.key").write_text("secret-key\n")
    reference = file_key_reference("keys/../keys/member.key", tmp_path)
    assert reference == f"file:{tmp_path / 'keys' / 'member.key'}"
    config = EdgeConfig(server="http://127.0.0.1:9/", key=reference)
    assert config.api_key(tmp_path / "elsewhere") == "secret-key"


def test_a_symbolic_link_to_a_key_is_kept_so_that_rotation_behind_it_works(
    tmp_path: Path,
) -> None:
    (tmp_path / "v1.key").write_text("first\n")
    (tmp_path / "current.key").symlink_to(tmp_path / "v1.key")
    reference = file_key_reference("current.key", tmp_path)
    assert reference == f"file:{tmp_path / 'current.key'}"
    (tmp_path / "v2.key").write_text("second\n")
    (tmp_path / "current.key").unlink()
    (tmp_path / "current.key").symlink_to(tmp_path / "v2.key")
    assert EdgeConfig(server="http://127.0.0.1:9/", key=reference).api_key(tmp_path) == "second"


def test_an_empty_key_file_is_refused_when_read(tmp_path: Path) -> None:
    (tmp_path / "key").write_text("  \n")
    config = EdgeConfig(server="http://127.0.0.1:9/", key="file:key")
    with pytest.raises(ConfigError, match="is empty"):
        config.api_key(tmp_path)
