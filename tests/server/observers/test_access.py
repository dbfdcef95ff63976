"""The observers' request log as a middleware: every request that sends an observer's key is
logged before it is answered, whatever path it asks for, and none is answered unlogged."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.errors import StorageError
from hotlist.server.access_log.models import AccessLog
from hotlist.server.observers import access
from hotlist.server.problems import PROBLEM_JSON

Auth = Callable[[str], dict[str, str]]


def _subjects(sessions: sessionmaker[Session]) -> list[str | None]:
    with sessions() as session:
        query = select(AccessLog.subject_id).where(AccessLog.action == access.ACTION)
        return list(session.scalars(query.order_by(AccessLog.id)))


def test_a_path_no_route_serves_and_a_public_route_are_logged_too(
    client: TestClient, auth: Auth, sessions: sessionmaker[Session]
) -> None:
    observer = auth("observer")
    assert client.get("/v1/no-such-thing", headers=observer).status_code == 404
    report = client.post("/v1/reports", json={"url": "http://a.example/x"}, headers=observer)
    assert report.status_code == 201
    assert client.post("/v1/reports", json={"url": "http://a.example/y"}).status_code == 201
    assert _subjects(sessions) == ["GET /v1/no-such-thing", "POST /v1/reports"]


@pytest.mark.parametrize(
    ("failure", "status"),
    [(StorageError("the database does not answer"), 503), (RuntimeError("boom"), 500)],
)
def test_a_request_that_cannot_be_logged_is_refused(
    client: TestClient,
    auth: Auth,
    monkeypatch: pytest.MonkeyPatch,
    failure: Exception,
    status: int,
) -> None:
    observer = auth("observer")

    def failing(*_args: object) -> None:
        raise failure

    monkeypatch.setattr(access, "record_observer_request", failing)
    answer = client.post("/v1/reports", json={"url": "http://a.example/z"}, headers=observer)
    assert answer.status_code == status
    assert answer.headers["content-type"] == PROBLEM_JSON
    assert "boom" not in answer.text  # no internal detail leaves the server
    assert answer.headers["x-content-type-options"] == "nosniff"  # inside the page middleware
    monkeypatch.undo()
    assert client.get("/v1/reports", headers=auth("analyst")).json()["items"] == []
