"""Entry expressions: each scope gives one of the URL's own expressions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotlist.errors import InvalidURL
from hotlist.urls import Scope, canonicalize, entry_expression, expressions

from .strategies import url_like

URL = "http://Www.Example.com/a/b/c/d/page.html?id=7#top"


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (Scope.PAGE, "www.example.com/a/b/c/d/page.html?id=7"),
        (Scope.FOLDER, "www.example.com/a/b/c/"),
        (Scope.HOST, "www.example.com/"),
        ("page", "www.example.com/a/b/c/d/page.html?id=7"),
    ],
)
def test_each_scope(scope: Scope | str, expected: str) -> None:
    assert entry_expression(URL, scope) == expected


@pytest.mark.parametrize(
    ("url", "folder"),
    [
        ("http://example.com/", "example.com/"),
        ("http://example.com/page.html", "example.com/"),
        ("http://example.com/dir/", "example.com/dir/"),
        ("http://example.com/dir/x?y=/z/", "example.com/dir/"),
    ],
)
def test_folder_is_the_longest_directory_prefix(url: str, folder: str) -> None:
    assert entry_expression(url, Scope.FOLDER) == folder


def test_page_without_query() -> None:
    assert entry_expression("http://example.com/p.html", "page") == "example.com/p.html"


def test_unknown_scope_is_an_error() -> None:
    with pytest.raises(InvalidURL, match="unknown scope 'site'"):
        entry_expression(URL, "site")


@settings(max_examples=300, deadline=None)
@given(url_like, st.sampled_from(list(Scope)))
def test_an_entry_made_from_a_url_matches_that_url(url: str, scope: Scope) -> None:
    try:
        canonical = canonicalize(url)
    except InvalidURL:
        return
    entry = entry_expression(url, scope)
    assert entry in expressions(url)
    assert entry == entry_expression(canonical, scope)
