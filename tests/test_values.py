"""hotlist.values.Value: equality by type and fields, hash, repr, _replace, copy and pickle."""

from __future__ import annotations

import copy
import inspect
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotlist.edge.config import EdgeConfig
from hotlist.publish.format import Delta, Record, Snapshot
from hotlist.values import Value


class Pair(Value):
    """A value whose constructor checks ``low <= high``."""

    __slots__ = _fields = ("low", "high")
    low: int
    high: int

    def __init__(self, low: int, high: int = 10) -> None:
        if low > high:
            raise ValueError(f"{low} > {high}")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)


class OtherPair(Pair):
    """The same fields, another type."""

    __slots__ = ()


def round_trip(value: object) -> object:
    """``value`` pickled and read back (bytes this test made itself)."""
    return pickle.loads(pickle.dumps(value))  # noqa: S301


pairs = st.tuples(st.integers(-5, 5), st.integers(-5, 5)).map(sorted).map(lambda p: Pair(*p))


@given(pairs, pairs)
def test_equal_exactly_when_the_fields_are_and_equal_values_hash_alike(a: Pair, b: Pair) -> None:
    assert (a == b) == ((a.low, a.high) == (b.low, b.high))
    if a == b:
        assert hash(a) == hash(b)
    assert a == Pair(a.low, a.high)
    assert OtherPair(a.low, a.high) != a
    assert a != (a.low, a.high)


@given(pairs, st.integers(-5, 5))
def test_replace_goes_through_the_constructor(pair: Pair, low: int) -> None:
    if low > pair.high:
        with pytest.raises(ValueError, match=">"):
            pair._replace(low=low)
    else:
        changed = pair._replace(low=low)
        assert type(changed) is Pair
        assert changed._asdict() == {"low": low, "high": pair.high}
    assert OtherPair(1, 2)._replace(high=3) == OtherPair(1, 3)


@given(pairs)
def test_copies_and_pickles_are_equal_values_of_the_same_type(pair: Pair) -> None:
    for copied in (copy.copy(pair), copy.deepcopy(pair), round_trip(pair)):
        assert type(copied) is Pair
        assert copied == pair


def test_repr_names_the_type_and_fields() -> None:
    assert repr(Pair(1, 2)) == "Pair(low=1, high=2)"
    assert repr(OtherPair(1)) == "OtherPair(low=1, high=10)"


def test_immutable() -> None:
    pair = Pair(1, 2)
    with pytest.raises(AttributeError, match="immutable"):
        pair.low = 0  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        del pair.low
    with pytest.raises(AttributeError):
        pair.other = 1  # type: ignore[attr-defined]
    assert pair == Pair(1, 2)


def test_a_copy_is_made_and_checked_by_the_constructor() -> None:
    record = Record(b"\x01" * 32, b"\x02" * 8, 1, 1)
    assert record.__reduce__() == (Record, (b"\x01" * 32, b"\x02" * 8, 1, 1, 0))
    assert round_trip(record) == record


@pytest.mark.parametrize("cls", [Record, Snapshot, Delta, EdgeConfig])
def test_the_project_values_name_their_constructor_parameters_in_order(cls: type[Value]) -> None:
    assert tuple(inspect.signature(cls).parameters) == cls._fields


def test_the_project_values_copy_and_pickle() -> None:
    record = Record(b"\x01" * 32, b"\x02" * 8, 3, 7, 0)
    config = EdgeConfig("https://lists.example/", "env:KEY")
    delta = Delta("main", 1, 2, (record,), (), ())
    snapshot = Snapshot.from_records("main", 2, [record])
    for value in (record, config, delta, snapshot):
        assert round_trip(value) == value
        assert copy.copy(value) == value
    assert hash(config) == hash(copy.copy(config))
    assert config._replace(list_name="other").list_name == "other"
