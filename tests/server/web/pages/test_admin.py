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


def test_an_admin_disables_a_person_through_a_confirmation_step(
    web_app: object,
    browser_client: TestClient,
    admin: User,
    make_user: Callable[..., User],
    sign_in: SignIn,
    sessions: sessionmaker[Session],
) -> None:
    from fastapi import FastAPI

    assert isinstance(web_app, FastAPI)
    ana = make_user(Role.ANALYST, name="Ana Example")
    with sessions() as db_session:
        accounts.issue_key(db_session, user=db_session.merge(ana), label="desk")
        db_session.commit()
    with TestClient(
        web_app,
        base_url="http://127.0.0.1",
        headers={"accept": "text/html"},
        follow_redirects=False,
    ) as other:
        sign_in(other, ana.id)
        assert other.get("/staff/queue").status_code == 200

        listed = browser_client.get("/staff/admin/people", params={"role": "analyst"}).text
        assert "Ana Example" in listed
        assert f"/staff/admin/people/{admin.id}/disable" not in listed
        everyone = browser_client.get("/staff/admin/people").text
        assert f"/staff/admin/people/{ana.id}/disable" in everyone
        assert f"/staff/admin/people/{admin.id}/disable" not in everyone  # not oneself
        confirm = browser_client.get(f"/staff/admin/people/{ana.id}/disable")
        assert confirm.status_code == 200
        assert "Disable Ana Example?" in confirm.text
        assert "their 1 API key" in confirm.text
        assert "sign them out" in confirm.text

        missing = browser_client.post(
            f"/staff/admin/people/{ana.id}/disable",
            data={"csrf_token": csrf_of(confirm.text), "reason": "  "},
        )
        assert missing.status_code == 400
        assert 'id="reason-error"' in missing.text
        assert 'aria-invalid="true"' in missing.text

        done = browser_client.post(
            f"/staff/admin/people/{ana.id}/disable",
            data={"csrf_token": csrf_of(confirm.text), "reason": "left the team"},
        )
        assert done.status_code == 303
        assert other.get("/staff/queue").status_code in {303, 401, 403}
        after = browser_client.get(done.headers["location"]).text
        assert "Person disabled" in after
        assert f"/staff/admin/people/{ana.id}/enable" in after
        only_disabled = browser_client.get("/staff/admin/people", params={"state": "disabled"})
        assert "Ana Example" in only_disabled.text
        assert f"/staff/admin/people/{admin.id}/" not in only_disabled.text

        again = browser_client.post(
            f"/staff/admin/people/{ana.id}/disable",
            data={"csrf_token": csrf_of(confirm.text), "reason": "kept on error"},
        )
        assert again.status_code == 409
        assert "kept on error" in again.text
        assert "disabled already" in again.text

        enable = browser_client.get(f"/staff/admin/people/{ana.id}/enable")
        assert "left the team" in enable.text
        enabled = browser_client.post(
            f"/staff/admin/people/{ana.id}/enable",
            data={"csrf_token": csrf_of(enable.text), "reason": "back"},
        )
        assert enabled.status_code == 303
        assert browser_client.get(f"/staff/admin/people/{ana.id}/rename").status_code == 404
