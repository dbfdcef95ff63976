"""Factories for policy tests: a valid policy as data, to break one field at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml


def _category_data(**overrides: Any) -> dict[str, Any]:
    """A valid category mapping, with fields replaced by ``overrides``."""
    data: dict[str, Any] = {
        "code": "csam",
        "wire_id": 1,
        "name": "Child sexual abuse material",
        "definition": "Images that depict the sexual abuse of a child.",
        "legal_basis": {"EU": "Directive 2011/93/EU", "GB": "Protection of Children Act 1978"},
        "legal_order": False,
        "host_scope_allowed": True,
        "reverify_days": 30,
    }
    data.update(overrides)
    return data


def _policy_data(**overrides: Any) -> dict[str, Any]:
    """A valid policy mapping with two categories, with top-level fields replaced."""
    data: dict[str, Any] = {
        "policy_id": "test-policy",
        "title": "Test policy",
        "operator": "Example Hotline",
        "effective": "2026-01-01",
        "categories": [
            _category_data(),
            _category_data(code="terror", wire_id=2, legal_order=True, host_scope_allowed=False),
        ],
    }
    data.update(overrides)
    return data


Factory = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def category_data() -> Factory:
    """Build a valid category mapping; keyword arguments replace fields."""
    return _category_data


@pytest.fixture(scope="session")
def policy_data() -> Factory:
    """Build a valid policy mapping; keyword arguments replace top-level fields."""
    return _policy_data


@pytest.fixture(scope="session")
def policy_yaml() -> Callable[..., str]:
    """Render a valid policy with overrides as YAML text."""

    def render(**overrides: Any) -> str:
        return yaml.safe_dump(_policy_data(**overrides), sort_keys=False)

    return render
