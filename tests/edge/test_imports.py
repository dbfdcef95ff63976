"""What the edge may import: the list's formats and wire vocabulary, never the signing side."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import hotlist

SOURCE = Path(hotlist.__file__).parent
SIGNING_SIDE = ("hotlist.publish.publisher", "hotlist.publish.repository", "hotlist.publish.keys")


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top, in functions or for type checking alone."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize(
    "path", sorted((SOURCE / "edge").rglob("*.py")), ids=lambda path: path.name
)
def test_no_edge_module_imports_the_signing_side(path: Path) -> None:
    found = sorted(name for name in imported(path) if name.startswith(SIGNING_SIDE))
    assert not found, f"{path.name} imports {found}: use hotlist.publish.wire or format"


def test_the_wire_vocabulary_needs_only_the_standard_library() -> None:
    names = imported(SOURCE / "publish" / "wire.py")
    tops = {name.partition(".")[0] for name in names} - {"__future__", "hotlist"}
    assert tops <= set(sys.stdlib_module_names)
    assert {name.split(".")[1] for name in names if name.startswith("hotlist.")} == {"errors"}
