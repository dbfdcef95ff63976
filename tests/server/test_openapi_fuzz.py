"""Schemathesis against the app's own OpenAPI document: no input makes the server fail (5xx).

Every operation is called with generated data, valid and invalid, by a caller that holds its
permission, so the requests reach the endpoints rather than stopping at 401/403. Bounded so
the whole run stays well under a minute on both databases.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from hypothesis.strategies import SearchStrategy
from schemathesis.generation.modes import GenerationMode

from hotlist.server.kit.permissions import Permission, Role, allows

EXAMPLES_PER_OPERATION = 5
"""Per operation and mode (valid data, then invalid data)."""
ROLES_BY_REACH = [Role.SUPERVISOR, Role.ADMIN, Role.MEMBER, Role.OBSERVER]


def _caller_for(permission: str | None) -> Role | None:
    if permission is None or allows(None, Permission(permission)):
        return None
    return next(role for role in ROLES_BY_REACH if allows(role, Permission(permission)))


@pytest.mark.slow
def test_no_generated_request_makes_a_server_error(
    app: FastAPI, client: Any, auth: Callable[[Role], dict[str, str]]
) -> None:
    del client  # entered so the app's start-up has run
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        role = _caller_for(operation.definition.raw.get("x-permission"))
        headers = auth(role) if role is not None else {}
        for mode in GenerationMode:
            try:
                _fuzz(operation.as_strategy(mode), headers, failures)
            except Unsatisfiable:
                # An operation without parameters or body has no invalid form to generate.
                assert mode is GenerationMode.NEGATIVE
                raw = operation.definition.raw
                assert not raw.get("parameters")
                assert not raw.get("requestBody")
    assert operations >= 9
    assert failures == []


def _fuzz(strategy: SearchStrategy[Any], headers: dict[str, str], failures: list[str]) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def call(case: Any) -> None:
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

    call()
