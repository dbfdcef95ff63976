"""Extras: small signed documents that travel with a list version (see ``list.json``).

Sync downloads each extra the signed index names (TUF checks its length and hash), runs the
check registered for its name, if any, and installs them with the list. A check raises our
VerificationError to refuse the whole version: the previous list and extras stay in force.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hotlist.errors import VerificationError

if TYPE_CHECKING:
    from hotlist.edge.store import Store


@dataclass(frozen=True)
class ExtraContext:
    """What a check may use: the store (with the extras in force) and the member's API access."""

    store: Store
    api_base: str | None
    api_key: str


ExtraCheck = Callable[[ExtraContext, bytes, Mapping[str, bytes]], None]
"""``check(context, new_data, all_new_extras)``; raises VerificationError to refuse."""

_CHECKS: dict[str, ExtraCheck] = {}
_KEPT: set[str] = set()


def register_check(name: str, check: ExtraCheck, *, kept: bool = False) -> None:
    """Have sync run ``check`` on the extra ``name`` of every new version before installing it.

    ``kept``: once the list in force carries the extra, a version without it is refused.
    """
    _CHECKS[name] = check
    if kept:
        _KEPT.add(name)


def run_checks(context: ExtraContext, extras: Mapping[str, bytes]) -> None:
    """Refuse a version that drops a kept extra, then run the check of every extra present."""
    for name in sorted(_KEPT - set(extras)):
        if context.store.read_extra(name) is not None:
            raise VerificationError(
                f"the new list version drops {name}, which the list in force carries: refused"
            )
    for name, data in extras.items():
        check = _CHECKS.get(name)
        if check is not None:
            check(context, data, extras)


def extra_path(store_dir: Path, name: str) -> Path:
    """Where the store keeps the extra ``name`` (names are checked by the publisher's rule)."""
    return store_dir / "extras" / name
