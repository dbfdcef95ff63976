"""The edge's bounded cache: at most its size, emptied when full, nothing kept at size 0."""

from __future__ import annotations

import pytest

from hotlist.edge.cache import BoundedCache


def test_a_full_cache_forgets_everything_before_remembering_more() -> None:
    cache: BoundedCache[str, int] = BoundedCache(3)
    for number, key in enumerate("abc"):
        cache.put(key, number)
    assert (len(cache), cache.get("a"), cache.get("c")) == (3, 0, 2)
    cache.put("d", 3)
    assert len(cache) == 1
    assert cache.get("a") is None
    assert "d" in cache


def test_a_cache_of_size_zero_remembers_nothing() -> None:
    cache: BoundedCache[str, int] = BoundedCache(0)
    cache.put("a", 1)
    assert len(cache) == 0
    assert cache.get("a", -1) == -1


def test_a_bound_get_stays_valid_across_clear() -> None:
    cache: BoundedCache[str, bool] = BoundedCache(8)
    get = cache.get
    cache.put("a", True)
    cache.clear()
    assert get("a") is None
    cache.put("b", False)
    assert get("b") is False


def test_a_negative_size_is_refused() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        BoundedCache(-1)
