"""The stable member API: ``hotlist.edge`` exports Matcher, Verdict and Store."""

from __future__ import annotations

import pytest

import hotlist.edge
from hotlist.edge.matcher import Matcher
from hotlist.edge.store import Store
from hotlist.edge.verdict import Verdict


def test_the_member_api_is_exported() -> None:
    from hotlist.edge import Matcher as M
    from hotlist.edge import Store as S
    from hotlist.edge import Verdict as V

    assert (Matcher, Store, Verdict) == (M, S, V)
    assert set(hotlist.edge.__all__) == {"Matcher", "Store", "Verdict"}


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        _ = hotlist.edge.Nothing  # type: ignore[attr-defined]
