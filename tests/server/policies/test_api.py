"""``/v1/policy`` over HTTP: reading, loading new versions, refusing bad files, start-up load."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from hotlist.policy import demo_policy_path, load_demo_policy

Auth = Callable[[str], dict[str, str]]
YAML = {"Content-Type": "application/yaml"}


def changed_demo(**changes: Any) -> bytes:
    data = yaml.safe_load(demo_policy_path().read_text())
    data.update(changes)
    return yaml.safe_dump(data).encode()


@pytest.mark.parametrize(
    "role", ["analyst", "supervisor", "member", "observer", "partner", "admin"]
)
def test_the_demo_policy_is_in_force_after_start(client: TestClient, auth: Auth, role: str) -> None:
    response = client.get("/v1/policy", headers=auth(role))
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 1
    assert body["content_hash"] == load_demo_policy().content_hash
    assert body["document"]["operator"] == "Example Hotline"
    assert body["loaded_by"] is None


def test_anonymous_cannot_read_the_policy(client: TestClient) -> None:
    assert client.get("/v1/policy").status_code == 401


def test_loading_a_changed_policy_makes_a_version(client: TestClient, auth: Auth) -> None:
    headers = auth("supervisor") | YAML
    created = client.post("/v1/policy", content=changed_demo(title="Revised"), headers=headers)
    assert created.status_code == 201
    assert created.json()["created"] is True
    assert created.json()["version"]["version"] == 2
    assert isinstance(created.json()["version"]["loaded_by"], int)
    same = client.post("/v1/policy", content=changed_demo(title="Revised"), headers=headers)
    assert same.status_code == 200
    assert same.json()["created"] is False
    assert same.json()["version"]["version"] == 2
    back = client.post("/v1/policy", content=demo_policy_path().read_bytes(), headers=headers)
    assert back.json()["version"]["version"] == 3
    versions = client.get("/v1/policy/versions", headers=auth("member")).json()["items"]
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert versions[0]["content_hash"] == versions[2]["content_hash"]
    old = client.get("/v1/policy/versions/2", headers=auth("observer")).json()
    assert old["document"]["title"] == "Revised"
    assert client.get("/v1/policy/versions/9", headers=auth("observer")).status_code == 404


def test_a_bad_policy_is_422_with_every_problem(client: TestClient, auth: Auth) -> None:
    body = b"policy_id: x\ntitle: t\noperator: o\neffective: 2026-01-01\ncategories: [{code: 1}]\n"
    response = client.post("/v1/policy", content=body, headers=auth("admin") | YAML)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    locations = [error["loc"] for error in response.json()["errors"]]
    assert "categories[0].code" in locations
    assert "categories[0].wire_id" in locations
    not_yaml = client.post("/v1/policy", content=b"\xff\xfe[", headers=auth("admin") | YAML)
    assert not_yaml.status_code == 422
    assert client.get("/v1/policy", headers=auth("admin")).json()["version"] == 1


@pytest.mark.parametrize("role", ["analyst", "member", "observer", "partner"])
def test_only_supervisors_and_admins_load_policies(
    client: TestClient, auth: Auth, role: str
) -> None:
    response = client.post("/v1/policy", content=changed_demo(title="x"), headers=auth(role) | YAML)
    assert response.status_code == 403


def test_the_configured_policy_file_is_loaded_at_start(
    make_app: Any, client_for: Any, auth: Auth, tmp_path: Path
) -> None:
    path = tmp_path / "policy.yaml"
    path.write_bytes(changed_demo(policy_id="configured"))
    with client_for(make_app()) as client:
        assert client.get("/v1/policy", headers=auth("member")).json()["version"] == 1
    with client_for(make_app(policy_file=path)) as client:
        body = client.get("/v1/policy", headers=auth("member")).json()
    assert body["version"] == 2
    assert body["policy_id"] == "configured"
