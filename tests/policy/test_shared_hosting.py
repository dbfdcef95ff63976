"""The shared-hosting warning list: parsing and suffix matching on label boundaries."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotlist.errors import PolicyError
from hotlist.policy import SharedHostingList

LIST = SharedHostingList.parse("pages.example\n*.blogs.example  # comment\n\n# only a comment\n")


@pytest.mark.parametrize(
    ("host", "covered"),
    [
        ("pages.example", True),
        ("user.pages.example", True),
        ("a.b.pages.example", True),
        ("USER.Pages.Example.", True),
        ("blogs.example", True),
        ("mypages.example", False),
        ("pages.example.org", False),
        ("example", False),
        ("www.example.com", False),
    ],
)
def test_covers_matches_whole_labels(host: str, covered: bool) -> None:
    assert LIST.covers(host) is covered


def test_matching_suffix_names_the_rule() -> None:
    assert LIST.matching_suffix("x.pages.example") == "pages.example"
    assert LIST.matching_suffix("www.example.org") is None


def test_bad_lines_are_reported_with_their_numbers() -> None:
    with pytest.raises(PolicyError) as info:
        SharedHostingList.parse("ok.example\nnot a host\n..\n", origin="list.txt")
    assert "line 2: 'not a host' is not a host suffix" in info.value.message
    assert "line 3: '..' is not a host suffix" in info.value.message
    assert info.value.message.startswith("list.txt has bad lines")


def test_default_list_ships_reserved_names_only() -> None:
    shipped = SharedHostingList.default()
    assert {"pages.example", "blogs.example", "storage.test"} <= shipped.suffixes
    reserved = ("example", "test", "invalid", "example.com", "example.org")
    assert all(s.endswith(tuple(f".{r}" for r in reserved)) for s in shipped.suffixes)


def test_load_and_dumps_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "shared-hosting.txt"
    path.write_text(LIST.dumps(), encoding="utf-8")
    assert SharedHostingList.load(path) == LIST


def test_unreadable_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read shared-hosting list"):
        SharedHostingList.load(tmp_path / "absent.txt")


labels = st.from_regex(r"[a-z0-9]{1,10}", fullmatch=True)


@settings(max_examples=100, deadline=None)
@given(st.lists(labels, min_size=1, max_size=4), st.lists(labels, max_size=3))
def test_a_suffix_covers_every_name_below_it(suffix: list[str], below: list[str]) -> None:
    listed = SharedHostingList.parse(".".join(suffix))
    assert listed.covers(".".join([*below, *suffix]))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=100))
def test_parse_raises_only_policy_error(text: str) -> None:
    with contextlib.suppress(PolicyError):
        SharedHostingList.parse(text)
