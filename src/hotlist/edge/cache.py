"""The edge's one bounded cache: remembered answers, forgotten all at once when full.

Enforcers see the same hosts, authorities and URLs again and again, and remember what each one
cost to answer. Memory must stay bounded whatever the traffic, and a hit must cost no more than a
``dict`` lookup: so there is no recency to track, and a full cache is simply emptied (the next
requests fill it again with what traffic repeats now). A cache is also emptied when the list it
answered from changes.
"""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """At most ``size`` remembered values (0: none), emptied when full.

    ``get`` is the underlying dict's own method, bound once, so a hit on a hot path costs one
    call; :meth:`clear` empties that same dict, so a bound ``get`` held by a caller stays valid.
    """

    __slots__ = ("_items", "get", "size")

    def __init__(self, size: int) -> None:
        if size < 0:
            raise ValueError("a cache's size is zero or more")
        self.size = size
        self._items: dict[K, V] = {}
        self.get = self._items.get

    def put(self, key: K, value: V) -> None:
        """Remember ``value`` for ``key``; when the cache is full, forget everything first."""
        if not self.size:
            return
        items = self._items
        if len(items) >= self.size:
            items.clear()
        items[key] = value

    def clear(self) -> None:
        """Forget everything (the list the answers came from changed)."""
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items
