"""The appeal form the block page links to: plain HTML, a form post, the receipt, the status."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

Auth = Callable[[str], dict[str, str]]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def entry(listed_entry: Callable[..., str]) -> str:
    return listed_entry("http://www.example.com/a/b/page.html")


def test_the_form_carries_the_entry_id(client: TestClient, entry: str) -> None:
    page = client.get(f"/appeal?entry={entry}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert f'value="{entry}"' in page.text
    assert "<script" not in page.text
    assert 'action="/appeal"' in page.text


def test_a_posted_form_gives_a_receipt_to_follow(
    client: TestClient, auth: Auth, entry: str
) -> None:
    body = f"entry_id={entry}&relation=user&reason=It+is+a+recipe+site.&contact="
    sent = client.post("/appeal", content=body, headers=FORM)
    assert sent.status_code == 201, sent.text
    match = re.search(r'class="receipt">([A-Za-z0-9_-]+)<', sent.text)
    assert match is not None
    receipt = match.group(1)
    assert client.get(f"/v1/appeals/{receipt}").json()["state"] == "open"
    status = client.get(f"/appeal/status?receipt={receipt}")
    assert status.status_code == 200
    assert "open" in status.text
    (appeal,) = client.get("/v1/appeals", headers=auth("supervisor")).json()["items"]
    assert (appeal["relation"], appeal["reason"], appeal["has_contact"]) == (
        "user",
        "It is a recipe site.",
        False,
    )
    client.post(
        f"/v1/appeals/{appeal['id']}/decision",
        json={"outcome": "upheld", "reason": "A <b>recipe</b> site indeed."},
        headers=auth("supervisor"),
    )
    decided = client.get(f"/appeal/status?receipt={receipt}").text
    assert "upheld" in decided
    assert "A &lt;b&gt;recipe&lt;/b&gt; site indeed." in decided


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ("entry_id=zz&relation=user&reason=x", 422, "entry_id"),
        ("entry_id={entry}&relation=lawyer&reason=x", 422, "relation"),
        ("entry_id={entry}&relation=user&reason=", 422, "reason"),
        ("entry_id=00000000000000ff&relation=user&reason=x", 404, "no entry"),
    ],
)
def test_a_form_with_mistakes_comes_back_saying_what_to_correct(
    client: TestClient, entry: str, body: str, status: int, says: str
) -> None:
    sent = client.post("/appeal", content=body.format(entry=entry), headers=FORM)
    assert sent.status_code == status
    assert sent.headers["content-type"].startswith("text/html")
    assert 'class="error"' in sent.text
    assert says in sent.text
    assert "<form" in sent.text


def test_an_unknown_receipt_is_404(client: TestClient) -> None:
    assert client.get("/appeal/status?receipt=nothing").status_code == 404
