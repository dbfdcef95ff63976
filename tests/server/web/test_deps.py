"""``page(permission)``: who gets a page, who is sent to sign in, and CSRF on a session's POST."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.server.access_log.models import AccessLog
from hotlist.server.accounts.models import User
from hotlist.server.db.base import utcnow
from hotlist.server.kit.deps import route_permission
from hotlist.server.kit.permissions import Permission, Role
from hotlist.server.kit.principal import Principal
from hotlist.server.web.deps import PageForm, form_text, page
from hotlist.server.web.rendering import render

from .conftest import HTML, csrf_of

Queue = Annotated[Principal, Depends(page(Permission.REPORTS_READ))]
Decide = Annotated[Principal, Depends(page(Permission.APPEALS_DECIDE))]


def _staff_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/test-queue", response_class=HTMLResponse)
    def queue(request: Request, principal: Queue) -> HTMLResponse:
        return render(request, "error.html", status=200, title="queue", message=principal.role)

    @router.post("/test-decide", response_class=HTMLResponse)
    def decide(request: Request, principal: Decide, form: PageForm) -> HTMLResponse:
        return HTMLResponse(f"decided {form_text(form, 'outcome')} by {principal.user_id}")

    return router


@pytest.fixture
def staff_app(web_app: FastAPI) -> FastAPI:
    web_app.include_router(_staff_router())
    return web_app


@pytest.fixture
def browser(staff_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(
        staff_app, base_url="http://127.0.0.1", headers=HTML, follow_redirects=False
    ) as client:
        yield client


@pytest.fixture
def script(staff_app: FastAPI) -> Iterator[TestClient]:
    """A client that does not ask for HTML (a script, the API's clients)."""
    with TestClient(staff_app, base_url="http://127.0.0.1", follow_redirects=False) as client:
        yield client


def test_the_dependency_names_its_permission() -> None:
    router = _staff_router()
    permissions = {route.path: route_permission(route) for route in router.routes}  # type: ignore[arg-type]
    assert permissions == {
        "/test-queue": Permission.REPORTS_READ,
        "/test-decide": Permission.APPEALS_DECIDE,
    }


def test_a_browser_without_a_session_is_sent_to_sign_in(browser: TestClient) -> None:
    response = browser.get("/test-queue?status=received")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Ftest-queue%3Fstatus%3Dreceived"


def test_a_script_without_credentials_gets_401_problem(script: TestClient) -> None:
    response = script.get("/test-queue")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_an_api_key_works_as_for_the_api(
    script: TestClient, auth: Callable[[Role | str], dict[str, str]]
) -> None:
    assert script.get("/test-queue", headers=auth(Role.ANALYST)).status_code == 200
    refused = script.get("/test-queue", headers=auth(Role.MEMBER))
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    # No CSRF token is needed with a key: a browser never sends one on its own.
    decided = script.post("/test-decide", data={"outcome": "upheld"}, headers=auth(Role.SUPERVISOR))
    assert decided.status_code == 200


def test_a_signed_in_person_gets_the_pages_of_their_role(
    browser: TestClient,
    make_user: Callable[..., User],
    sign_in: Callable[[TestClient, int], None],
) -> None:
    sign_in(browser, make_user(Role.ANALYST).id)
    page_ = browser.get("/test-queue")
    assert page_.status_code == 200
    assert "analyst" in page_.text
    token = csrf_of(browser.get("/report").text)
    refused = browser.post("/test-decide", data={"csrf_token": token, "outcome": "upheld"})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "Only the <strong>supervisor</strong> role has it." in refused.text
    assert "appeals:decide" not in refused.text


def test_a_sessions_post_needs_its_token(
    browser: TestClient,
    make_user: Callable[..., User],
    sign_in: Callable[[TestClient, int], None],
) -> None:
    supervisor = make_user(Role.SUPERVISOR)
    sign_in(browser, supervisor.id)
    assert browser.post("/test-decide", data={"outcome": "upheld"}).status_code == 400
    token = csrf_of(browser.get("/report").text)
    done = browser.post("/test-decide", data={"csrf_token": token, "outcome": "upheld"})
    assert done.status_code == 200
    assert done.text == f"decided upheld by {supervisor.id}"


def test_a_stranger_learns_nothing_but_sign_in(browser: TestClient) -> None:
    response = browser.post("/test-decide", data={"outcome": "upheld"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_a_disabled_person_is_signed_out(
    browser: TestClient,
    make_user: Callable[..., User],
    sign_in: Callable[[TestClient, int], None],
    sessions: sessionmaker[Session],
) -> None:
    analyst = make_user(Role.ANALYST)
    sign_in(browser, analyst.id)
    assert browser.get("/test-queue").status_code == 200
    with sessions() as db:
        db.get_one(User, analyst.id).disabled_at = utcnow()
        db.commit()
    response = browser.get("/test-queue")
    assert response.status_code == 303
    assert "Max-Age=0" in response.headers["set-cookie"]


def test_an_observers_page_views_are_in_the_access_log(
    browser: TestClient,
    make_user: Callable[..., User],
    sign_in: Callable[[TestClient, int], None],
    sessions: sessionmaker[Session],
) -> None:
    observer = make_user(Role.OBSERVER)
    sign_in(browser, observer.id)
    assert browser.get("/test-queue").status_code == 200
    with sessions() as db:
        rows = db.scalars(select(AccessLog).where(AccessLog.user_id == observer.id)).all()
    assert [(row.action, row.subject_id) for row in rows] == [
        ("observer.request", "GET /test-queue")
    ]


def test_a_public_page_looks_at_no_key(script: TestClient) -> None:
    response = script.get("/report", headers={"Authorization": "Bearer not-a-key"})
    assert response.status_code == 200


def test_an_observers_public_page_views_are_logged_too(
    browser: TestClient,
    make_user: Callable[..., User],
    sign_in: Callable[[TestClient, int], None],
    sessions: sessionmaker[Session],
) -> None:
    observer = make_user(Role.OBSERVER)
    sign_in(browser, observer.id)
    assert browser.get("/transparency").status_code == 200
    with sessions() as db:
        subjects = db.scalars(
            select(AccessLog.subject_id).where(AccessLog.user_id == observer.id)
        ).all()
    assert subjects == ["GET /transparency"]


def test_a_forged_session_is_no_session(browser: TestClient) -> None:
    browser.cookies.set("hotlist-session", "eyJ1IjoxfQ.AAAA")
    assert browser.get("/test-queue").status_code == 303
