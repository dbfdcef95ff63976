"""The host read off a plain authority is the canonical host of the whole URL."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotlist.errors import InvalidURL
from hotlist.urls import authority_host, canonical_parts, plain_authority

# Hosts and rests with the characters that make canonicalization differ from lower-casing.
_label = st.text(alphabet="aZ0-_.%@:[]x9\t\\ ", min_size=0, max_size=6)
_rest = st.text(alphabet="/?#%2Fa.:@ \t\x00é", max_size=8)


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(
        ["http://", "https://", "HTTP://", "", "/", "ftp://", "http:///", "http:/", "http://u@"]
    ),
    st.lists(_label, min_size=1, max_size=4).map(".".join),
    st.sampled_from(["", ":", ":8080", ":x"]),
    _rest,
)
def test_a_plain_authority_gives_the_whole_urls_canonical_host(
    scheme: str, host: str, port: str, rest: str
) -> None:
    url = f"{scheme}{host}{port}{rest}"
    authority = plain_authority(url)
    if authority is None:
        return
    try:
        whole = canonical_parts(url).host
    except InvalidURL:
        # Skipping the full check must never hide an invalid URL: only the authority is wrong.
        with pytest.raises(InvalidURL):
            authority_host(authority)
        return
    assert authority_host(authority) == whole


@pytest.mark.parametrize(
    ("url", "authority"),
    [
        ("http://WWW.Example.COM:8080/a%2Fb?c#d", "WWW.Example.COM:8080"),
        ("https://a.example", "a.example"),
        ("http://a.example?q", "a.example"),
        ("http://www.ex%61mple.com/", None),
        ("ftp://www.example.com/", None),
        ("http://www.example.com/\x00", None),
        ("http://www.example.com/é", None),
        ("http://www.example.com/" + "a" * 8200, None),
        ("www.example.com/", None),
    ],
)
def test_plain_authorities(url: str, authority: str | None) -> None:
    assert plain_authority(url) == authority


def test_the_authority_host_is_canonical() -> None:
    assert authority_host("WWW..Example.COM.:8080") == "www.example.com"
    assert authority_host("3221225985") == "192.0.2.1"
    with pytest.raises(InvalidURL):
        authority_host("www.example.com:x")


@pytest.mark.parametrize(
    ("url", "authority"),
    [
        ("HTTP://api.example.com:8080/x", "api.example.com:8080"),
        ("http://user@198.51.100.48/post", "198.51.100.48"),
        ("http://user:pw@www.example.com/", "www.example.com"),
        ("http://a@b@www.example.com/", None),
    ],
)
def test_scheme_case_and_user_information(url: str, authority: str | None) -> None:
    assert plain_authority(url) == authority
    if authority is not None:
        assert authority_host(authority) == canonical_parts(url).host


@pytest.mark.parametrize(
    "url", ["/blah", "/blah#ref", "/blah;param", "http:///blah", "http:/blah", "http://u@/blah"]
)
def test_a_url_without_a_host_has_no_plain_authority(url: str) -> None:
    # The shortcut must not read a host the whole URL does not have.
    assert plain_authority(url) is None
    with pytest.raises(InvalidURL, match="no host"):
        canonical_parts(url)
