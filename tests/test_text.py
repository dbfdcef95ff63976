"""``hotlist.text.plural``: a count and the noun that fits it."""

from __future__ import annotations

import pytest

from hotlist.text import plural


@pytest.mark.parametrize(
    ("count", "said"), [(0, "0 entries"), (1, "1 entry"), (2, "2 entries"), (-1, "-1 entries")]
)
def test_one_is_singular_every_other_count_plural(count: int, said: str) -> None:
    assert plural(count, "entry", "entries") == said
