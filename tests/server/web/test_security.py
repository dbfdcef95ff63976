"""Sessions, cookies, CSRF and security headers, through the codec and through the app."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from hotlist.errors import ConfigError
from hotlist.server.config import Settings
from hotlist.server.web.security import (
    CONTENT_SECURITY_POLICY,
    PLAIN_COOKIE,
    SECURE_COOKIE,
    SessionCodec,
    SessionState,
    WebSession,
    load_session_key,
    session_state,
)

from .conftest import HTML, csrf_of

KEY = bytes(range(32))
NOW = 1_800_000_000.0


def codec(now: float = NOW, key: bytes = KEY) -> SessionCodec:
    return SessionCodec(key, lifetime_s=3600, clock=lambda: now)


sessions_strategy = st.builds(
    WebSession,
    sid=st.text(min_size=1, max_size=40),
    csrf=st.text(min_size=1, max_size=40),
    issued=st.integers(int(NOW) - 3000, int(NOW)),
    user_id=st.none() | st.integers(1, 2**53),
)


@settings(max_examples=60)
@given(sessions_strategy)
def test_a_session_reads_back_as_signed(session: WebSession) -> None:
    assert codec().decode(codec().encode(session)) == session


@settings(max_examples=60)
@given(sessions_strategy, st.data())
def test_any_change_to_the_cookie_is_refused(session: WebSession, data: st.DataObject) -> None:
    value = codec().encode(session)
    position = data.draw(st.integers(0, len(value) - 1))
    replacement = data.draw(st.sampled_from("AQZaqz09-_."))
    tampered = value[:position] + replacement + value[position + 1 :]
    if tampered != value:
        assert codec().decode(tampered) is None


@settings(max_examples=100)
@given(st.text(max_size=2000))
def test_junk_is_no_session_and_no_error(value: str) -> None:
    assert codec().decode(value) is None


def test_expired_future_and_foreign_sessions_are_refused() -> None:
    value = codec().encode(WebSession.new(NOW))
    assert codec(now=NOW + 3599).decode(value) is not None
    assert codec(now=NOW + 3601).decode(value) is None
    assert codec(now=NOW - 3600).decode(value) is None
    assert codec(key=bytes(32)).decode(value) is None


def test_signing_in_changes_the_session_id_and_token() -> None:
    before = WebSession.new(NOW)
    after = before.signed_in(7, NOW)
    assert after.user_id == 7
    assert after.sid != before.sid
    assert after.csrf != before.csrf


def test_session_key_from_the_environment(tmp_path: Path) -> None:
    def key(text: str) -> bytes:
        return load_session_key(Settings.load(tmp_path, environ={"HOTLIST_SESSION_KEY": text}))

    assert key("ab" * 32) == bytes([0xAB]) * 32
    with pytest.raises(ConfigError, match="hexadecimal"):
        key("not hex")
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        key("ab" * 16)


def test_session_key_file_is_made_once_owner_only(tmp_path: Path) -> None:
    settings_ = Settings(database_url="sqlite://", data_dir=tmp_path / "data")
    first = load_session_key(settings_)
    path = tmp_path / "data" / "session.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_session_key(settings_) == first
    assert len(first) == 32


def test_a_damaged_key_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "session.key").write_text("short\n")
    with pytest.raises(ConfigError, match=r"session\.key"):
        load_session_key(Settings(database_url="sqlite://", data_dir=tmp_path))


def test_without_data_dir_each_process_has_its_own_key() -> None:
    settings_ = Settings(database_url="sqlite://")
    assert load_session_key(settings_) != load_session_key(settings_)


def _cookie_header(client: TestClient, path: str = "/report") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.headers["set-cookie"]


@pytest.mark.parametrize(
    ("unsafe", "base_url", "name", "secure"),
    [
        (False, "http://127.0.0.1", SECURE_COOKIE, True),
        (True, "http://127.0.0.1", PLAIN_COOKIE, False),
        (True, "http://localhost", PLAIN_COOKIE, False),
        (True, "http://hotlist.test", SECURE_COOKIE, True),
        (True, "https://127.0.0.1", SECURE_COOKIE, True),
    ],
)
def test_the_cookie_is_secure_except_on_plain_http_loopback_when_allowed(
    make_app: Callable[..., FastAPI],
    unsafe: bool,
    base_url: str,
    name: str,
    secure: bool,
) -> None:
    app = make_app(unsafe_http_sessions=unsafe)
    with TestClient(app, base_url=base_url, headers=HTML) as client:
        header = _cookie_header(client)
    assert header.startswith(f"{name}=")
    attributes = {part.strip().split("=")[0] for part in header.split(";")[1:]}
    assert {"Path", "SameSite", "HttpOnly", "Max-Age"} <= attributes
    assert "SameSite=Lax" in header
    assert ("Secure" in attributes) is secure


def test_a_page_without_a_form_sets_no_cookie(browser_client: TestClient) -> None:
    assert "set-cookie" not in browser_client.get("/").headers


def test_the_session_survives_between_requests(browser_client: TestClient) -> None:
    first = csrf_of(browser_client.get("/report").text)
    second = browser_client.get("/report")
    assert csrf_of(second.text) == first
    assert "set-cookie" not in second.headers


@pytest.mark.parametrize("path", ["/", "/report", "/transparency", "/v1/transparency", "/nowhere"])
def test_every_response_carries_the_security_headers(browser_client: TestClient, path: str) -> None:
    headers = browser_client.get(path).headers
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"


def test_pages_have_no_inline_script_or_style(browser_client: TestClient) -> None:
    for path in ("/", "/report", "/report/status", "/appeal", "/appeal/status", "/transparency"):
        html = browser_client.get(path).text
        assert "<script" not in html
        assert "<style" not in html
        assert " style=" not in html
        assert " on" + "click=" not in html


def test_static_files_are_served(browser_client: TestClient) -> None:
    css = browser_client.get("/static/hotlist.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    htmx = browser_client.get("/static/htmx.min.js")
    assert htmx.status_code == 200
    assert "javascript" in htmx.headers["content-type"]


def _report(client: TestClient, token: str | None, **headers: str) -> int:
    data = {"url": "http://www.example.com/csrf.html"}
    if token is not None:
        data["csrf_token"] = token
    return client.post("/report", data=data, headers=headers).status_code


def test_a_form_needs_its_sessions_token(browser_client: TestClient) -> None:
    token = csrf_of(browser_client.get("/report").text)
    assert _report(browser_client, None) == 400
    assert _report(browser_client, "x" + token) == 400
    assert _report(browser_client, token) == 303


def test_a_token_from_another_session_is_refused(
    browser_client: TestClient, web_app: FastAPI
) -> None:
    with TestClient(web_app, base_url="http://127.0.0.1", headers=HTML) as other:
        stolen = csrf_of(other.get("/report").text)
    csrf_of(browser_client.get("/report").text)
    assert _report(browser_client, stolen) == 400


def test_a_form_sent_by_another_site_is_refused(browser_client: TestClient) -> None:
    token = csrf_of(browser_client.get("/report").text)
    assert _report(browser_client, token, **{"sec-fetch-site": "cross-site"}) == 400
    assert _report(browser_client, token, origin="http://evil.example") == 400
    assert _report(browser_client, token, origin="http://127.0.0.1") == 303
    # Behind a TLS-terminating proxy the browser's origin is https; the host is what counts.
    assert _report(browser_client, token, origin="https://127.0.0.1") == 303
    assert _report(browser_client, token, origin="http://127.0.0.1:8443") == 400
    assert _report(browser_client, token, **{"sec-fetch-site": "same-origin"}) == 303


def test_the_csrf_refusal_is_a_page_for_browsers(browser_client: TestClient) -> None:
    response = browser_client.post("/report", data={"url": "http://www.example.com/"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "reload the page" in response.text


def test_session_state_starts_signs_in_and_out() -> None:
    state = SessionState(None, clock=lambda: NOW)
    assert state.user_id is None
    assert not state.changed
    first = state.ensure()
    assert state.ensure() is first
    assert state.changed
    state.sign_in(5)
    assert state.user_id == 5
    assert state.current is not None
    assert state.current.csrf != first.csrf
    state.sign_out()
    assert state.current is None
    assert state.user_id is None


def test_signing_out_clears_the_cookie(web_app: FastAPI) -> None:
    @web_app.get("/test-sign-out")
    def sign_out(request: Request) -> dict[str, str]:
        session_state(request).sign_out()
        return {}

    with TestClient(web_app, base_url="http://127.0.0.1", headers=HTML) as client:
        csrf_of(client.get("/report").text)
        response = client.get("/test-sign-out")
    assert response.headers["set-cookie"].startswith(f"{PLAIN_COOKIE}=;")
    assert "Max-Age=0" in response.headers["set-cookie"]


def test_another_spelling_of_a_signed_cookie_is_refused() -> None:
    value = codec().encode(WebSession.new(NOW))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    # The signature's last base64 character carries two unused bits: flipping one spells the
    # same bytes, which base64 decoders accept.
    variant = value[:-1] + alphabet[alphabet.index(value[-1]) ^ 1]
    assert variant != value
    assert codec().decode(variant) is None
    assert codec().decode(value) is not None
