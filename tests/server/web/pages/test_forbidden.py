"""The 403 page a signed-in person meets on a page their role lacks: inside the staff layout,
naming the page, the roles that have it (read from the permission table) and who grants it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from hotlist.server.accounts.models import User
from hotlist.server.kit.permissions import ROLE_PERMISSIONS, Permission, Role, roles_with
from server.web.conftest import csrf_of

SignIn = Callable[[TestClient, int], None]


def _main(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_roles_with_reads_the_table() -> None:
    for permission in Permission:
        expected = {role for role, held in ROLE_PERMISSIONS.items() if permission in held}
        assert set(roles_with(permission)) == expected
    assert roles_with(Permission.ENTRIES_TRANSITION) == (Role.SUPERVISOR,)
    assert roles_with(Permission.AUDIT_SAMPLE) == (Role.SUPERVISOR, Role.ADMIN)


def test_an_analyst_on_a_supervisors_page_sees_the_staff_403(
    browser_client: TestClient, make_user: Callable[..., User], sign_in: SignIn
) -> None:
    admin = make_user(Role.ADMIN, name="Ada Admin")
    analyst = make_user(Role.ANALYST, name="Ann Analyst")
    sign_in(browser_client, analyst.id)
    page = browser_client.get("/staff/review")
    assert page.status_code == 403
    assert page.headers["content-type"].startswith("text/html")
    # The staff layout: its navigation and who is signed in, not the public header.
    assert 'href="/staff/queue"' in page.text
    assert f"Signed in as Ann Analyst (#{analyst.id}, analyst)" in page.text
    assert 'href="/report"' not in page.text
    main = _main(page.text)
    assert "<code>/staff/review</code>" in main
    assert "<strong>analyst</strong>" in main
    assert "Only the <strong>supervisor</strong> role has it." in main
    assert f"Ada Admin (#{admin.id})" in main
    assert "lacks permission" not in page.text
    assert "entries:transition" not in page.text
    assert "<form" not in main


def test_an_admin_only_page_names_the_admin_role(
    browser_client: TestClient, make_user: Callable[..., User], sign_in: SignIn
) -> None:
    sign_in(browser_client, make_user(Role.ANALYST).id)
    page = browser_client.get("/staff/admin/orgs")
    assert page.status_code == 403
    assert "Only the <strong>admin</strong> role has it." in _main(page.text)


def test_a_page_of_several_roles_names_each(
    browser_client: TestClient, make_user: Callable[..., User], sign_in: SignIn
) -> None:
    sign_in(browser_client, make_user(Role.ANALYST).id)
    page = browser_client.get("/staff/audit")
    assert page.status_code == 403
    main = _main(page.text)
    names = re.findall(r"<strong>(\w+)</strong>", main.split("The roles that have it:", 1)[1])
    assert set(names[:3]) == {r.value for r in roles_with(Permission.AUDIT_READ)}


def test_a_refused_post_says_the_action(
    browser_client: TestClient, make_user: Callable[..., User], sign_in: SignIn
) -> None:
    sign_in(browser_client, make_user(Role.ANALYST).id)
    token = csrf_of(browser_client.get("/staff").text)
    page = browser_client.post("/staff/admin/orgs", data={"csrf_token": token, "name": "X"})
    assert page.status_code == 403
    assert "The action you sent to <code>/staff/admin/orgs</code>" in page.text


@pytest.mark.parametrize("path", ["/staff/entries/0000000000000000", "/staff/reports/999999"])
def test_other_errors_of_a_signed_in_person_keep_the_staff_layout(
    browser_client: TestClient, make_user: Callable[..., User], sign_in: SignIn, path: str
) -> None:
    sign_in(browser_client, make_user(Role.SUPERVISOR).id)
    page = browser_client.get(path)
    assert page.status_code == 404
    assert "Signed in as" in page.text
    assert 'href="/staff/review"' in page.text


def test_a_script_still_gets_problem_json(
    browser_client: TestClient, make_user: Callable[..., User], sign_in: SignIn
) -> None:
    sign_in(browser_client, make_user(Role.ANALYST).id)
    response = browser_client.get("/staff/review", headers={"accept": "application/json"})
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
