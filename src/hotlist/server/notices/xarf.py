"""A notice's machine-readable part: one XARF v4 report per URL, validated with the ``xarf``
package before it leaves (a report that does not validate is our bug, and raises).

What a report says: category ``content``, the type the category's policy maps it to, the URL,
where it resolved, our reference, the time of assessment, the legal basis. Never any content,
hash of content or reporter detail.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import xarf

from hotlist.errors import HotlistError, PolicyError

XARF_NAMESPACE = uuid.UUID("9d0c1b1e-5f0a-4a53-8f43-6e6f74696365")
"""Report ids are UUIDs derived from (reference, URL): the same notice re-sent keeps its ids."""

TYPE_FIELDS: Mapping[str, Mapping[str, Any]] = {
    "csam": {"classification": "baseline", "detection_method": "manual_review"},
    "csem": {"exploitation_type": "distribution", "detection_method": "manual_review"},
    "exposed_data": {"data_types": ["other"], "exposure_method": "other"},
    "fraud": {"fraud_type": "other"},
    "remote_compromise": {"compromise_type": "other"},
    "malware": {},
    "phishing": {},
}
"""What each XARF content type a policy may name (:data:`XARF_CONTENT_TYPES`) requires beyond
the common fields, as an analyst's assessment can say it (``manual_review``; ``other`` where the
type asks for detail the hotline does not keep)."""

_DOMAIN = re.compile(r"^([a-z0-9]+(-[a-z0-9]+)*\.)+[a-z]{2,}$")
_DESCRIPTION_MAX = 1000


class InvalidXarf(HotlistError):
    """A XARF report hotlist built does not validate: a bug in hotlist, never the input's."""


@dataclass(frozen=True)
class Sender:
    """Who sends the notice (the hotline): the XARF ``reporter`` and ``sender``."""

    org: str
    contact: str

    def as_xarf(self) -> dict[str, str]:
        """The XARF contact object."""
        domain = self.contact.rpartition("@")[2] or "hotline.invalid"
        return {"org": self.org, "contact": self.contact, "domain": domain}


@dataclass(frozen=True)
class ReportFacts:
    """One URL's facts for its report; nothing here is content."""

    url: str
    host: str
    ip: str | None
    xarf_type: str
    reference: str
    assessed_at: datetime
    legal_basis: str


def build_report(facts: ReportFacts, sender: Sender) -> dict[str, Any]:
    """The XARF v4 report for ``facts``, validated; PolicyError for a type hotlist cannot fill,
    InvalidXarf when what was built does not validate."""
    xarf_type = facts.xarf_type
    extra = TYPE_FIELDS.get(xarf_type)
    if extra is None:
        raise PolicyError(
            f"the XARF type {facts.xarf_type!r} needs facts hotlist does not keep; give the "
            f"category one of {', '.join(sorted(TYPE_FIELDS))}, or none (a notice without XARF)"
        )
    description = (
        f"Reference {facts.reference}. Assessed as illegal by a hotline analyst. "
        f"Legal basis: {' '.join(facts.legal_basis.split())}"
    )
    report: dict[str, Any] = {
        "xarf_version": xarf.SPEC_VERSION,
        "report_id": str(uuid.uuid5(XARF_NAMESPACE, f"{facts.reference} {facts.url}")),
        "timestamp": facts.assessed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "reporter": sender.as_xarf(),
        "sender": sender.as_xarf(),
        "source_identifier": facts.ip or facts.host,
        "category": "content",
        "type": xarf_type,
        "url": facts.url,
        "evidence_source": "manual_analysis",
        "description": _clip(description),
        "tags": [f"reference:{_tag(facts.reference)}"],
        **extra,
    }
    if _DOMAIN.fullmatch(facts.host):
        report["domain"] = facts.host
    validate(report)
    return report


def validate(report: Mapping[str, Any]) -> None:
    """InvalidXarf unless ``report`` is a valid XARF v4 report with no unknown field."""
    result = xarf.parse(dict(report), strict=False)
    problems = [f"{e.field}: {e.message}" for e in result.errors]
    problems += [f"{w.field}: {w.message}" for w in result.warnings]
    if result.report is None and not problems:
        problems = ["the xarf package could not read it"]
    if problems:
        raise InvalidXarf(
            "hotlist built a XARF report that does not validate (a bug; please report it): "
            + "; ".join(problems)
        )


def encode(report: Mapping[str, Any]) -> bytes:
    """An attachment's bytes: the report as UTF-8 JSON."""
    return json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _clip(text: str) -> str:
    return text if len(text) <= _DESCRIPTION_MAX else text[: _DESCRIPTION_MAX - 1] + "\u2026"


def _tag(reference: str) -> str:
    return re.sub(r"[^a-z0-9_+-]", "-", reference.lower()).strip("-") or "none"
