"""``/v1/log``: leaves, proofs and a signed head a member can check, behind ``log:read``."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.publish.log.head import SignedTreeHead, load_log_key
from hotlist.publish.log.merkle import leaf_hash, verify_consistency, verify_inclusion
from hotlist.server.config import Settings
from hotlist.server.log import service as log_service
from hotlist.server.log.models import LogLeaf

Auth = Callable[[str], dict[str, str]]
DIGEST = "cd" * 32


@pytest.fixture
def logged(sessions: sessionmaker[Session]) -> Callable[[int], None]:
    """``logged(n)``: append ``n`` entry_removed events (committed)."""

    def append(count: int) -> None:
        with sessions() as session, session.begin():
            for number in range(count):
                log_service.record(
                    session,
                    "entry_removed",
                    entry_id=f"{number + 1:016x}",
                    expression_hash=DIGEST,
                )

    return append


def _hex(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(value) for value in values]


def test_member_gets_a_head_signed_by_the_log_key(
    client: TestClient, auth: Auth, logged: Callable[[int], None], settings: Settings
) -> None:
    logged(5)
    response = client.get("/v1/log/head", headers=auth("member"))
    assert response.status_code == 200, response.text
    signed = SignedTreeHead.from_json(response.content)
    assert settings.data_dir is not None
    public = load_log_key(settings.data_dir / "keys").public_key()
    head = signed.verify(public)
    assert head.size == 1 + 5  # the demo policy the app loads on start, then the events


def test_entries_page_through_the_log_with_exact_bytes(
    client: TestClient, auth: Auth, logged: Callable[[int], None]
) -> None:
    logged(3)
    first = client.get("/v1/log/entries", params={"start": 0, "end": 2}, headers=auth("observer"))
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["tree_size"] == 4
    assert [leaf["index"] for leaf in body["entries"]] == [0, 1]
    assert body["next_start"] is None  # all that was asked for
    kinds = [leaf["event"]["kind"] for leaf in body["entries"]]
    assert kinds == ["policy_version", "entry_removed"]
    for leaf in body["entries"]:
        data = base64.b64decode(leaf["data"])
        assert leaf_hash(data).hex() == leaf["leaf_hash"]
    rest = client.get("/v1/log/entries", params={"start": 2}, headers=auth("observer")).json()
    assert [leaf["index"] for leaf in rest["entries"]] == [2, 3]
    assert rest["next_start"] is None


def test_proofs_verify(client: TestClient, auth: Auth, logged: Callable[[int], None]) -> None:
    logged(6)
    inclusion = client.get(
        "/v1/log/proof/inclusion", params={"leaf_index": 4, "tree_size": 6}, headers=auth("member")
    ).json()
    verify_inclusion(
        4,
        6,
        bytes.fromhex(inclusion["leaf_hash"]),
        _hex(inclusion["proof"]),
        bytes.fromhex(inclusion["root_hash"]),
    )
    consistency = client.get(
        "/v1/log/proof/consistency", params={"first": 3, "second": 6}, headers=auth("partner")
    ).json()
    verify_consistency(
        3,
        6,
        bytes.fromhex(consistency["first_root_hash"]),
        bytes.fromhex(consistency["second_root_hash"]),
        _hex(consistency["proof"]),
    )


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/log/proof/inclusion", {"leaf_index": 4, "tree_size": 4}),
        ("/v1/log/proof/inclusion", {"leaf_index": 0, "tree_size": 9}),
        ("/v1/log/proof/consistency", {"first": 3, "second": 2}),
        ("/v1/log/entries", {"start": 2, "end": 1}),
    ],
)
def test_impossible_sizes_are_not_found(
    client: TestClient,
    auth: Auth,
    logged: Callable[[int], None],
    path: str,
    params: dict[str, int],
) -> None:
    logged(3)
    assert client.get(path, params=params, headers=auth("analyst")).status_code == 404


def test_the_log_needs_a_key(client: TestClient) -> None:
    assert client.get("/v1/log/head").status_code == 401


@pytest.mark.parametrize(
    ("appended", "said"), [(0, "the log has 1 leaf;"), (1, "the log has 2 leaves;")]
)
def test_a_tree_larger_than_the_log_says_its_size(
    client: TestClient, auth: Auth, logged: Callable[[int], None], appended: int, said: str
) -> None:
    logged(appended)  # after the policy version the app logged at start
    listing = client.get("/v1/log/entries", headers=auth("analyst")).json()
    assert listing["tree_size"] == appended + 1
    response = client.get(
        "/v1/log/proof/inclusion",
        params={"leaf_index": 0, "tree_size": 5},
        headers=auth("analyst"),
    )
    assert response.status_code == 404
    assert said in response.json()["detail"]


@pytest.mark.parametrize(
    "corrupt",
    [b"\xff\xfe not JSON", b'{"kind":"entry_removed"}', None],
    ids=["bytes", "event", "hash"],
)
def test_a_corrupt_stored_leaf_is_named(
    client: TestClient,
    auth: Auth,
    logged: Callable[[int], None],
    sessions: sessionmaker[Session],
    corrupt: bytes | None,
) -> None:
    logged(4)
    with sessions() as session, session.begin():
        # Behind the ORM's back (it refuses any change to a leaf): a disk or operator error.
        values = {"leaf_hash": b"\x00" * 32} if corrupt is None else {"data": corrupt}
        session.execute(
            update(LogLeaf).where(LogLeaf.leaf_index == 3).values(**values),
            execution_options={"synchronize_session": False},
        )
    response = client.get("/v1/log/entries", headers=auth("observer"))
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    detail = response.json()["detail"]
    assert "leaf 3" in detail
    assert "end=3" in detail  # how to read the leaves before it
    before = client.get("/v1/log/entries", params={"end": 3}, headers=auth("observer"))
    assert before.status_code == 200
    assert len(before.json()["entries"]) == 3
