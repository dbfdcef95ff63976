"""The API explorer (``/docs``) in the system's Chromium with the network off: everything it
needs comes from this server, under its Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .conftest import WebServer

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def test_the_api_explorer_renders_the_operations_offline(
    page: Any, web_server: WebServer, screenshot: Callable[[Any, str], Path]
) -> None:
    left_the_machine: list[str] = []

    def offline(route: Any) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            left_the_machine.append(route.request.url)
            route.abort()

    page.context.route("**/*", offline)
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))

    response = page.goto("/docs")
    assert response.status == 200
    operations = page.locator(".opblock")
    try:
        operations.first.wait_for()
    except Exception as exc:  # say what the page shows instead (Swagger UI's own error)
        shown = page.inner_text("body")[:1000]
        raise AssertionError(
            f"no operation rendered: {problems} {left_the_machine} {shown}"
        ) from exc
    assert operations.count() >= 20
    reports = page.locator(".opblock-summary-path", has_text="/v1/reports").first
    assert reports.is_visible()
    reports.click()  # an operation opens: Swagger UI's script runs, not only its markup
    page.get_by_role("button", name="Try it out").first.wait_for()
    assert left_the_machine == []
    assert problems == []  # no script or style refused by the CSP, no failed load
    screenshot(page, "api-docs")
