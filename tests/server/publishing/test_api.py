"""``/v1/tuf/``: the signed list's files, for members only, no path outside the repository."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.publish.hosts import HOSTS_EXTRA
from hotlist.publish.publisher import Publisher
from hotlist.server.access_log.models import AccessLog
from hotlist.server.accounts.models import Organisation, OrgKind
from hotlist.server.publishing.service import publish


@pytest.fixture
def published(
    listed_entry: Callable[..., str], sessions: sessionmaker[Session], publisher: Publisher
) -> str:
    """One entry, published as version 1; returns the entry's public id."""
    public_id = listed_entry("http://www.example.com/a/b/page.html")
    publish(sessions, publisher, public_url="https://hotline.example")
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


def _hosts_path(repository: Path) -> str:
    (found,) = (repository / "targets" / "extras").glob(f"*.{HOSTS_EXTRA}")
    return found.relative_to(repository).as_posix()


def test_host_names_need_the_same_grant_as_expressions(
    client: TestClient,
    auth: Callable[[str], dict[str, str]],
    listed_entry: Callable[..., str],
    sessions: sessionmaker[Session],
    publisher: Publisher,
) -> None:
    """hosts.json holds host-scope entries' expressions in clear: members get it (their DNS
    enforcement), an observer only under its organisation's plaintext grant, as for the
    expression endpoint; a granted view is logged."""
    entry = listed_entry(
        "http://www.site.example/x.html", scope="host", scope_reason="The whole site is abuse."
    )
    publish(sessions, publisher, public_url="https://hotline.example")
    hosts = f"/v1/tuf/{_hosts_path(publisher.repository.path)}"
    expression = f"/v1/entries/{entry}/expression"

    member = client.get(hosts, headers=auth("member"))
    assert member.status_code == 200
    assert b"www.site.example" in member.content
    assert member.headers["cache-control"] == "no-store"

    observer = auth("observer")
    assert client.get(expression, headers=observer).status_code == 403
    refused = client.get(hosts, headers=observer)
    assert refused.status_code == 403
    assert "plaintext grant" in refused.json()["detail"]
    assert b"www.site.example" not in refused.content
    # The rest of the list stays open to the observer: it verifies the list.
    assert client.get("/v1/tuf/metadata/timestamp.json", headers=observer).status_code == 200

    with sessions() as session:
        org = session.scalar(select(Organisation.id).where(Organisation.kind == OrgKind.OBSERVER))
    grant = {"granted": True, "reason": "Regulator's audit of 2026, agreement of 1 March."}
    put = client.put(f"/v1/orgs/{org}/plaintext-grant", json=grant, headers=auth("admin"))
    assert put.status_code == 200, put.text
    assert client.get(expression, headers=observer).status_code == 200
    granted = client.get(hosts, headers=observer)
    assert granted.status_code == 200, granted.text
    assert b"www.site.example" in granted.content
    with sessions() as session:
        actions = set(session.scalars(select(AccessLog.action)))
    assert "list.hosts" in actions
