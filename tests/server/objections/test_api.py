"""``/v1/objections`` on both databases: a member objects, the entry is disputed, a supervisor
who did not make the entry decides, the outcome is logged and the member sees it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.publish.log.merkle import verify_inclusion
from hotlist.server.accounts import service as accounts
from hotlist.server.accounts.models import OrgKind
from hotlist.server.log import service as log_service
from server.conftest import FAST_HASHER

Auth = Callable[[str], dict[str, str]]
Headers = Callable[[], dict[str, str]]
URL = "http://www.example.com/a/b/page.html"


@pytest.fixture
def entry(listed_entry: Callable[..., str]) -> str:
    """An entry made by the analyst ``auth("analyst")`` stands for."""
    return listed_entry(URL)


def _object(client: TestClient, auth: Auth, entry: str, **headers: Any) -> Any:
    response = client.post(
        "/v1/objections",
        json={"entry_id": entry, "reason": "The page is a news report about the case."},
        headers=headers or auth("member"),
    )
    assert response.status_code == 201, response.text
    return response.json()


def _decide(client: TestClient, objection: int, headers: dict[str, str], **body: Any) -> Any:
    payload = {"outcome": "rejected", "reason": "The images are as described.", **body}
    return client.post(f"/v1/objections/{objection}/decision", json=payload, headers=headers)


def _entry(client: TestClient, auth: Auth, public_id: str) -> Any:
    return client.get(f"/v1/entries/{public_id}", headers=auth("member")).json()


def _logged(sessions: sessionmaker[Session], index: int) -> dict[str, Any]:
    """The event at leaf ``index``, after checking its inclusion proof against the log's head."""
    with sessions() as session:
        head = log_service.tree_head(session)
        proof = log_service.inclusion_proof(session, index, head.size)
        (leaf,) = log_service.entries(session, index, index + 1)
    verify_inclusion(index, head.size, leaf.leaf_hash, proof, head.root_hash)
    return {"kind": leaf.event.kind.value, **leaf.event.fields}


def test_objection_flags_the_entry_disputed(
    client: TestClient, auth: Auth, entry: str, sessions: sessionmaker[Session]
) -> None:
    objection = _object(client, auth, entry)
    assert objection["state"] == "open"
    assert objection["entry_id"] == entry
    assert objection["outcome"] is None
    assert _entry(client, auth, entry)["disputed"] is True
    with sessions() as session:
        kinds = [leaf.event.kind.value for leaf in log_service.entries(session)]
    assert "entry_disputed" in kinds


def test_the_entrys_analyst_cannot_decide(
    client: TestClient,
    auth: Auth,
    file_report: Callable[..., Any],
    assess: Callable[..., Any],
    other_supervisor: Headers,
) -> None:
    made = assess(file_report(URL).id, role="supervisor")
    assert made.status_code == 201
    entry = made.json()["entry_public_id"]
    objection = _object(client, auth, entry)
    refused = _decide(client, objection["id"], auth("supervisor"))
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "another supervisor must decide" in refused.json()["detail"]
    assert _decide(client, objection["id"], other_supervisor()).status_code == 201


def test_upheld_removes_the_entry_and_the_member_sees_the_outcome(
    client: TestClient, auth: Auth, entry: str, sessions: sessionmaker[Session]
) -> None:
    objection = _object(client, auth, entry)
    decided = _decide(
        client, objection["id"], auth("supervisor"), outcome="upheld", reason="Not in remit."
    )
    assert decided.status_code == 201, decided.text
    seen = client.get(f"/v1/objections/{objection['id']}", headers=auth("member")).json()
    assert seen["state"] == "decided"
    assert seen["outcome"] == "upheld"
    assert seen["decision_reason"] == "Not in remit."
    assert isinstance(seen["decided_by"], int)
    listed = _entry(client, auth, entry)
    assert listed["state"] == "removed"
    assert listed["disputed"] is False
    event = _logged(sessions, seen["log_index"])
    assert event["kind"] == "objection_decided"
    assert event["objection_id"] == objection["id"]
    assert event["entry_id"] == entry
    assert event["outcome"] == "upheld"


@pytest.fixture
def other_member(sessions: sessionmaker[Session]) -> dict[str, str]:
    """Headers of a member of another organisation than ``auth("member")``'s."""
    with sessions() as session:
        org = accounts.create_org(session, "Another ISP", OrgKind.ISP)
        _row, secret = accounts.issue_key(session, org=org, role="member", hasher=FAST_HASHER)
        session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_one_open_objection_per_member_and_entry(
    client: TestClient, auth: Auth, entry: str
) -> None:
    first = _object(client, auth, entry)
    again = client.post(
        "/v1/objections", json={"entry_id": entry, "reason": "again"}, headers=auth("member")
    )
    assert again.status_code == 409
    assert f"objection {first['id']}" in again.json()["detail"]
    assert _decide(client, first["id"], auth("supervisor")).status_code == 201
    _object(client, auth, entry)


def test_rejected_clears_the_flag_once_no_objection_is_open(
    client: TestClient, auth: Auth, entry: str, other_member: dict[str, str]
) -> None:
    first = _object(client, auth, entry)
    second = _object(client, auth, entry, **other_member)
    assert _decide(client, first["id"], auth("supervisor")).status_code == 201
    assert _entry(client, auth, entry)["disputed"] is True
    assert _decide(client, second["id"], auth("supervisor")).status_code == 201
    listed = _entry(client, auth, entry)
    assert listed["disputed"] is False
    assert listed["state"] == "active"


def test_scope_changed_replaces_the_entry(
    client: TestClient, auth: Auth, entry: str, sessions: sessionmaker[Session]
) -> None:
    objection = _object(client, auth, entry)
    missing = _decide(client, objection["id"], auth("supervisor"), outcome="scope_changed")
    assert missing.status_code == 422
    decided = _decide(
        client,
        objection["id"],
        auth("supervisor"),
        outcome="scope_changed",
        new_scope="folder",
        reason="The whole folder holds the same material.",
    )
    assert decided.status_code == 201, decided.text
    new_id = decided.json()["new_entry_id"]
    assert new_id is not None
    assert new_id != entry
    old, new = _entry(client, auth, entry), _entry(client, auth, new_id)
    assert old["state"] == "removed"
    assert (new["state"], new["scope"], new["disputed"]) == ("active", "folder", False)
    events = client.get(f"/v1/entries/{entry}/events", headers=auth("member")).json()["items"]
    assert new_id in events[-1]["reason"]
    expression = client.get(f"/v1/entries/{new_id}/expression", headers=auth("supervisor"))
    assert expression.json()["expression"] == "www.example.com/a/b/"
    with sessions() as session:
        kinds = [leaf.event.kind.value for leaf in log_service.entries(session)]
    assert "entry_scope_changed" in kinds


def test_a_decision_is_final(client: TestClient, auth: Auth, entry: str) -> None:
    objection = _object(client, auth, entry)
    assert _decide(client, objection["id"], auth("supervisor")).status_code == 201
    assert _decide(client, objection["id"], auth("supervisor")).status_code == 409


def test_a_member_sees_only_its_own_objections(
    client: TestClient, auth: Auth, entry: str, other_member: dict[str, str]
) -> None:
    objection = _object(client, auth, entry)
    other = other_member
    assert client.get("/v1/objections", headers=other).json()["items"] == []
    assert client.get(f"/v1/objections/{objection['id']}", headers=other).status_code == 404
    own = client.get("/v1/objections", headers=auth("member")).json()["items"]
    assert [item["id"] for item in own] == [objection["id"]]
    queue = client.get("/v1/objections?state=open", headers=auth("supervisor")).json()["items"]
    assert [item["id"] for item in queue] == [objection["id"]]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"entry_id": "XYZ", "reason": "r"}, 422),
        ({"entry_id": "00000000000000ff", "reason": "r"}, 404),
        ({"entry_id": "00000000000000ff", "reason": ""}, 422),
        ({"entry_id": "00000000000000ff", "reason": "r", "url": "http://example.com/"}, 422),
    ],
)
def test_bad_objections(client: TestClient, auth: Auth, body: dict[str, Any], status: int) -> None:
    response = client.post("/v1/objections", json=body, headers=auth("member"))
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("role", ["observer", "analyst"])
def test_only_supervisors_decide_and_only_members_object(
    client: TestClient, auth: Auth, entry: str, role: str
) -> None:
    objection = _object(client, auth, entry)
    assert _decide(client, objection["id"], auth(role)).status_code == 403
    body = {"entry_id": entry, "reason": "r"}
    assert client.post("/v1/objections", json=body, headers=auth(role)).status_code == 403
