"""Fixtures shared by the due-process features (objections, appeals): decisions by others."""

from collections.abc import Callable

import pytest

from hotlist.server.kit.principal import Principal

__all__ = ["other_supervisor"]


@pytest.fixture
def other_supervisor(
    make_key: Callable[..., tuple[str, Principal]],
) -> Callable[[], dict[str, str]]:
    """``other_supervisor()``: headers of a new supervisor, not the one ``auth`` gives."""

    def make() -> dict[str, str]:
        secret, _principal = make_key("supervisor")
        return {"Authorization": f"Bearer {secret}"}

    return make
