"""Lookup expressions and hashes: Google's documented examples (reserved names) and properties."""

from __future__ import annotations

from hashlib import sha256

import pytest
from hypothesis import given, settings

from hotlist.errors import InvalidURL
from hotlist.urls import (
    Scope,
    canonical_parts,
    entry_expression,
    expression_hash,
    expression_hashes,
    expression_hashes_from_parts,
    expression_host,
    expressions,
    expressions_from_parts,
    host_expression,
    host_hash,
    host_suffixes,
    path_prefixes,
)

from .strategies import url_like

# Google's examples use the hosts a.b.c, a.b.c.d.e.f.g and 1.2.3.4; the first two are kept as
# label structure under reserved names and the address is moved to 192.0.2.0/24.
DOCUMENTED = [
    (
        "http://a.b.example/1/2.html?param=1",
        [
            "a.b.example/1/2.html?param=1",
            "a.b.example/1/2.html",
            "a.b.example/",
            "a.b.example/1/",
            "b.example/1/2.html?param=1",
            "b.example/1/2.html",
            "b.example/",
            "b.example/1/",
        ],
    ),
    (
        "http://a.b.c.d.e.f.example/1.html",
        [
            "a.b.c.d.e.f.example/1.html",
            "a.b.c.d.e.f.example/",
            "c.d.e.f.example/1.html",
            "c.d.e.f.example/",
            "d.e.f.example/1.html",
            "d.e.f.example/",
            "e.f.example/1.html",
            "e.f.example/",
            "f.example/1.html",
            "f.example/",
        ],
    ),
    ("http://192.0.2.4/1/", ["192.0.2.4/1/", "192.0.2.4/"]),
    ("http://[2001:db8::1]/a/b", ["[2001:db8::1]/a/b", "[2001:db8::1]/", "[2001:db8::1]/a/"]),
    ("http://example/", ["example/"]),
    (
        "http://www.example.com/?",
        ["www.example.com/?", "www.example.com/", "example.com/?", "example.com/"],
    ),
]


@pytest.mark.parametrize(("url", "expected"), DOCUMENTED)
def test_documented_expressions(url: str, expected: list[str]) -> None:
    assert expressions(url) == expected


def test_at_most_six_paths_and_three_directory_levels() -> None:
    parts = canonical_parts("http://example.com/a/b/c/d/e/f.html?x")
    assert path_prefixes(parts) == [
        "/a/b/c/d/e/f.html?x",
        "/a/b/c/d/e/f.html",
        "/",
        "/a/",
        "/a/b/",
        "/a/b/c/",
    ]


def test_hashes_are_sha256_of_each_expression_in_order() -> None:
    url = "http://a.b.example/1/2.html?param=1"
    assert expression_hashes(url) == [sha256(e.encode()).digest() for e in expressions(url)]
    assert expression_hash("a.b.example/") == sha256(b"a.b.example/").digest()
    assert expression_hashes_from_parts(canonical_parts(url)) == expression_hashes(url)


def test_expression_host() -> None:
    assert expression_host("a.b.example/1/2.html?x=/y") == "a.b.example"
    assert expression_host("[2001:db8::1]/") == "[2001:db8::1]"


def test_bad_url_raises_invalid_url() -> None:
    with pytest.raises(InvalidURL):
        expressions("http://[::1/")
    with pytest.raises(InvalidURL):
        expression_hashes("")


@settings(max_examples=200, deadline=None)
@given(url_like)
def test_expression_properties(url: str) -> None:
    try:
        parts = canonical_parts(url)
    except InvalidURL:
        return
    found = expressions_from_parts(parts)
    assert len(found) == len(set(found)) <= 30
    assert found[0] == parts.host + parts.path + ("" if parts.query is None else f"?{parts.query}")
    assert all(expression_host(e) in {expression_host(f) for f in found} for e in found)
    assert f"{parts.host}/" in found
    assert len(expression_hashes(url)) == len(found)


@settings(max_examples=200)
@given(url_like)
def test_the_host_hash_is_the_host_entry_s_hash(url: str) -> None:
    """host_hash(host) is what a host-scope entry made from the URL lists, and one of the
    hashes every URL on a host below it looks up."""
    try:
        parts = canonical_parts(url)
    except InvalidURL:
        return
    assert host_expression(parts.host) == entry_expression(url, Scope.HOST)
    assert host_hash(parts.host) == sha256(f"{parts.host}/".encode()).digest()
    suffix_hashes = {host_hash(host) for host in host_suffixes(parts.host)}
    assert suffix_hashes <= set(expression_hashes(url))
