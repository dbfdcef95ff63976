"""The policy as plain, immutable values: a :class:`Policy` holding its :class:`Category` list."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from hotlist.errors import PolicyError

XARF_CONTENT_TYPES = (
    "csam",
    "csem",
    "exposed_data",
    "fraud",
    "malware",
    "phishing",
    "remote_compromise",
)
"""The XARF v4 types of category ``content`` a hotline's assessment can fill, in the schema's
spelling: what a notice may say the content is. XARF's ``brand_infringement`` and
``suspicious_registration`` need facts a hotline never keeps (the legitimate site, the
registration date), so a policy cannot name them."""


@dataclass(frozen=True)
class Removal:
    """How the hotline pursues removal at source for one category: the re-notice ladder and the
    re-verification schedule, kept in the policy so every interval is versioned and audited.

    Hours count from the first notice: ``renotice_hours`` re-sends it to the same contact,
    ``escalate_hours`` goes to the upstream network or the registrar, ``refer_hours`` to the
    partner hotline or the police contact. ``recheck_hours`` is the time between two checks that
    the content is still there; ``unchecked_days`` without a successful check puts the entry
    before an analyst. ``xarf_type`` is the notice's XARF v4 content type; None sends the notice
    without a XARF part (no type fits, e.g. terrorist content).
    """

    xarf_type: str | None = None
    renotice_hours: int = 24
    escalate_hours: int = 72
    refer_hours: int = 168
    recheck_hours: int = 12
    unchecked_days: int = 3

    def to_dict(self) -> dict[str, Any]:
        """The block as JSON-ready data, in the policy file's field names."""
        return {
            "xarf_type": self.xarf_type,
            "renotice_hours": self.renotice_hours,
            "escalate_hours": self.escalate_hours,
            "refer_hours": self.refer_hours,
            "recheck_hours": self.recheck_hours,
            "unchecked_days": self.unchecked_days,
        }


@dataclass(frozen=True)
class Category:
    """One category of clearly illegal content the hotline lists, as the policy defines it.

    ``code`` is the stable slug people and the API use; ``wire_id`` the stable number the list
    carries to members. ``legal_basis`` maps a jurisdiction (ISO 3166 alpha-2, or ``EU``) to the
    law that makes the content illegal there. ``legal_order`` marks content blocked under a legal
    order (the block page answers 451 instead of 403).
    """

    code: str
    wire_id: int
    name: str
    definition: str
    legal_basis: Mapping[str, str]
    legal_order: bool
    host_scope_allowed: bool
    reverify_days: int
    removal: Removal = Removal()

    @property
    def jurisdictions(self) -> tuple[str, ...]:
        """The jurisdictions the legal basis covers, sorted: the entry's territorial scope."""
        return tuple(sorted(self.legal_basis))

    def legal_basis_text(self) -> str:
        """The legal basis as one line per jurisdiction, for a statement of reasons."""
        return "\n".join(f"{where}: {self.legal_basis[where]}" for where in self.jurisdictions)

    def to_dict(self) -> dict[str, Any]:
        """The category as JSON-ready data, in the policy file's own field names."""
        return {
            "code": self.code,
            "wire_id": self.wire_id,
            "name": self.name,
            "definition": self.definition,
            "legal_basis": {where: self.legal_basis[where] for where in self.jurisdictions},
            "legal_order": self.legal_order,
            "host_scope_allowed": self.host_scope_allowed,
            "reverify_days": self.reverify_days,
            "removal": self.removal.to_dict(),
        }


@dataclass(frozen=True)
class Policy:
    """A validated policy file: who keeps the list, from when, and the categories it lists.

    Build one with :func:`hotlist.policy.load_policy`, which validates every field; two
    policies with the same content have the same :attr:`content_hash`, which is how the server
    decides whether loading a file makes a new policy version.
    """

    policy_id: str
    title: str
    operator: str
    effective: date
    categories: tuple[Category, ...]
    home_country: str | None = None
    """Where the hotline acts under its own law (ISO 3166 alpha-2): content hosted there gets a
    notice to its host; content hosted elsewhere goes to the partner hotline. None: unknown, so
    every case is an analyst's to route."""

    def category(self, code: str) -> Category:
        """The category with this code, or a PolicyError naming the codes that exist."""
        for category in self.categories:
            if category.code == code:
                return category
        known = ", ".join(c.code for c in self.categories)
        raise PolicyError(f"category {code!r} is not in policy {self.policy_id!r} (known: {known})")

    def has_category(self, code: str) -> bool:
        """Whether the policy defines a category with this code."""
        return any(category.code == code for category in self.categories)

    def to_dict(self) -> dict[str, Any]:
        """The policy as JSON-ready data that :func:`policy_from_dict` reads back unchanged."""
        return {
            "policy_id": self.policy_id,
            "title": self.title,
            "operator": self.operator,
            "effective": self.effective.isoformat(),
            "home_country": self.home_country,
            "categories": [category.to_dict() for category in self.categories],
        }

    def canonical_json(self) -> bytes:
        """Sorted-key, compact UTF-8 JSON of :meth:`to_dict`: the bytes the hash covers."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return text.encode("utf-8")

    @property
    def content_hash(self) -> str:
        """SHA-256 of :meth:`canonical_json`, 64 lowercase hex digits."""
        return hashlib.sha256(self.canonical_json()).hexdigest()
