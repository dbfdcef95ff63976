"""Fixtures of the report -> assessment -> entry flow, and of decisions by other people."""

from collections.abc import Callable

import pytest

from hotlist.server.kit.principal import Principal
from server.reports.factories import assess, file_report, listed_entry

__all__ = ["assess", "file_report", "listed_entry", "other_supervisor"]


@pytest.fixture
def other_supervisor(
    make_key: Callable[..., tuple[str, Principal]],
) -> Callable[[], dict[str, str]]:
    """``other_supervisor()``: headers of a new supervisor, not the one ``auth`` gives."""

    def make() -> dict[str, str]:
        secret, _principal = make_key("supervisor")
        return {"Authorization": f"Bearer {secret}"}

    return make
