"""Load a policy file (YAML) and validate it, reporting every mistake with its location.

The loader never lets a parser's exception out: anything wrong with the input, from bytes that
are not YAML to a wire id out of range, becomes one :class:`~hotlist.errors.InvalidPolicy`
listing each problem as ``location: what is wrong``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from hotlist.errors import InvalidPolicy, PolicyError
from hotlist.policy.model import XARF_CONTENT_TYPES, Category, Policy, Removal

MAX_POLICY_BYTES = 1_000_000
MAX_CATEGORIES = 1_000
MAX_JURISDICTIONS = 300
MAX_REVERIFY_DAYS = 3_650
MAX_LADDER_HOURS = 24 * 365

_Rule = tuple[re.Pattern[str], str]
_POLICY_ID: _Rule = (
    re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"),
    "1..64 of A-Z a-z 0-9 . _ -, starting with a letter or digit",
)
_CODE: _Rule = (
    re.compile(r"[a-z][a-z0-9_-]{0,31}"),
    "a slug: a lowercase letter, then up to 31 of a-z 0-9 _ -",
)
_JURISDICTION = re.compile(r"[A-Z]{2}")

_TOP_FIELDS = ("policy_id", "title", "operator", "effective", "home_country", "categories")
_CATEGORY_FIELDS = (
    "code",
    "wire_id",
    "name",
    "definition",
    "legal_basis",
    "legal_order",
    "host_scope_allowed",
    "reverify_days",
    "removal",
)
_REMOVAL_FIELDS = (
    "xarf_type",
    "renotice_hours",
    "escalate_hours",
    "refer_hours",
    "recheck_hours",
    "unchecked_days",
)


def demo_policy_path() -> Path:
    """The demo policy shipped with the package (operator "Example Hotline")."""
    return Path(str(resources.files("hotlist.policy") / "data" / "demo-policy.yaml"))


def load_demo_policy() -> Policy:
    """The validated demo policy."""
    return load_policy(demo_policy_path())


def load_policy(source: Path | str | bytes) -> Policy:
    """Validate a policy from a file (a :class:`Path`) or from YAML text (``str`` or ``bytes``).

    Raises :class:`~hotlist.errors.InvalidPolicy` listing every problem, or
    :class:`~hotlist.errors.PolicyError` when the file cannot be read.
    """
    if isinstance(source, Path):
        origin = f"policy file {source}"
        try:
            raw: str | bytes = source.read_bytes()
        except OSError as exc:
            raise PolicyError(f"cannot read policy file {source}: {exc.strerror or exc}") from exc
    else:
        origin = "policy text"
        raw = source
    if len(raw) > MAX_POLICY_BYTES:
        raise InvalidPolicy(origin, [f"policy: larger than {MAX_POLICY_BYTES} bytes"])
    return _validate(_parse_yaml(raw, origin), origin)


def policy_from_dict(data: Any) -> Policy:
    """Validate already-parsed policy data, such as :meth:`Policy.to_dict` stored as JSON."""
    return _validate(data, "policy data")


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping with the same key twice (YAML says keys are unique)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            key = loader.construct_object(key_node)
            if key in seen:
                raise ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _parse_yaml(raw: str | bytes, origin: str) -> Any:
    try:
        return yaml.load(raw, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "policy"
        raise InvalidPolicy(origin, [f"{where}: not valid YAML: {exc.problem}"]) from exc
    except yaml.YAMLError as exc:
        raise InvalidPolicy(origin, [f"policy: not valid YAML: {exc}"]) from exc
    except (ValueError, TypeError, OverflowError) as exc:
        # PyYAML lets these out for values it resolves but cannot build, e.g. 2026-13-45.
        raise InvalidPolicy(origin, [f"policy: a value YAML cannot build: {exc}"]) from exc
    except RecursionError as exc:
        raise InvalidPolicy(origin, ["policy: nested too deeply"]) from exc


class _Checker:
    """Collects problems while reading fields, so one run reports every mistake."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def mapping(self, value: Any, where: str, fields: tuple[str, ...]) -> Mapping[Any, Any] | None:
        if not isinstance(value, Mapping):
            self.problem(where, f"must be a mapping with {', '.join(fields)}")
            return None
        for key in value:
            if key not in fields:
                self.problem(_join(where, key), f"unknown field (allowed: {', '.join(fields)})")
        for name in fields:
            if name not in value and name not in _OPTIONAL and name not in _OPTIONAL_REMOVAL:
                self.problem(_join(where, name), "is required")
        return value

    def text(self, data: Mapping[Any, Any], name: str, where: str, limit: int) -> str:
        value = data.get(name)
        if name not in data:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(_join(where, name), "must be a non-empty string")
            return ""
        if len(value.strip()) > limit:
            self.problem(_join(where, name), f"must be at most {limit} characters")
            return ""
        return value.strip()

    def pattern(self, data: Mapping[Any, Any], name: str, where: str, rule: _Rule) -> str:
        value = data.get(name)
        if name not in data:
            return ""
        if not isinstance(value, str) or not rule[0].fullmatch(value):
            self.problem(_join(where, name), f"must be {rule[1]}")
            return ""
        return value

    def integer(self, data: Mapping[Any, Any], name: str, where: str, low: int, high: int) -> int:
        """The integer, or 0 (never valid here) after recording a problem."""
        value = data.get(name)
        if name not in data:
            return 0
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(_join(where, name), f"must be an integer {low}..{high}")
            return 0
        return value

    def flag(self, data: Mapping[Any, Any], name: str, where: str) -> bool:
        value = data.get(name, False)
        if not isinstance(value, bool):
            self.problem(_join(where, name), "must be true or false")
            return False
        return value


_OPTIONAL = frozenset({"legal_order", "host_scope_allowed", "home_country", "removal"})
_OPTIONAL_REMOVAL = frozenset(_REMOVAL_FIELDS)


def _join(where: str, key: Any) -> str:
    name = key if isinstance(key, str) else repr(key)
    return name if where == "policy" else f"{where}.{name}"


def _validate(data: Any, origin: str) -> Policy:
    check = _Checker()
    top = check.mapping(data, "policy", _TOP_FIELDS)
    if top is None:
        raise InvalidPolicy(origin, check.problems)
    policy_id = check.pattern(top, "policy_id", "policy", _POLICY_ID)
    title = check.text(top, "title", "policy", 200)
    operator = check.text(top, "operator", "policy", 200)
    effective = _effective(check, top)
    home_country = _home_country(check, top)
    categories = _categories(check, top["categories"]) if "categories" in top else ()
    if check.problems:
        raise InvalidPolicy(origin, check.problems)
    return Policy(policy_id, title, operator, effective, categories, home_country)


def _home_country(check: _Checker, top: Mapping[Any, Any]) -> str | None:
    value = top.get("home_country")
    if value is None:
        return None
    if not isinstance(value, str) or not _JURISDICTION.fullmatch(value):
        check.problem("home_country", "must be the hotline's country, ISO 3166 alpha-2 (GB)")
        return None
    return value


def _effective(check: _Checker, top: Mapping[Any, Any]) -> date:
    value = top.get("effective")
    if "effective" not in top:
        return date.min
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = date.fromisoformat(value)
    if isinstance(value, datetime) or not isinstance(value, date):
        check.problem("effective", "must be a date, YYYY-MM-DD")
        return date.min
    return value


def _categories(check: _Checker, value: Any) -> tuple[Category, ...]:
    if not isinstance(value, list) or not value:
        check.problem("categories", "must be a non-empty list of categories")
        return ()
    if len(value) > MAX_CATEGORIES:
        check.problem("categories", f"must hold at most {MAX_CATEGORIES} categories")
        return ()
    result: list[Category] = []
    first_seen: dict[tuple[str, object], int] = {}
    for index, item in enumerate(value):
        where = f"categories[{index}]"
        category = _category(check, item, where)
        if category is None:
            continue
        for name, key in (("code", category.code), ("wire_id", category.wire_id)):
            if key in ("", 0):
                continue
            earlier = first_seen.setdefault((name, key), index)
            if earlier != index:
                check.problem(
                    f"{where}.{name}", f"{key!r} is already used by categories[{earlier}]"
                )
        result.append(category)
    return tuple(result)


def _category(check: _Checker, item: Any, where: str) -> Category | None:
    data = check.mapping(item, where, _CATEGORY_FIELDS)
    if data is None:
        return None
    return Category(
        code=check.pattern(data, "code", where, _CODE),
        wire_id=check.integer(data, "wire_id", where, 1, 65_535),
        name=check.text(data, "name", where, 200),
        definition=check.text(data, "definition", where, 10_000),
        legal_basis=_legal_basis(check, data, where),
        legal_order=check.flag(data, "legal_order", where),
        host_scope_allowed=check.flag(data, "host_scope_allowed", where),
        reverify_days=check.integer(data, "reverify_days", where, 1, MAX_REVERIFY_DAYS),
        removal=_removal(check, data, where),
    )


def _removal(check: _Checker, data: Mapping[Any, Any], where: str) -> Removal:
    """The category's removal block; every field has a default, so the block is optional."""
    if data.get("removal") is None:
        return Removal()
    where = f"{where}.removal"
    block = check.mapping(data["removal"], where, _REMOVAL_FIELDS)
    if block is None:
        return Removal()
    default = Removal()
    xarf_type = block.get("xarf_type")
    if xarf_type is not None and xarf_type not in XARF_CONTENT_TYPES:
        check.problem(
            f"{where}.xarf_type", f"must be one of {', '.join(XARF_CONTENT_TYPES)}, or null"
        )
        xarf_type = None

    def hours(name: str, low: int, high: int) -> int:
        if name not in block:
            return int(getattr(default, name))
        return check.integer(block, name, where, low, high)

    removal = Removal(
        xarf_type=xarf_type,
        renotice_hours=hours("renotice_hours", 1, MAX_LADDER_HOURS),
        escalate_hours=hours("escalate_hours", 1, MAX_LADDER_HOURS),
        refer_hours=hours("refer_hours", 1, MAX_LADDER_HOURS),
        recheck_hours=hours("recheck_hours", 1, MAX_LADDER_HOURS),
        unchecked_days=hours("unchecked_days", 1, MAX_REVERIFY_DAYS),
    )
    steps = (removal.renotice_hours, removal.escalate_hours, removal.refer_hours)
    if all(steps) and not steps[0] < steps[1] < steps[2]:
        check.problem(where, "the ladder must climb: renotice_hours < escalate_hours < refer_hours")
    return removal


def _legal_basis(check: _Checker, data: Mapping[Any, Any], where: str) -> dict[str, str]:
    if "legal_basis" not in data:
        return {}
    value = data["legal_basis"]
    where = f"{where}.legal_basis"
    if not isinstance(value, Mapping) or not value:
        check.problem(where, "must map a jurisdiction (ISO 3166 alpha-2 or EU) to its law")
        return {}
    if len(value) > MAX_JURISDICTIONS:
        check.problem(where, f"must name at most {MAX_JURISDICTIONS} jurisdictions")
        return {}
    result: dict[str, str] = {}
    for key, text in value.items():
        if not isinstance(key, str) or not (key == "EU" or _JURISDICTION.fullmatch(key)):
            check.problem(_join(where, key), "jurisdiction must be ISO 3166 alpha-2 (DE) or EU")
            continue
        if not isinstance(text, str) or not text.strip() or len(text.strip()) > 2_000:
            check.problem(f"{where}.{key}", "must be the law's text, 1..2000 characters")
            continue
        result[key] = text.strip()
    return result
