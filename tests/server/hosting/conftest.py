"""Fixtures of the hosting tests: offline sources over documentation ranges, and sources that
fail the way a directory does."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from hotlist.errors import LookupFailed
from hotlist.server.kit.lookups import (
    Contacts,
    HostingData,
    HostingSources,
    Network,
    RegistrarContacts,
    offline_sources,
)
from server.reports.factories import assess, file_report, listed_entry

__all__ = ["assess", "file_report", "listed_entry"]

HOSTING_DATA: dict[str, Any] = {
    "hosts": {
        "www.example.com": ["192.0.2.10", "2001:db8::10"],
        "files.example": ["198.51.100.7"],
    },
    "networks": [
        {
            "prefix": "192.0.2.0/24",
            "asn": 64500,
            "name": "Example Hosting Ltd",
            "country": "GB",
            "abuse": ["abuse@hosting.example"],
        },
        {"prefix": "198.51.100.0/24", "asn": 64501, "name": "Elsewhere Hosting"},
    ],
    "domains": {
        "example.com": {"registrar": "Example Registrar", "abuse": ["abuse@registrar.example"]}
    },
}


@pytest.fixture
def hosting_data() -> HostingData:
    return HostingData.parse(HOSTING_DATA)


@pytest.fixture
def sources(hosting_data: HostingData) -> HostingSources:
    return offline_sources(hosting_data)


class Failing:
    """A directory that never answers (each of its questions raises LookupFailed)."""

    source = "failing"

    def __init__(self, why: str) -> None:
        self.why = why

    def addresses(self, host: str) -> list[str]:
        raise LookupFailed(self.why)

    def network(self, ip: str) -> Network:
        raise LookupFailed(self.why)

    def ip_contacts(self, ip: str) -> Contacts:
        raise LookupFailed(self.why)

    def upstream_contacts(self, ip: str) -> Contacts:
        raise LookupFailed(self.why)

    def domain_contacts(self, domain: str) -> RegistrarContacts:
        raise LookupFailed(self.why)


@pytest.fixture
def failing() -> type[Failing]:
    return Failing


def with_parts(sources: HostingSources, **parts: Any) -> HostingSources:
    """``sources`` with some of its directories replaced."""
    return replace(sources, **parts)
