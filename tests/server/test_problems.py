"""Every error is problem+json with the right status; unexpected errors reveal nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from hotlist.errors import (
    ConfigError,
    Conflict,
    HotlistError,
    InvalidRequest,
    InvalidURL,
    NotFound,
    PermissionDenied,
    PolicyError,
    RateLimited,
    StorageError,
    Unauthenticated,
)
from hotlist.server.problems import PROBLEM_JSON, status_for


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (Unauthenticated("x"), 401),
        (PermissionDenied("x"), 403),
        (NotFound("x"), 404),
        (Conflict("x"), 409),
        (InvalidRequest("x"), 400),
        (InvalidURL("x"), 422),
        (PolicyError("x"), 422),
        (RateLimited("x", retry_after=3), 429),
        (StorageError("x"), 503),
        (ConfigError("x"), 500),
        (HotlistError("x"), 500),
    ],
)
def test_status_for_each_error(error: HotlistError, status: int) -> None:
    assert status_for(error) == status


class Thing(BaseModel):
    name: str


@pytest.fixture
def erring_app(make_app: Callable[..., FastAPI]) -> FastAPI:
    app = make_app(max_body_bytes=100)

    @app.post("/test/things")
    def post_thing(thing: Thing) -> Thing:
        return thing

    @app.get("/test/not-found")
    def not_found() -> None:
        raise NotFound("no such thing; list them first")

    @app.get("/test/crash")
    def crash() -> None:
        raise RuntimeError("secret internal detail")

    return app


def _is_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"]
    return body


def test_our_error(erring_app: FastAPI, client_for: Callable[..., Any]) -> None:
    with client_for(erring_app) as client:
        body = _is_problem(client.get("/test/not-found"), 404)
    assert body["detail"] == "no such thing; list them first"


def test_unknown_route_and_method(erring_app: FastAPI, client_for: Callable[..., Any]) -> None:
    with client_for(erring_app) as client:
        assert "openapi.json" in _is_problem(client.get("/nowhere"), 404)["detail"]
        _is_problem(client.delete("/test/things"), 405)


def test_validation_error_lists_each_mistake_without_echoing_input(
    erring_app: FastAPI, client_for: Callable[..., Any]
) -> None:
    with client_for(erring_app) as client:
        body = _is_problem(client.post("/test/things", json={"nom": "secret-value"}), 422)
        malformed = _is_problem(
            client.post(
                "/test/things", content=b"{not json", headers={"content-type": "application/json"}
            ),
            422,
        )
    assert body["errors"][0]["loc"] == "body.name"
    assert "secret-value" not in str(body)
    assert malformed["errors"]


def test_oversized_bodies(erring_app: FastAPI, client_for: Callable[..., Any]) -> None:
    big = b'{"name": "' + b"x" * 200 + b'"}'
    with client_for(erring_app) as client:
        declared = client.post(
            "/test/things", content=big, headers={"content-type": "application/json"}
        )
        streamed = client.post(
            "/test/things",
            content=iter([big[:60], big[60:]]),
            headers={"content-type": "application/json"},
        )
        assert client.post("/test/things", json={"name": "fits"}).status_code == 200
    assert "100 bytes" in _is_problem(declared, 413)["detail"]
    _is_problem(streamed, 413)


def test_unexpected_error_is_a_bare_500(
    erring_app: FastAPI, client_for: Callable[..., Any]
) -> None:
    with client_for(erring_app, raise_server_exceptions=False) as client:
        body = _is_problem(client.get("/test/crash"), 500)
    assert "secret" not in str(body)
