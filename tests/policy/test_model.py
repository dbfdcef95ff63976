"""The policy values: lookup, serialisation and the content hash used for versioning."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from hotlist.errors import PolicyError
from hotlist.policy import load_demo_policy, policy_from_dict

Factory = Callable[..., dict[str, Any]]


def test_round_trip_through_dict_keeps_policy_and_hash() -> None:
    policy = load_demo_policy()
    again = policy_from_dict(json.loads(policy.canonical_json()))
    assert again == policy
    assert again.content_hash == policy.content_hash


def test_hash_ignores_key_order_but_not_content(
    policy_data: Factory, category_data: Factory
) -> None:
    base = policy_from_dict(policy_data())
    reordered = policy_from_dict(dict(reversed(list(policy_data().items()))))
    changed = policy_from_dict(policy_data(categories=[category_data(reverify_days=31)]))
    assert reordered.content_hash == base.content_hash
    assert changed.content_hash != base.content_hash
    assert len(base.content_hash) == 64


def test_category_lookup_names_known_codes(policy_data: Factory) -> None:
    policy = policy_from_dict(policy_data())
    assert policy.category("csam").wire_id == 1
    assert policy.has_category("terror")
    assert not policy.has_category("spam")
    with pytest.raises(PolicyError, match=r"'spam' is not in policy 'test-policy' \(known: csam"):
        policy.category("spam")


def test_legal_basis_text_is_one_line_per_jurisdiction_sorted(policy_data: Factory) -> None:
    category = policy_from_dict(policy_data()).category("csam")
    assert category.legal_basis_text() == (
        "EU: Directive 2011/93/EU\nGB: Protection of Children Act 1978"
    )
