"""The public pages in a real browser: forms, receipts, accessibility, screenshots."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import WebServer

PUBLIC_PAGES = {
    "home": "/",
    "report": "/report",
    "report-status-lookup": "/report/status",
    "appeal": "/appeal",
    "appeal-status-lookup": "/appeal/status",
    "transparency": "/transparency",
}


@pytest.mark.parametrize(("name", "path"), PUBLIC_PAGES.items())
def test_every_public_page_is_accessible(
    page: Any,
    web_server: WebServer,
    name: str,
    path: str,
    axe_check: Callable[[Any], list[dict[str, Any]]],
    screenshot: Callable[[Any, str], Path],
) -> None:
    page.goto(path)
    assert page.locator("h1").count() == 1
    axe_check(page)
    screenshot(page, name)
