"""The admins' pages over HTTP: organisations, people, keys shown once and revoked."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.server.accounts import service as accounts
from hotlist.server.accounts.models import User
from hotlist.server.kit.permissions import Role
from server.web.conftest import csrf_of

SignIn = Callable[[TestClient, int], None]


@pytest.fixture
def admin(browser_client: TestClient, make_user: Callable[..., User], sign_in: SignIn) -> User:
    """A signed-in admin."""
    user = make_user(Role.ADMIN)
    sign_in(browser_client, user.id)
    return user


def test_an_admin_adds_an_organisation_and_a_person(
    browser_client: TestClient, admin: User
) -> None:
    page = browser_client.get("/staff/admin/orgs").text
    created = browser_client.post(
        "/staff/admin/orgs",
        data={"csrf_token": csrf_of(page), "name": "Example ISP", "kind": "isp"},
    )
    assert created.status_code == 303
    assert "Example ISP" in browser_client.get("/staff/admin/orgs").text
    again = browser_client.post(
        "/staff/admin/orgs",
        data={"csrf_token": csrf_of(page), "name": "Example ISP", "kind": "isp"},
    )
    assert again.status_code == 409
    assert "exists already" in again.text
    people = browser_client.get("/staff/admin/people").text
    org_id = re.search(r'<option value="(\d+)">Example ISP', people)
    assert org_id is not None
    wrong = browser_client.post(
        "/staff/admin/people",
        data={
            "csrf_token": csrf_of(people),
            "name": "Ana",
            "org": org_id.group(1),
            "role": "analyst",
        },
    )
    assert wrong.status_code == 400
    assert "cannot belong" in wrong.text
    added = browser_client.post(
        "/staff/admin/people",
        data={
            "csrf_token": csrf_of(people),
            "name": "Mo",
            "org": org_id.group(1),
            "role": "member",
        },
    )
    assert added.status_code == 303
    assert "not yet" in browser_client.get("/staff/admin/people").text


def test_a_key_is_shown_once_and_can_be_revoked(
    browser_client: TestClient, admin: User, sessions: sessionmaker[Session]
) -> None:
    page = browser_client.get("/staff/admin/keys").text
    issued = browser_client.post(
        "/staff/admin/keys",
        data={"csrf_token": csrf_of(page), "user_id": str(admin.id), "label": "desk"},
    )
    assert issued.status_code == 201
    key = re.search(r'id="issued-key">(hk_[\w-]+)<', issued.text)
    assert key is not None
    with sessions() as session:
        assert accounts.authenticate(session, key.group(1)) is not None
    listing = browser_client.get("/staff/admin/keys").text
    assert key.group(1) not in listing
    key_id = re.search(r'action="/staff/admin/keys/(\d+)/revoke"', listing)
    assert key_id is not None
    revoked = browser_client.post(
        f"/staff/admin/keys/{key_id.group(1)}/revoke", data={"csrf_token": csrf_of(listing)}
    )
    assert revoked.status_code == 303
    with sessions() as session:
        assert accounts.authenticate(session, key.group(1)) is None
