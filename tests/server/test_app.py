"""The app: health, the OpenAPI document with each route's permission."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from sqlalchemy import create_engine

from hotlist.server.app import create_app
from hotlist.server.config import Settings
from hotlist.server.kit.deps import api_routes


def test_healthz(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_reports_a_dead_database(
    settings: Settings, client_for: Callable[..., Any], tmp_path: Any
) -> None:
    missing = tmp_path / "no-such-dir" / "x.db"
    app = create_app(settings, engine=create_engine(f"sqlite:///{missing}"))
    with client_for(app) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"


def test_openapi_names_each_routes_permission(app: FastAPI, client: Any) -> None:
    document = client.get("/openapi.json").json()
    routes = [
        info for info in api_routes(app) if info.path != "/healthz" and info.route.include_in_schema
    ]
    assert routes
    for info in routes:
        for method in info.methods:
            path = re.sub(r"\{(\w+):\w+\}", r"{\1}", info.path)
            operation = document["paths"][path][method.lower()]
            assert operation["x-permission"] == info.permissions[0]


def test_app_disposes_its_own_engine(settings: Settings, client_for: Callable[..., Any]) -> None:
    app = create_app(settings)
    with client_for(app) as client:
        assert client.get("/healthz").status_code == 200
    assert app.state.services.engine.pool.checkedout() == 0


def test_healthz_reports_a_failing_publish_schedule(
    make_app: Callable[..., FastAPI], client_for: Callable[..., Any], settings: Settings
) -> None:
    from hotlist.server.kit.paths import repository_paths
    from hotlist.server.publishing.service import ensure_keys

    paths = repository_paths(settings)
    ensure_keys(paths)
    offline = paths.keys.parent / "offline-timestamp.pem"
    (paths.keys / "timestamp.pem").rename(offline)
    app = make_app(publish_interval_s=0.05)
    with client_for(app) as client:
        job = app.state.publish_job
        deadline = time.monotonic() + 30
        while job.runs < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["publishing"]["state"] == "failing"
        assert "no timestamp key" in body["publishing"]["error"]
        assert "no timestamp key" in body["detail"]
        assert body["publishing"]["failures"] >= 2
        offline.rename(paths.keys / "timestamp.pem")
        while client.get("/healthz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.02)
        response = client.get("/healthz")
    assert response.status_code == 200
    publishing = response.json()["publishing"]
    assert publishing["state"] == "ok"
    assert publishing["last_success"] is not None
    assert publishing["timestamp_expires"] is not None


def test_healthz_says_when_publishing_is_off(client: Any) -> None:
    assert client.get("/healthz").json()["publishing"] == {"state": "off"}
