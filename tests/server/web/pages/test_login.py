"""Signing in and out of the staff pages: password + code, a new session, lock-out, limits."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from httpx import Response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.server.accounts.models import User
from hotlist.server.db.base import utcnow
from hotlist.server.kit.deps import login_limiter
from hotlist.server.kit.permissions import Role
from hotlist.server.kit.ratelimit import NoLimit
from hotlist.server.web.auth import service as auth
from hotlist.server.web.auth import totp
from hotlist.server.web.security import PLAIN_COOKIE
from server.web.conftest import csrf_of

PASSWORD = "a long enough password"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def staff(
    sessions: sessionmaker[Session], make_user: Callable[..., User]
) -> Callable[[Role], tuple[int, str]]:
    """``staff(role)``: a person who can sign in: their id and TOTP secret."""

    def make(role: Role) -> tuple[int, str]:
        with sessions() as session:
            user = session.merge(make_user(role))
            auth.set_password(session, user, PASSWORD, FAST)
            secret = auth.enroll_totp(session, user).secret
            session.commit()
            return user.id, secret

    return make


def sign_in_form(
    client: TestClient, user_id: int | str, password: str, code: str, next_path: str = "/staff"
) -> Response:
    token = csrf_of(client.get("/login").text)
    response: Response = client.post(
        "/login",
        data={
            "csrf_token": token,
            "user_id": str(user_id),
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
    browser_client: TestClient, staff: Callable[[Role], tuple[int, str]]
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
    browser_client: TestClient, staff: Callable[[Role], tuple[int, str]]
) -> None:
    user_id, secret = staff(Role.ANALYST)
    response = sign_in_form(browser_client, user_id, PASSWORD, now_code(secret), "//example.com/")
    assert response.headers["location"] == "/staff"


def test_wrong_code_is_refused_without_saying_which_part(
    browser_client: TestClient, staff: Callable[[Role], tuple[int, str]]
) -> None:
    user_id, secret = staff(Role.ANALYST)
    wrong = "000000" if now_code(secret) != "000000" else "111111"
    response = sign_in_form(browser_client, user_id, PASSWORD, wrong)
    assert response.status_code == 401
    assert "the user id, password or code is wrong" in response.text


def test_five_failures_lock_the_account(
    browser_client: TestClient, staff: Callable[[Role], tuple[int, str]]
) -> None:
    user_id, secret = staff(Role.ANALYST)
    for _ in range(auth.MAX_FAILURES):
        sign_in_form(browser_client, user_id, "wrong password here", now_code(secret))
    response = sign_in_form(browser_client, user_id, PASSWORD, now_code(secret))
    assert response.status_code == 429
    assert "locked" in response.text


def test_attempts_per_address_are_limited(browser_client: TestClient, web_app: FastAPI) -> None:
    for _ in range(12):
        response = sign_in_form(browser_client, "999999", "wrong password here", "123456")
    assert response.status_code == 429
    assert "too many requests" in response.text


def test_a_login_without_the_form_token_is_refused(
    browser_client: TestClient, staff: Callable[[Role], tuple[int, str]]
) -> None:
    user_id, secret = staff(Role.ANALYST)
    browser_client.get("/login")
    response = browser_client.post(
        "/login", data={"user_id": str(user_id), "password": PASSWORD, "code": now_code(secret)}
    )
    assert response.status_code == 400
    assert browser_client.get("/staff").status_code == 303


def test_signing_out_ends_the_session(
    browser_client: TestClient,
    staff: Callable[[Role], tuple[int, str]],
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
    user_id=st.text(max_size=14),
    password=st.text(max_size=300),
    code=st.text(max_size=10),
    next_path=st.text(max_size=40),
)
def test_any_sign_in_form_is_refused_cleanly(
    browser_client: TestClient,
    web_app: FastAPI,
    user_id: str,
    password: str,
    code: str,
    next_path: str,
) -> None:
    web_app.dependency_overrides[login_limiter] = NoLimit
    response = sign_in_form(browser_client, user_id, password, code, next_path)
    assert response.status_code in {401, 422}
    assert 'name="next"' in response.text
    assert browser_client.get("/staff").status_code == 303
