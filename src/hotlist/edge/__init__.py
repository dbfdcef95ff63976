"""The member's side: verified sync of the list, the local store, and the matcher.

The stable member API: ``Matcher`` and ``Verdict`` (checking URLs), ``Store`` (the list on disk);
``hotlist.edge.sync.sync(store)`` fetches and verifies the newest list and
``hotlist.edge.status.read_status(store)`` says its age, staleness and last error.
Imported lazily so that ``import hotlist.edge`` stays cheap for a process that only syncs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hotlist.edge.matcher import Matcher
    from hotlist.edge.store import Store
    from hotlist.edge.verdict import Verdict

__all__ = ["Matcher", "Store", "Verdict"]

_HOMES = {
    "Matcher": "hotlist.edge.matcher",
    "Verdict": "hotlist.edge.verdict",
    "Store": "hotlist.edge.store",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'hotlist.edge' has no attribute {name!r}")
    return getattr(import_module(home), name)
