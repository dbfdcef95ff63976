"""Signing in and out of the staff pages: password + code, a new session, no lock-out by
strangers, growing waits per address and after wrong codes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from httpx import Response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.server.accounts.models import User
from hotlist.server.db.base import utcnow
from hotlist.server.kit.permissions import Role
from hotlist.server.web.auth import service as auth
from hotlist.server.web.auth import throttle, totp
from hotlist.server.web.auth.models import UserLogin
from hotlist.server.web.auth.throttle import FailureThrottle
from hotlist.server.web.pages.login import login_throttle
from hotlist.server.web.security import PLAIN_COOKIE
from server.web.conftest import HTML, csrf_of

PASSWORD = "a long enough password"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def staff(
    sessions: sessionmaker[Session], make_user: Callable[..., User]
) -> Callable[[Role], tuple[str, str]]:
    """``staff(role)``: a person who can sign in: their login name and TOTP secret."""

    def make(role: Role) -> tuple[str, str]:
        with sessions() as session:
            user = session.merge(make_user(role))
            login = auth.set_password(session, user, PASSWORD, FAST)
            secret = auth.enroll_totp(session, user).secret
            session.commit()
            return login, secret

    return make


def sign_in_form(
    client: TestClient, login: str, password: str, code: str, next_path: str = "/staff"
) -> Response:
    token = csrf_of(client.get("/login").text)
    response: Response = client.post(
        "/login",
        data={
            "csrf_token": token,
            "login": login,
            "password": password,
            "code": code,
            "next": next_path,
        },
    )
    return response


def now_code(secret: str) -> str:
    return totp.code_at(secret, utcnow().timestamp())


def test_a_staff_page_sends_a_stranger_to_sign_in(browser_client: TestClient) -> None:
    response = browser_client.get("/staff/queue?status=received")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=%2Fstaff%2Fqueue")


def test_signing_in_replaces_the_session_and_goes_on(
    browser_client: TestClient, staff: Callable[[Role], tuple[str, str]]
) -> None:
    user_id, secret = staff(Role.ANALYST)
    browser_client.get("/login")
    before = browser_client.cookies.get(PLAIN_COOKIE)
    response = sign_in_form(browser_client, user_id, PASSWORD, now_code(secret), "/staff/queue")
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/queue"
    after = browser_client.cookies.get(PLAIN_COOKIE)
    assert after
    assert after != before
    assert browser_client.get("/staff/queue").status_code == 200


def test_a_foreign_next_is_ignored(
    browser_client: TestClient, staff: Callable[[Role], tuple[str, str]]
) -> None:
    user_id, secret = staff(Role.ANALYST)
    response = sign_in_form(browser_client, user_id, PASSWORD, now_code(secret), "//example.com/")
    assert response.headers["location"] == "/staff"


def test_wrong_code_is_refused_without_saying_which_part(
    browser_client: TestClient, staff: Callable[[Role], tuple[str, str]]
) -> None:
    user_id, secret = staff(Role.ANALYST)
    wrong = "000000" if now_code(secret) != "000000" else "111111"
    response = sign_in_form(browser_client, user_id, PASSWORD, wrong)
    assert response.status_code == 401
    assert "the login name, password or code is wrong" in response.text


def test_strangers_cannot_lock_an_account(
    web_app: FastAPI, staff: Callable[[Role], tuple[str, str]]
) -> None:
    """Wrong passwords from many addresses, for a user id anyone can guess: its owner still
    signs in, from their own address, at once."""
    user_id, secret = staff(Role.ANALYST)
    for number in range(30):
        with _client(web_app, f"203.0.113.{number}") as stranger:
            response = sign_in_form(stranger, user_id, "wrong password here", "123456")
            assert response.status_code == 401
    with _client(web_app, "198.51.100.7") as owner:
        response = sign_in_form(owner, user_id, PASSWORD, now_code(secret))
    assert response.status_code == 303


def test_failures_from_an_address_make_it_wait_longer(browser_client: TestClient) -> None:
    for _ in range(throttle.ADDRESS_FREE_FAILURES):
        assert (
            sign_in_form(
                browser_client, "nobody.abcdefghjk", "wrong password here", "123456"
            ).status_code
            == 401
        )
    response = sign_in_form(browser_client, "nobody.abcdefghjk", "wrong password here", "123456")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert "too many failed sign-ins from your address" in response.text


def test_the_wait_after_wrong_codes_is_shown_to_the_password_holder(
    web_app: FastAPI, staff: Callable[[Role], tuple[str, str]]
) -> None:
    user_id, secret = staff(Role.ANALYST)
    right = now_code(secret)
    wrong = next(c for c in ("000000", "111111", "222222") if c != right)
    with _client(web_app, "198.51.100.8") as client:
        for _ in range(auth.FREE_CODE_FAILURES):
            assert sign_in_form(client, user_id, PASSWORD, wrong).status_code == 401
        response = sign_in_form(client, user_id, PASSWORD, now_code(secret))
        assert response.status_code == 429
        assert response.headers["Retry-After"] == str(auth.CODE_WAIT_BASE_S)
        assert "someone else knows your password" in response.text
        assert sign_in_form(client, user_id, "wrong password here", wrong).status_code == 401


def _client(app: FastAPI, address: str) -> TestClient:
    return TestClient(
        app,
        base_url="http://127.0.0.1",
        headers=HTML,
        follow_redirects=False,
        client=(address, 50000),
    )


def test_a_login_without_the_form_token_is_refused(
    browser_client: TestClient, staff: Callable[[Role], tuple[str, str]]
) -> None:
    user_id, secret = staff(Role.ANALYST)
    browser_client.get("/login")
    response = browser_client.post(
        "/login", data={"login": user_id, "password": PASSWORD, "code": now_code(secret)}
    )
    assert response.status_code == 400
    assert browser_client.get("/staff").status_code == 303


def test_signing_out_ends_the_session(
    browser_client: TestClient,
    staff: Callable[[Role], tuple[str, str]],
) -> None:
    user_id, secret = staff(Role.SUPERVISOR)
    sign_in_form(browser_client, user_id, PASSWORD, now_code(secret))
    home = browser_client.get("/staff")
    assert home.status_code == 200
    response = browser_client.post("/logout", data={"csrf_token": csrf_of(home.text)})
    assert response.status_code == 303
    assert browser_client.get("/staff").status_code == 303


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    login=st.text(max_size=70),
    password=st.text(max_size=300),
    code=st.text(max_size=10),
    next_path=st.text(max_size=40),
)
def test_any_sign_in_form_is_refused_cleanly(
    browser_client: TestClient,
    web_app: FastAPI,
    login: str,
    password: str,
    code: str,
    next_path: str,
) -> None:
    unlimited = FailureThrottle(free=10_000, base_s=1, cap_s=1)
    web_app.dependency_overrides[login_throttle] = lambda: unlimited
    response = sign_in_form(browser_client, login, password, code, next_path)
    assert response.status_code in {401, 422}
    assert 'name="next"' in response.text
    assert browser_client.get("/staff").status_code == 303


def test_the_user_id_no_longer_signs_in(
    browser_client: TestClient,
    staff: Callable[[Role], tuple[str, str]],
    sessions: sessionmaker[Session],
) -> None:
    login, secret = staff(Role.ANALYST)
    with sessions() as session:
        user_id = session.scalar(select(UserLogin.user_id).where(UserLogin.login_name == login))
    assert sign_in_form(browser_client, str(user_id), PASSWORD, now_code(secret)).status_code == 401
    assert sign_in_form(browser_client, login, PASSWORD, now_code(secret)).status_code == 303
