"""Host suffixes and IP detection."""

from __future__ import annotations

import pytest

from hotlist.urls import host_suffixes, is_ip_host


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("example", ["example"]),
        ("example.com", ["example.com"]),
        ("a.b.example", ["a.b.example", "b.example"]),
        (
            "a.b.c.d.e.f.example",
            ["a.b.c.d.e.f.example", "c.d.e.f.example", "d.e.f.example", "e.f.example", "f.example"],
        ),
        ("b.c.d.e.example", ["b.c.d.e.example", "c.d.e.example", "d.e.example", "e.example"]),
        ("192.0.2.4", ["192.0.2.4"]),
        ("[2001:db8::1]", ["[2001:db8::1]"]),
    ],
)
def test_host_suffixes(host: str, expected: list[str]) -> None:
    assert host_suffixes(host) == expected


def test_is_ip_host() -> None:
    assert is_ip_host("198.51.100.7")
    assert is_ip_host("[2001:db8::1]")
    assert not is_ip_host("www.example.com")
