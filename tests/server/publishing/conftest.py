"""Fixtures for publishing: the report -> entry flow, and a publisher in the test's data dir."""

from __future__ import annotations

import pytest

from hotlist.publish.publisher import Publisher
from hotlist.server.config import Settings
from hotlist.server.publishing.service import make_publisher
from server.reports.factories import assess, file_report, listed_entry

__all__ = ["assess", "file_report", "listed_entry", "publisher"]


@pytest.fixture
def publisher(settings: Settings) -> Publisher:
    """The server's publisher, keys made on first use in the test's data directory."""
    return make_publisher(settings, create_keys=True)
