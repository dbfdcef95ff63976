"""Extras: small signed documents that travel with a list version (see ``list.json``).

Sync downloads each extra the signed index names (TUF checks its length and hash), runs the
rule given for its name, if any, and installs them with the list. A check raises our
VerificationError to refuse the whole version: the previous list and extras stay in force.
The rules are passed to sync explicitly (:data:`hotlist.edge.sync.EXTRA_RULES` by default):
importing a module registers nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from hotlist.errors import VerificationError

if TYPE_CHECKING:
    from hotlist.edge.store import Store


class ExtraContext(NamedTuple):
    """What a check may use: the store (with the extras in force) and the member's API access."""

    store: Store
    api_base: str | None
    api_key: str


ExtraCheck = Callable[[ExtraContext, bytes, Mapping[str, bytes]], None]
"""``check(context, new_data, all_new_extras)``; raises VerificationError to refuse."""


class ExtraRule(NamedTuple):
    """What sync does with one extra of a new version before installing it: run ``check`` on
    it; and when ``kept``, refuse a version without it once the list in force carries it."""

    check: ExtraCheck
    kept: bool = False


def run_checks(
    context: ExtraContext, extras: Mapping[str, bytes], rules: Mapping[str, ExtraRule]
) -> None:
    """Refuse a version that drops a kept extra, then run the check of every extra present."""
    for name in sorted(name for name, rule in rules.items() if rule.kept and name not in extras):
        if context.store.read_extra(name) is not None:
            raise VerificationError(
                f"the new list version drops {name}, which the list in force carries: refused"
            )
    for name, data in extras.items():
        rule = rules.get(name)
        if rule is not None:
            rule.check(context, data, extras)


def extra_path(store_dir: Path, name: str) -> Path:
    """Where the store keeps the extra ``name`` (names are checked by the publisher's rule)."""
    return store_dir / "extras" / name
