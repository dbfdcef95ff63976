"""A request's session commits when the endpoint succeeds and rolls back when it fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hotlist.errors import Conflict
from hotlist.server.accounts.models import Organisation
from hotlist.server.kit.deps import DbSession


@pytest.fixture
def writing_app(make_app: Callable[..., FastAPI]) -> FastAPI:
    app = make_app()

    @app.post("/test/write/{name}")
    def write(name: str, session: DbSession) -> dict[str, str]:
        session.add(Organisation(name=name, kind="hotline"))
        session.flush()
        if name.startswith("fail"):
            raise Conflict("asked to fail after writing")
        return {"written": name}

    return app


def _count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Organisation)) or 0


def test_success_commits_and_error_rolls_back(
    writing_app: FastAPI, sessions: sessionmaker[Session], client_for: Callable[..., Any]
) -> None:
    with client_for(writing_app) as client:
        assert client.post("/test/write/kept").status_code == 200
        assert _count(sessions) == 1
        response = client.post("/test/write/fail-1")
        assert response.status_code == 409
        assert _count(sessions) == 1
