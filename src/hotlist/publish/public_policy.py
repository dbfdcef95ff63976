"""The extra ``policy.json``: the public part of the policy in force, for block pages.

What a block page must say about an entry: who keeps the list (the operator), under which policy
version, each category's name, legal basis per jurisdiction and whether a legal order stands
behind it (HTTP 451), and where to appeal. No personal data, no URL. Encoded as JSON with sorted
keys, so an unchanged policy makes unchanged bytes (and no new list version)::

    {"appeal_url": "https://hotline.example/appeal", "categories": [{"code": "csam",
     "legal_basis": {"EU": "..."}, "legal_order": false, "name": "...", "wire_id": 1}],
     "format": 1, "operator": "Example Hotline", "policy_id": "...", "policy_version": 3,
     "title": "..."}

Pure: no I/O; the server encodes it, the edge's block page decodes it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import quote

from hotlist.errors import VerificationError
from hotlist.publish.wire import POLICY_EXTRA

POLICY_FORMAT = 1


class PublicCategory(NamedTuple):
    """A category as block pages show it."""

    wire_id: int
    code: str
    name: str
    legal_basis: tuple[tuple[str, str], ...]
    """(jurisdiction, law) pairs, sorted by jurisdiction."""
    legal_order: bool

    @classmethod
    def of(
        cls, wire_id: int, code: str, name: str, legal_basis: Mapping[str, str], legal_order: bool
    ) -> PublicCategory:
        """A category from a legal-basis mapping (sorted here)."""
        return cls(wire_id, code, name, tuple(sorted(legal_basis.items())), legal_order)

    def to_json(self) -> dict[str, Any]:
        """The category as the extra writes it."""
        return {
            "wire_id": self.wire_id,
            "code": self.code,
            "name": self.name,
            "legal_basis": dict(self.legal_basis),
            "legal_order": self.legal_order,
        }


class PublicPolicy(NamedTuple):
    """The public part of the policy in force, and where to appeal."""

    operator: str
    policy_id: str
    policy_version: int
    title: str
    appeal_url: str
    categories: tuple[PublicCategory, ...]

    def category(self, wire_id: int | None) -> PublicCategory | None:
        """The category with ``wire_id``, or None when the policy has none such."""
        for category in self.categories:
            if category.wire_id == wire_id:
                return category
        return None

    def appeal_link(self, entry_ref: str) -> str:
        """The appeal form's address for one entry: ``<appeal_url>?entry=<entry id>``."""
        separator = "&" if "?" in self.appeal_url else "?"
        return f"{self.appeal_url}{separator}entry={quote(entry_ref, safe='')}"

    def to_json(self) -> dict[str, Any]:
        """The policy as the extra writes it."""
        return {
            "format": POLICY_FORMAT,
            "operator": self.operator,
            "policy_id": self.policy_id,
            "policy_version": self.policy_version,
            "title": self.title,
            "appeal_url": self.appeal_url,
            "categories": [c.to_json() for c in sorted(self.categories, key=lambda c: c.wire_id)],
        }


def encode_public_policy(policy: PublicPolicy) -> bytes:
    """The extra's bytes: sorted keys, compact, UTF-8."""
    text = json.dumps(policy.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def decode_public_policy(data: bytes) -> PublicPolicy:
    """The policy of a ``policy.json`` extra; VerificationError when it is malformed."""
    try:
        raw = json.loads(data)
        if not isinstance(raw, dict) or raw.get("format") != POLICY_FORMAT:
            raise ValueError(f"not a format {POLICY_FORMAT} document")
        categories = raw["categories"]
        if not isinstance(categories, list):
            raise TypeError("'categories' is not a list")
        policy = PublicPolicy(
            operator=_text(raw, "operator"),
            policy_id=_text(raw, "policy_id"),
            policy_version=_number(raw, "policy_version"),
            title=_text(raw, "title"),
            appeal_url=_text(raw, "appeal_url"),
            categories=tuple(_category(item) for item in categories),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise VerificationError(f"the policy extra {POLICY_EXTRA} is malformed: {exc}") from exc
    if not policy.appeal_url.startswith(("http://", "https://")):
        raise VerificationError(f"the policy extra's appeal URL {policy.appeal_url!r} is not http")
    return policy


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw[key]
    if not isinstance(value, str):
        raise TypeError(f"{key!r} is not text")
    return value


def _number(raw: Mapping[str, Any], key: str) -> int:
    value = raw[key]
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{key!r} is not a number")
    return value


def _category(item: object) -> PublicCategory:
    if not isinstance(item, dict):
        raise TypeError("a category is not an object")
    basis = item["legal_basis"]
    if not isinstance(basis, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in basis.items()
    ):
        raise TypeError("a category's legal_basis is not a map of text")
    if not isinstance(item["legal_order"], bool):
        raise TypeError("a category's legal_order is not true or false")
    return PublicCategory.of(
        _number(item, "wire_id"),
        _text(item, "code"),
        _text(item, "name"),
        basis,
        item["legal_order"],
    )
