"""Error pages for browsers, problem+json for everyone else, and safe return addresses."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from hotlist.server.web.error_pages import safe_next


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "/"),
        ("", "/"),
        ("/queue?status=received", "/queue?status=received"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("queue", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_only_paths_on_this_site_are_returned_to(given: str | None, expected: str) -> None:
    assert safe_next(given) == expected


def test_the_api_keeps_problem_json_even_for_browsers(browser_client: TestClient) -> None:
    response = browser_client.get("/v1/reports")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    response = browser_client.get("/v1/nothing-here")
    assert response.headers["content-type"] == "application/problem+json"


def test_a_script_gets_problem_json_for_a_missing_page(browser_client: TestClient) -> None:
    response = browser_client.get("/nothing-here", headers={"accept": "application/json"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_a_browser_gets_a_page_in_its_language(browser_client: TestClient) -> None:
    response = browser_client.get("/nothing-here", headers={"accept-language": "de"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Etwas ist schiefgegangen" in response.text
    assert "<h1>" in response.text
