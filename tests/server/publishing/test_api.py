"""``/v1/tuf/``: the signed list's files, for members only, no path outside the repository."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.publish.publisher import Publisher
from hotlist.server.publishing.service import publish


@pytest.fixture
def published(
    listed_entry: Callable[..., str], sessions: sessionmaker[Session], publisher: Publisher
) -> str:
    """One entry, published as version 1; returns the entry's public id."""
    public_id = listed_entry("http://www.example.com/a/b/page.html")
    publish(sessions, publisher)
    return public_id


@pytest.mark.usefixtures("published")
def test_a_member_fetches_the_metadata(
    client: TestClient, auth: Callable[[str], dict[str, str]]
) -> None:
    response = client.get("/v1/tuf/metadata/timestamp.json", headers=auth("member"))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    assert json.loads(response.content)["signed"]["_type"] == "timestamp"


@pytest.mark.usefixtures("published")
def test_versioned_files_are_cacheable(
    client: TestClient, auth: Callable[[str], dict[str, str]]
) -> None:
    response = client.get("/v1/tuf/metadata/1.root.json", headers=auth("member"))
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]


@pytest.mark.usefixtures("published")
def test_no_key_no_list(client: TestClient) -> None:
    response = client.get("/v1/tuf/metadata/timestamp.json")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.usefixtures("published")
@pytest.mark.parametrize(
    "path",
    [
        "keys/root.pem",
        "metadata/../../keys/root.pem",
        "metadata/%2e%2e/%2e%2e/keys/root.pem",
        "targets/",
        "metadata/nothing.json",
        "hotlist.db",
    ],
)
def test_nothing_outside_the_repository(
    client: TestClient, auth: Callable[[str], dict[str, str]], path: str
) -> None:
    response = client.get(f"/v1/tuf/{path}", headers=auth("member"))
    # A path with ``..`` is normalised by the client and may land on another route (405).
    assert response.status_code in (404, 405)
    assert b"PRIVATE KEY" not in response.content


def test_before_the_first_publish_there_is_nothing(
    client: TestClient, auth: Callable[[str], dict[str, str]]
) -> None:
    response = client.get("/v1/tuf/metadata/timestamp.json", headers=auth("member"))
    assert response.status_code == 404
    assert "published" in response.json()["detail"]


@pytest.mark.usefixtures("published")
@pytest.mark.parametrize(
    "path",
    ["metadata/timestamp.json%00", "metadata/%00/x", "targets/a%01b", "metadata/" + "a" * 5000],
)
def test_a_malformed_path_is_a_client_error(
    client: TestClient, auth: Callable[[str], dict[str, str]], path: str
) -> None:
    response = client.get(f"/v1/tuf/{path}", headers=auth("member"))
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "Traceback" not in response.text
