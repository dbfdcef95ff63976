"""Fixtures for the pages' tests: a browser-like client (asks for HTML, keeps cookies, plain
HTTP on loopback with ``HOTLIST_UNSAFE_HTTP_SESSIONS=1``) and helpers to read forms."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from hotlist.server.web.security import PLAIN_COOKIE, WebSecurity, WebSession
from server.reports.factories import assess, file_report, listed_entry

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2", category=UserWarning)
    from starlette.testclient import TestClient

__all__ = ["assess", "file_report", "listed_entry"]

HTML = {"accept": "text/html,application/xhtml+xml"}
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def web_app(make_app: Callable[..., FastAPI]) -> FastAPI:
    """The app, allowed to set its session cookie without Secure on plain-HTTP loopback."""
    return make_app(unsafe_http_sessions=True)


@pytest.fixture
def browser_client(web_app: FastAPI) -> Iterator[TestClient]:
    """A client that behaves like a browser: asks for HTML, keeps cookies, no redirects
    followed (tests look at them)."""
    with TestClient(
        web_app, base_url="http://127.0.0.1", headers=HTML, follow_redirects=False
    ) as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    """The CSRF token in a page's form."""
    match = _TOKEN.search(html)
    assert match is not None, "the page has no CSRF field"
    return match.group(1)


def field_errors(html: str) -> dict[str, str]:
    """Field id -> the error shown beside it."""
    return dict(re.findall(r'class="field-error" id="([\w-]+)-error">([^<]*)<', html))


def post_form(client: TestClient, path: str, form_page: str, **fields: Any) -> Any:
    """GET ``form_page`` for a token, then POST ``fields`` with it to ``path``."""
    token = csrf_of(client.get(form_page).text)
    return client.post(path, data={"csrf_token": token, **fields})


@pytest.fixture
def sign_in(web_app: FastAPI) -> Callable[[TestClient, int], None]:
    """``sign_in(client, user_id)``: give the client a signed-in session (no login page)."""

    def give(client: TestClient, user_id: int) -> None:
        security: WebSecurity = web_app.state.web.security
        now = security.codec.clock()
        value = security.codec.encode(WebSession.new(now).signed_in(user_id, now))
        client.cookies.set(PLAIN_COOKIE, value)

    return give
