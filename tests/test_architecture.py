"""The package map holds: what each part of ``hotlist`` may import (docs/server.md, "How the code
is laid out"; docs/adr/0001).

The imports are read from the source with :mod:`ast` (every ``import`` in a module, at its top,
inside functions or under ``TYPE_CHECKING``), so a rule broken anywhere fails here, naming the
modules that break it:

- no cycle between the server's feature packages (a direct subfolder or top-level module of
  ``hotlist.server``); ``app.py`` includes every router and ``db/models.py`` gathers every model
  for Alembic, so those two are left out;
- the kit imports no feature (only the configuration and the database's base), and no feature
  imports the web layer (the HTML pages sit above every feature);
- no module of ``hotlist.edge`` imports the signing side (``hotlist.publish.publisher``) or the
  server;
- ``hotlist.urls`` imports nothing of ours but the error base and the compiled core;
- no domain service module (``service.py``) imports the web framework.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path

import hotlist

ROOT = Path(hotlist.__file__).parent
SERVER = "hotlist.server"
NOT_FEATURES = {"hotlist.server.app", "hotlist.server.db.models"}
"""The composition root and the model aggregator: they import every feature by design."""
KIT_MAY_IMPORT = {"kit", "config", "db"}
URLS_MAY_IMPORT = ("hotlist.urls", "hotlist.errors", "hotlist._core")
WEB_FRAMEWORKS = ("fastapi", "starlette")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> Mapping[str, Path]:
    """Every module of ``hotlist``, by dotted name (migrations' revisions left out)."""
    return {
        _module_name(path): path
        for path in sorted(ROOT.rglob("*.py"))
        if "migrations" not in path.parts
    }


def _imported(module: str, path: Path) -> Iterator[str]:
    """The modules ``module`` imports (``from a import b`` gives ``a.b`` when that is one)."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, *([base] if base else [])])
            yield base
            for alias in node.names:
                if f"{base}.{alias.name}" in _modules():
                    yield f"{base}.{alias.name}"


@cache
def _imports() -> Mapping[str, frozenset[str]]:
    return {name: frozenset(_imported(name, path)) for name, path in _modules().items()}


def _feature(module: str) -> str | None:
    """The server feature package (or top-level module) ``module`` belongs to."""
    if not module.startswith(SERVER + "."):
        return None
    return module.split(".")[2]


def _feature_edges() -> dict[tuple[str, str], set[str]]:
    """(from feature, to feature) -> the modules that make the import."""
    edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    for module, targets in _imports().items():
        source = _feature(module)
        if source is None or module in NOT_FEATURES:
            continue
        for target in targets:
            feature = _feature(target)
            if feature is not None and feature != source:
                edges[(source, feature)].add(module)
    return edges


def _cycles(edges: Mapping[tuple[str, str], object]) -> list[list[str]]:
    """The strongly connected groups of more than one feature (Tarjan's algorithm)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        graph[source].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group: list[str] = []
            while not group or group[-1] != node:
                group.append(stack.pop())
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_import_graph_is_read() -> None:
    edges = _feature_edges()
    assert "hotlist.server.reports.intake" in edges[("reports", "entries")]
    assert "hotlist.server.kit.deps" in _imports()["hotlist.server.entries.api"]
    assert not any(source == "app" for source, _target in edges)
    assert _cycles({("a", "b"): None, ("b", "c"): None, ("c", "a"): None, ("c", "d"): None}) == [
        ["a", "b", "c"]
    ]


def test_no_cycle_between_the_servers_feature_packages() -> None:
    edges = _feature_edges()
    found = []
    for group in _cycles(edges):
        members = set(group)
        arrows = [
            f"{source} -> {target} ({', '.join(sorted(modules))})"
            for (source, target), modules in sorted(edges.items())
            if source in members and target in members
        ]
        found.append(f"{' <-> '.join(group)}: " + "; ".join(arrows))
    assert not found, (
        "feature packages import each other in a cycle; move the shared part into "
        "hotlist.server.kit or the lower feature, or invert it with a hook:\n" + "\n".join(found)
    )


def test_the_kit_imports_no_feature() -> None:
    wrong = sorted(
        f"{' '.join(sorted(modules))} imports hotlist.server.{target}"
        for (source, target), modules in _feature_edges().items()
        if source == "kit" and target not in KIT_MAY_IMPORT
    )
    assert not wrong, "the kit is below every feature:\n" + "\n".join(wrong)


def test_no_feature_imports_the_web_layer() -> None:
    wrong = sorted(
        f"{' '.join(sorted(modules))} imports hotlist.server.web"
        for (source, target), modules in _feature_edges().items()
        if target == "web"
    )
    assert not wrong, "the pages are above every feature (docs/adr/0008):\n" + "\n".join(wrong)


def _within(name: str, *packages: str) -> bool:
    """Whether module ``name`` is one of ``packages`` or inside one."""
    return any(name == package or name.startswith(package + ".") for package in packages)


def _imports_from(modules: list[str], allowed: Callable[[str], bool]) -> list[str]:
    """``module imports target`` for each import of ``modules`` that ``allowed`` refuses."""
    return sorted(
        f"{module} imports {target}"
        for module in modules
        for target in _imports()[module]
        if not allowed(target)
    )


def test_the_edge_imports_neither_the_signing_side_nor_the_server() -> None:
    edge = [m for m in _modules() if _within(m, "hotlist.edge")]
    wrong = _imports_from(edge, lambda t: not _within(t, "hotlist.publish.publisher", SERVER))
    assert not wrong, "the edge reads the list's formats only:\n" + "\n".join(wrong)


def test_urls_imports_nothing_of_ours() -> None:
    urls = [m for m in _modules() if _within(m, "hotlist.urls")]
    wrong = _imports_from(urls, lambda t: not _within(t, "hotlist") or _within(t, *URLS_MAY_IMPORT))
    assert not wrong, "hotlist.urls depends on nothing of ours:\n" + "\n".join(wrong)


def test_no_domain_service_imports_the_web_framework() -> None:
    services = [m for m in _modules() if _within(m, SERVER) and m.endswith(".service")]
    assert len(services) >= 10
    wrong = _imports_from(services, lambda t: not _within(t, *WEB_FRAMEWORKS))
    assert not wrong, "domain services are plain code; HTTP stays in api.py:\n" + "\n".join(wrong)
