"""One loopback rule for the server's public URL and the edge's list server."""

from __future__ import annotations

import pytest

from hotlist.urls import is_loopback_url


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://127.1.2.3/", True),
        ("http://[::1]:8000/", True),
        ("http://localhost:8000", True),
        ("http://LOCALHOST.:8000", True),
        ("http://app.localhost/", True),
        ("http://0.0.0.0:8000", True),
        ("http://[::]:8000", True),
        ("https://hotline.example", False),
        ("http://192.0.2.10:8000", False),
        ("http://[2001:db8::1]/", False),
        ("https://localhost.example/", False),
    ],
)
def test_loopback_urls_are_recognised(url: str, loopback: bool) -> None:
    assert is_loopback_url(url) is loopback


@pytest.mark.parametrize("url", ["http://[::1", "not a url", "", "http:///path"])
def test_a_url_without_a_usable_host_is_not_loopback(url: str) -> None:
    assert is_loopback_url(url) is False
