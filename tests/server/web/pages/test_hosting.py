"""Hosting on the staff pages over HTTP: the latest lookup on an analyst's entry page, "look up
again", and the admins' intermediaries page; the app reads a hosting data file from its settings
(documentation ranges only)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from fastapi import FastAPI
from starlette.testclient import TestClient

from hotlist.server.accounts.models import User
from hotlist.server.kit.permissions import Role
from server.hosting.conftest import HOSTING_DATA
from server.web.conftest import csrf_of

SignIn = Callable[[TestClient, int], None]
URL = "http://www.example.com/a/b/page.html"


@pytest.fixture
def web_app(make_app: Callable[..., FastAPI], tmp_path: Path) -> FastAPI:
    """The pages' app with offline hosting data (the settings' hosting_data_file)."""
    data_file = tmp_path / "hosting.yaml"
    data_file.write_text(yaml.safe_dump(HOSTING_DATA), encoding="utf-8")
    return make_app(unsafe_http_sessions=True, hosting_data_file=data_file)


def _signed_in(
    client: TestClient, make_user: Callable[..., User], sign_in: SignIn, role: Role
) -> User:
    user = make_user(role)
    sign_in(client, user.id)
    return user


def test_the_entry_page_shows_the_latest_lookup_and_looks_up_again(
    browser_client: TestClient,
    make_user: Callable[..., User],
    sign_in: SignIn,
    listed_entry: Callable[..., str],
) -> None:
    entry = listed_entry(URL)
    _signed_in(browser_client, make_user, sign_in, Role.ANALYST)
    before = browser_client.get(f"/staff/entries/{entry}").text
    assert "Where it is hosted" in before
    assert "Not looked up yet." in before
    looked = browser_client.post(
        f"/staff/entries/{entry}/hosting", data={"csrf_token": csrf_of(before)}
    )
    assert looked.status_code == 303
    assert looked.headers["location"] == f"/staff/entries/{entry}?looked_up=1#hosting"
    after = browser_client.get(looked.headers["location"]).text
    for shown in (
        "192.0.2.10",
        "Example Hosting Ltd (AS64500)",
        "GB",
        "abuse@hosting.example",
        "Example Registrar: abuse@registrar.example",
        "addresses: file",
        "Look up again",
    ):
        assert shown in after, shown
    # The host itself stays behind the logged reveal.
    assert "www.example.com" not in after


def test_an_intermediary_host_is_flagged_on_the_entry_page(
    browser_client: TestClient,
    make_user: Callable[..., User],
    sign_in: SignIn,
    listed_entry: Callable[..., str],
) -> None:
    entry = listed_entry(URL)
    _signed_in(browser_client, make_user, sign_in, Role.ADMIN)
    form = browser_client.get("/staff/admin/intermediaries").text
    browser_client.post(
        "/staff/admin/intermediaries",
        data={"csrf_token": csrf_of(form), "host": "example.com", "kind": "link_echo"},
    )
    _signed_in(browser_client, make_user, sign_in, Role.SUPERVISOR)
    page = browser_client.get(f"/staff/entries/{entry}").text
    assert "The host is under example.com (link echo)" in page


def test_roles_without_hosting_see_no_section_and_cannot_look_up(
    browser_client: TestClient,
    make_user: Callable[..., User],
    sign_in: SignIn,
    listed_entry: Callable[..., str],
) -> None:
    entry = listed_entry(URL)
    _signed_in(browser_client, make_user, sign_in, Role.OBSERVER)
    page = browser_client.get(f"/staff/entries/{entry}")
    assert page.status_code == 200
    assert "Where it is hosted" not in page.text
    refused = browser_client.post(
        f"/staff/entries/{entry}/hosting", data={"csrf_token": csrf_of(page.text)}
    )
    assert refused.status_code == 403


def test_an_admin_adds_and_removes_intermediaries(
    browser_client: TestClient, make_user: Callable[..., User], sign_in: SignIn
) -> None:
    _signed_in(browser_client, make_user, sign_in, Role.ADMIN)
    page = browser_client.get("/staff/admin/intermediaries")
    assert page.status_code == 200
    assert "The list is empty." in page.text
    assert 'href="/staff/admin/intermediaries" aria-current="page"' in page.text
    token = csrf_of(page.text)
    added = browser_client.post(
        "/staff/admin/intermediaries",
        data={"csrf_token": token, "host": "Short.Example", "kind": "shortener", "note": "links"},
    )
    assert added.status_code == 303
    listed = browser_client.get("/staff/admin/intermediaries?added=1").text
    assert "Intermediary added." in listed
    assert "<td>short.example</td><td>shortener</td><td>links</td>" in listed
    again = browser_client.post(
        "/staff/admin/intermediaries",
        data={"csrf_token": token, "host": "short.example", "kind": "shortener"},
    )
    assert again.status_code == 409
    assert "short.example is on the intermediaries list already" in again.text
    assert 'value="short.example"' in again.text  # what was typed is kept
    wrong = browser_client.post(
        "/staff/admin/intermediaries",
        data={"csrf_token": token, "host": "a.example", "kind": "cdn"},
    )
    assert wrong.status_code == 400
    assert "unknown intermediary kind" in wrong.text
    row = re.search(r'action="/staff/admin/intermediaries/(\d+)/removal"', listed)
    assert row is not None
    removed = browser_client.post(
        f"/staff/admin/intermediaries/{row.group(1)}/removal", data={"csrf_token": token}
    )
    assert removed.status_code == 303
    after = browser_client.get("/staff/admin/intermediaries").text
    assert "The list is empty." in after
    assert "Taken off the list" in after
    twice = browser_client.post(
        f"/staff/admin/intermediaries/{row.group(1)}/removal", data={"csrf_token": token}
    )
    assert twice.status_code == 404


def test_only_admins_reach_the_intermediaries_page(
    browser_client: TestClient, make_user: Callable[..., User], sign_in: SignIn
) -> None:
    _signed_in(browser_client, make_user, sign_in, Role.ANALYST)
    assert browser_client.get("/staff/admin/intermediaries").status_code == 403
    assert "/staff/admin/intermediaries" not in browser_client.get("/staff").text
