"""``GET /blocked/{entry_id}`` over HTTP: public, 403 or 451, the entry's legal basis, the appeal
link, the visitor's language, 404 once the entry is not in force; never a URL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

PAGE = "http://www.blocked.example/gallery/page.html"


@pytest.fixture
def public_app(make_app: Callable[..., FastAPI]) -> FastAPI:
    return make_app(public_url="https://hotline.example")


def test_a_csam_entry_answers_403_with_its_reasons(
    listed_entry: Callable[..., str], client: TestClient
) -> None:
    entry_id = listed_entry(PAGE)
    response = client.get(f"/blocked/{entry_id}")
    assert response.status_code == 403
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-language"] == "en"
    assert response.headers["cache-control"] == "no-store"
    page = response.text
    assert "blocked under the list kept by Example Hotline" in page
    assert "Child sexual abuse material" in page
    assert "Protection of Children Act 1978" in page
    assert entry_id in page
    assert f"/appeal?entry={entry_id}" in page
    assert "www.blocked.example" not in page
    assert "gallery" not in page


def test_a_legal_order_answers_451(
    listed_entry: Callable[..., str],
    client_for: Callable[..., TestClient],
    public_app: FastAPI,
) -> None:
    entry_id = listed_entry(PAGE, category="terror", reason="Removal order of a competent body.")
    with client_for(public_app) as client:
        response = client.get(f"/blocked/{entry_id}", headers={"Accept-Language": "de-DE"})
    assert response.status_code == 451
    assert response.headers["content-language"] == "de"
    assert "Anordnung" in response.text
    assert f"https://hotline.example/appeal?entry={entry_id}" in response.text


def test_without_a_public_url_the_appeal_link_is_this_servers(
    listed_entry: Callable[..., str],
    client_for: Callable[..., TestClient],
    make_app: Callable[..., FastAPI],
) -> None:
    entry_id = listed_entry(PAGE)
    with client_for(make_app(public_url=None)) as client:
        response = client.get(f"/blocked/{entry_id}")
    assert f"http://hotlist.test/appeal?entry={entry_id}" in response.text


def test_not_in_force_and_bad_ids(
    listed_entry: Callable[..., str],
    client: TestClient,
    auth: Callable[[str], dict[str, str]],
) -> None:
    entry_id = listed_entry(PAGE)
    response = client.post(
        f"/v1/entries/{entry_id}/transitions",
        json={"to": "suspended", "reason": "Checking whether the page changed."},
        headers=auth("supervisor"),
    )
    assert response.status_code == 201, response.text
    assert client.get(f"/blocked/{entry_id}").status_code == 404
    assert client.get("/blocked/00000000000000ff").status_code == 404
    assert client.get("/blocked/ffffffffffffffff").status_code == 400
    bad = client.get("/blocked/<script>?lang=de")
    assert (bad.status_code, bad.headers["content-language"]) == (400, "de")
    assert "<script>" not in bad.text
