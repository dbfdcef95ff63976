"""Free text that leaves the hotline names no address: the rule, then every field it guards,
over HTTP on both databases (a 422 problem naming the field, nothing stored)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.errors import InvalidField
from hotlist.server.appeals.models import Appeal
from hotlist.server.reasons import INSTEAD, address_in, check_free_text
from server.due_process import other_supervisor
from server.reports.factories import FiledReport, assess, file_report, listed_entry

__all__ = ["assess", "file_report", "listed_entry", "other_supervisor"]

Auth = Callable[[str], dict[str, str]]
URL = "http://www.shop.example/a/b/page.html"
CASE = {"urls": ("http://www.shop.example/a/b/page.html",), "hosts": ("www.shop.example",)}


# -- The rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The page http://www.shop.example/a/b/page.html shows abuse.",
        "Seen at HTTPS://other.example/x",
        "defanged: hxxp://other.example",
        "mirror on www.other.example too",
        "also at other.example/gallery/3",
        "same images on files.other.test:8080/d/",
        "served from 192.0.2.7/x.jpg",
        "defanged other[.]example/gallery",
        "the whole of shop.example is a front",
        "see WWW.SHOP.EXAMPLE",
        "unicode host bücher.example/seite",
        "www.shop.example/a/b/page.html",
    ],
)
def test_addresses_are_found(text: str) -> None:
    assert address_in(text, **CASE) is not None


@pytest.mark.parametrize(
    "text",
    [
        "Images of the sexual abuse of a child.",
        "Hosted by a provider in another country; see the referral.",
        "The folder holds 40 such images (e.g. the first and the last), and/or videos.",
        "Policy v1.2/section 3 applies; entry 00000000000000ff is related.",
        "Contact abuse@provider.example was told.",
        "A bare domain such as provider.example is a fact, not an address.",
    ],
)
def test_plain_text_passes(text: str) -> None:
    assert address_in(text, **CASE) is None
    assert check_free_text("reason", text, **CASE) == text


def test_the_error_names_the_field_and_what_to_write_instead() -> None:
    with pytest.raises(InvalidField) as caught:
        check_free_text("scope_reason", "see www.shop.example", **CASE)
    assert caught.value.field == "scope_reason"
    assert caught.value.message.startswith("scope_reason holds the case's host name")
    assert INSTEAD in caught.value.message
    assert "shop.example" not in caught.value.message  # never the address echoed back


def test_an_idna_host_is_found_in_its_unicode_form() -> None:
    assert address_in("the shop bücher.example", hosts=["xn--bcher-kva.example"]) is not None


# -- Every field that leaves the hotline ----------------------------------------------------

LEAKS = [
    "The page http://www.shop.example/a/b/page.html shows abuse.",
    "The whole of www.shop.example is a front.",
    "Copies also at mirror.example/files/",
]


def refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["errors"][0]["loc"] == f"body.{field}"
    assert INSTEAD in body["errors"][0]["msg"]
    assert "shop.example" not in response.text
    assert "mirror.example" not in response.text


@pytest.mark.parametrize("text", LEAKS)
def test_assessment_reason(
    file_report: Callable[..., FiledReport], assess: Callable[..., Any], text: str
) -> None:
    report = file_report(URL)
    refused(assess(report.id, reason=text), "reason")
    assert assess(report.id, reason="Images of the sexual abuse of a child.").status_code == 201


def test_assessment_reason_not_actionable(
    file_report: Callable[..., FiledReport], assess: Callable[..., Any]
) -> None:
    report = file_report(URL)
    response = assess(report.id, actionable=False, category=None, scope=None, reason=LEAKS[0])
    refused(response, "reason")


def test_assessment_scope_reason(
    file_report: Callable[..., FiledReport], assess: Callable[..., Any], client: TestClient
) -> None:
    report = file_report(URL)
    response = assess(report.id, scope="folder", scope_reason=LEAKS[2])
    refused(response, "scope_reason")
    assert client.get(f"/v1/reports/{report.receipt}/status").json()["status"] == "received"


def test_entry_transition_reason(
    listed_entry: Callable[..., str], client: TestClient, auth: Auth
) -> None:
    entry = listed_entry(URL)
    path = f"/v1/entries/{entry}/transitions"
    body = {"to": "suspended", "reason": LEAKS[1]}
    refused(client.post(path, json=body, headers=auth("supervisor")), "reason")
    assert client.get(f"/v1/entries/{entry}", headers=auth("member")).json()["state"] == "active"


def test_entry_suspension_reason(
    listed_entry: Callable[..., str], client: TestClient, auth: Auth
) -> None:
    entry = listed_entry(URL)
    path = f"/v1/entries/{entry}/suspension"
    refused(client.post(path, json={"reason": LEAKS[0]}, headers=auth("analyst")), "reason")


def _appeal(client: TestClient, sessions: sessionmaker[Session], entry: str) -> tuple[int, str]:
    body = {"entry_id": entry, "relation": "site_owner", "reason": "It is my page; it is lawful."}
    receipt = client.post("/v1/appeals", json=body).json()["receipt"]
    with sessions() as session:
        appeal_id = session.scalar(select(Appeal.id).where(Appeal.receipt == receipt))
    assert appeal_id is not None
    return appeal_id, receipt


def test_appeal_interim_reason(
    listed_entry: Callable[..., str],
    client: TestClient,
    auth: Auth,
    sessions: sessionmaker[Session],
) -> None:
    appeal_id, _receipt = _appeal(client, sessions, listed_entry(URL))
    path = f"/v1/appeals/{appeal_id}/interim"
    refused(client.post(path, json={"reason": LEAKS[1]}, headers=auth("supervisor")), "reason")


def test_appeal_decision_reason(
    listed_entry: Callable[..., str],
    client: TestClient,
    auth: Auth,
    sessions: sessionmaker[Session],
) -> None:
    appeal_id, receipt = _appeal(client, sessions, listed_entry(URL))
    path = f"/v1/appeals/{appeal_id}/decision"
    body = {"outcome": "rejected", "reason": LEAKS[0]}
    refused(client.post(path, json=body, headers=auth("supervisor")), "reason")
    assert client.get(f"/v1/appeals/{receipt}").json() == {
        "state": "open",
        "outcome": None,
        "reason": None,
    }


def test_objection_decision_reason(
    listed_entry: Callable[..., str],
    client: TestClient,
    auth: Auth,
    other_supervisor: Callable[[], dict[str, str]],
) -> None:
    entry = listed_entry(URL)
    objection = client.post(
        "/v1/objections",
        json={"entry_id": entry, "reason": "The page is a news report."},
        headers=auth("member"),
    ).json()["id"]
    path = f"/v1/objections/{objection}/decision"
    body = {"outcome": "rejected", "reason": LEAKS[2]}
    refused(client.post(path, json=body, headers=other_supervisor()), "reason")
    body["reason"] = "The images are as described."
    assert client.post(path, json=body, headers=other_supervisor()).status_code == 201
