"""``/v1/reports/{id}/assessments`` over HTTP: decisions, scope rules, dedup into entries."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from hotlist.server.config import Settings
from server.reports.factories import FiledReport

Auth = Callable[[str], dict[str, str]]
FileReport = Callable[..., FiledReport]
Assess = Callable[..., Any]


def test_actionable_page_assessment_makes_an_entry(
    file_report: FileReport, assess: Assess, client: TestClient, auth: Auth
) -> None:
    report = file_report("http://www.example.com/a/b/page.html?id=7")
    response = assess(report.id)
    assert response.status_code == 201
    body = response.json()
    assert body["actionable"] is True
    assert body["entry_created"] is True
    assert body["policy_version"] == 1
    assert len(body["entry_public_id"]) == 16
    assert client.get(f"/v1/reports/{report.receipt}/status").json()["status"] == "assessed"
    expression = client.get(
        f"/v1/entries/{body['entry_public_id']}/expression", headers=auth("analyst")
    ).json()
    assert expression["expression"] == "www.example.com/a/b/page.html?id=7"
    assert expression["scope"] == "page"


def test_not_actionable_closes_the_report_without_an_entry(
    file_report: FileReport, assess: Assess, client: TestClient, auth: Auth
) -> None:
    report = file_report()
    response = assess(report.id, actionable=False, category=None, scope=None, reason="lawful")
    assert response.status_code == 201
    assert response.json()["entry_public_id"] is None
    assert client.get(f"/v1/reports/{report.receipt}/status").json()["status"] == "closed"
    assert client.get("/v1/entries", headers=auth("analyst")).json()["items"] == []


def test_a_report_is_assessed_once(file_report: FileReport, assess: Assess) -> None:
    report = file_report()
    assert assess(report.id).status_code == 201
    again = assess(report.id, actionable=False, category=None, scope=None)
    assert again.status_code == 409
    assert "assessed already" in again.json()["detail"]


def test_same_expression_joins_the_active_entry(
    file_report: FileReport, assess: Assess, client: TestClient, auth: Auth
) -> None:
    one, two = (file_report(f"http://www.example.com/f/{n}.html") for n in (1, 2))
    first = assess(one.id, scope="folder").json()
    second = assess(two.id, scope="folder").json()
    assert second["entry_public_id"] == first["entry_public_id"]
    assert second["entry_created"] is False
    events = client.get(
        f"/v1/entries/{first['entry_public_id']}/events", headers=auth("analyst")
    ).json()["items"]
    assert [event["kind"] for event in events] == ["created", "report_added"]


def test_duplicates_are_settled_with_the_report(
    file_report: FileReport, assess: Assess, client: TestClient
) -> None:
    first = file_report("http://www.example.com/x.html")
    duplicate = file_report("http://WWW.EXAMPLE.COM/x.html")
    body = assess(first.id).json()
    assert body["settled_duplicates"] == [duplicate.id]
    assert client.get(f"/v1/reports/{duplicate.receipt}/status").json()["status"] == "assessed"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"category": "spam"}, "'spam' is not in policy"),
        ({"scope": None}, "needs a category and a scope"),
        ({"category": None}, "needs a category and a scope"),
        (
            {"category": "terror", "scope": "host", "scope_reason": "all of it"},
            "host_scope_allowed",
        ),
        ({"scope": "host"}, "give a scope_reason"),
    ],
)
def test_decisions_the_policy_refuses_are_422(
    file_report: FileReport, assess: Assess, body: dict[str, Any], detail: str
) -> None:
    response = assess(file_report().id, **body)
    assert response.status_code == 422
    assert detail in response.json()["detail"]


def test_host_scope_with_reason_lists_the_host(file_report: FileReport, assess: Assess) -> None:
    report = file_report("http://bad.example/any/page.html")
    response = assess(report.id, scope="host", scope_reason="the whole site exists for this")
    assert response.status_code == 201
    assert response.json()["scope_reason"] == "the whole site exists for this"


def test_host_scope_refused_on_shared_hosting(
    file_report: FileReport, assess: Assess, client: TestClient
) -> None:
    report = file_report("http://someone.pages.example/gallery/1.html")
    response = assess(report.id, scope="host", scope_reason="every page of it")
    assert response.status_code == 422
    assert "shared-hosting" in response.json()["detail"]
    assert "'pages.example'" in response.json()["detail"]
    assert client.get(f"/v1/reports/{report.receipt}/status").json()["status"] == "received"
    assert assess(report.id, scope="folder").status_code == 201


@pytest.mark.parametrize(
    ("url", "scope"),
    [("http://someone.pages.example/", "page"), ("http://someone.pages.example/a.html", "folder")],
)
def test_a_page_or_folder_that_is_the_whole_host_meets_the_host_rules(
    file_report: FileReport, assess: Assess, client: TestClient, auth: Auth, url: str, scope: str
) -> None:
    report = file_report(url)
    refused = assess(report.id, scope=scope)
    assert refused.status_code == 422
    assert "the whole host" in refused.json()["detail"]
    assert "give a scope_reason" in refused.json()["detail"]
    shared = assess(report.id, scope=scope, scope_reason="all of it")
    assert shared.status_code == 422
    assert "shared-hosting warning list" in shared.json()["detail"]
    other = file_report(url.replace("someone.pages.example", "bad.example"))
    listed = assess(other.id, scope=scope, scope_reason="the site exists for it")
    assert listed.status_code == 201
    entry = client.get(f"/v1/entries/{listed.json()['entry_public_id']}", headers=auth("analyst"))
    assert entry.json()["scope"] == "host"


def test_admins_edit_the_shared_hosting_list_in_the_data_dir(
    file_report: FileReport, assess: Assess, settings: Settings
) -> None:
    assert settings.data_dir is not None
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "shared-hosting.txt").write_text("# ours\nhosting.test\n")
    report = file_report("http://user1.hosting.test/x.html")
    refused = assess(report.id, scope="host", scope_reason="all of it")
    assert "'hosting.test'" in refused.json()["detail"]
    allowed = assess(
        file_report("http://user1.pages.example/x.html").id, scope="host", scope_reason="all of it"
    )
    assert allowed.status_code == 201


def test_shared_hosting_file_from_settings(
    make_app: Any, client_for: Any, tmp_path: Path, auth: Auth
) -> None:
    listed = tmp_path / "list.txt"
    listed.write_text("example.org\n")
    with client_for(make_app(shared_hosting_file=listed)) as client:
        receipt = client.post("/v1/reports", json={"url": "http://www.example.org/"}).json()
        assert receipt["receipt"]
        queue = client.get("/v1/reports", headers=auth("analyst")).json()["items"]
        response = client.post(
            f"/v1/reports/{queue[0]['id']}/assessments",
            json={
                "actionable": True,
                "category": "csam",
                "scope": "host",
                "reason": "r",
                "scope_reason": "all",
            },
            headers=auth("analyst"),
        )
    assert response.status_code == 422
    assert "'example.org'" in response.json()["detail"]


@pytest.mark.parametrize("role", ["member", "observer", "partner", "admin"])
def test_only_analysts_and_supervisors_assess(
    file_report: FileReport, assess: Assess, role: str
) -> None:
    assert assess(file_report().id, role=role).status_code == 403


def test_supervisors_assess_too(file_report: FileReport, assess: Assess) -> None:
    assert assess(file_report().id, role="supervisor").status_code == 201


def test_a_machine_key_cannot_decide(
    file_report: FileReport, client: TestClient, make_key: Callable[..., Any]
) -> None:
    secret, _ = make_key("analyst", person=False)
    response = client.post(
        f"/v1/reports/{file_report().id}/assessments",
        json={"actionable": False, "reason": "lawful"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 403
    assert "person" in response.json()["detail"]


def test_unknown_report_is_404(assess: Assess) -> None:
    assert assess(424242).status_code == 404


def test_reason_is_required_and_bounded(file_report: FileReport, assess: Assess) -> None:
    report = file_report()
    assert assess(report.id, reason="").status_code == 422
    assert assess(report.id, reason="x" * 4_001).status_code == 422
    assert assess(report.id, bogus=1).status_code == 422


def test_assessments_of_a_report_are_listed(
    file_report: FileReport, assess: Assess, client: TestClient, auth: Auth
) -> None:
    report = file_report()
    made = assess(report.id).json()
    listed = client.get(f"/v1/reports/{report.id}/assessments", headers=auth("observer"))
    assert listed.status_code == 200
    [only] = listed.json()
    assert only["id"] == made["id"]
    assert only["entry_public_id"] == made["entry_public_id"]
    assert client.get("/v1/reports/424242/assessments", headers=auth("analyst")).status_code == 404
    assert (
        client.get(f"/v1/reports/{report.id}/assessments", headers=auth("member")).status_code
        == 403
    )
