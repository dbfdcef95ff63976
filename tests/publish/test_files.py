"""``atomic_write``: a rename for files, never for a device or a pipe it is pointed at."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from hotlist.publish.files import atomic_write, map_file


def test_a_file_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "zone.rpz"
    target.write_bytes(b"old")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["zone.rpz"]  # no temporary file left


def test_a_pipe_is_written_into_not_replaced(tmp_path: Path) -> None:
    """As `hotlist edge rpz --out /dev/stdout` or `/dev/null` would: the target stays a pipe
    (a rename over /dev/null once turned it into a regular file on a test machine)."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    atomic_write(pipe, b"zone data\n")
    reader.join(timeout=10)
    assert received == [b"zone data\n"]
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_a_mapped_file_reads_whole_and_read_only(tmp_path: Path) -> None:
    path = tmp_path / "list"
    path.write_bytes(b"version one")
    view = map_file(path)
    assert (bytes(view), view.readonly) == (b"version one", True)
    with pytest.raises(TypeError):
        view[0] = 0


def test_a_mapped_file_outlives_its_replacement_and_removal(tmp_path: Path) -> None:
    path = tmp_path / "list"
    atomic_write(path, b"version one")
    view = map_file(path)
    atomic_write(path, b"version two, longer")
    assert bytes(view) == b"version one"
    path.unlink()
    assert bytes(view) == b"version one"


def test_an_empty_file_maps_to_an_empty_view(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.write_bytes(b"")
    assert bytes(map_file(path)) == b""
    with pytest.raises(FileNotFoundError):
        map_file(tmp_path / "absent")
