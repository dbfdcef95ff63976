"""Cursors round-trip, and anything not made by encode_cursor is refused with InvalidRequest."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotlist.errors import InvalidRequest
from hotlist.server.kit.pagination import (
    MAX_CURSOR_LENGTH,
    decode_cursor,
    decode_id_cursor,
    encode_cursor,
    split_page,
)

values = st.lists(st.one_of(st.integers(-(2**53), 2**53), st.text(max_size=40)), max_size=4)


@settings(max_examples=100)
@given(values)
def test_round_trip(items: list[int | str]) -> None:
    types = tuple(type(item) for item in items)
    try:
        cursor = encode_cursor(*items)
    except ValueError:
        assert len(json.dumps(items)) > MAX_CURSOR_LENGTH // 2
        return
    assert decode_cursor(cursor, *types) == tuple(items)


@settings(max_examples=100)
@given(st.text(max_size=80))
def test_arbitrary_text_is_refused(text: str) -> None:
    try:
        decode_cursor(text, int)
    except InvalidRequest:
        return
    # The only strings that decode are real cursors.
    assert text == encode_cursor(decode_id_cursor(text))


def test_a_changed_character_is_refused() -> None:
    cursor = encode_cursor(41)
    tampered = cursor[:-1] + ("A" if cursor[-1] != "A" else "B")
    with pytest.raises(InvalidRequest, match="cursor"):
        decode_cursor(tampered, int)


@pytest.mark.parametrize("types", [(str,), (int, int), ()])
def test_wrong_shape_is_refused(types: tuple[type[int] | type[str], ...]) -> None:
    with pytest.raises(InvalidRequest):
        decode_cursor(encode_cursor(7), *types)


def test_id_cursor() -> None:
    assert decode_id_cursor(None) == 0
    assert decode_id_cursor(encode_cursor(12)) == 12
    with pytest.raises(InvalidRequest):
        decode_id_cursor(encode_cursor(-1))
    with pytest.raises(InvalidRequest):
        decode_id_cursor("x" * 600)


def test_split_page() -> None:
    rows = list(range(1, 7))
    page, cursor = split_page(rows, 5, lambda row: (row,))
    assert list(page) == [1, 2, 3, 4, 5]
    assert cursor is not None
    assert decode_id_cursor(cursor) == 5
    page, cursor = split_page(rows[:3], 5, lambda row: (row,))
    assert list(page) == [1, 2, 3]
    assert cursor is None
