"""The XARF part: every report validates, for every category and any URL; none holds content."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import xarf as xarf_package
from hypothesis import given
from hypothesis import strategies as st

from hotlist.errors import PolicyError
from hotlist.policy import load_demo_policy
from hotlist.policy.model import XARF_CONTENT_TYPES
from hotlist.server.notices.xarf import (
    TYPE_FIELDS,
    InvalidXarf,
    ReportFacts,
    Sender,
    build_report,
    encode,
    validate,
)

SENDER = Sender("Example Hotline", "hotline@hotline.example")
FILLABLE = sorted(XARF_CONTENT_TYPES)

hosts = st.from_regex(
    r"[a-z][a-z0-9]{0,10}(\.[a-z][a-z0-9]{0,8}){0,2}\.(example|test|invalid)", fullmatch=True
)
paths = st.lists(st.from_regex(r"[A-Za-z0-9._~-]{1,12}", fullmatch=True), max_size=4)
ips = st.sampled_from([None, "192.0.2.7", "198.51.100.20", "2001:db8::5"])


def facts(url: str, host: str, ip: str | None, kind: str) -> ReportFacts:
    return ReportFacts(
        url=url,
        host=host,
        ip=ip,
        xarf_type=kind,
        reference="N-7K2M9Q4X",
        assessed_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        legal_basis="GB: Protection of Children Act 1978, s. 1\nEU: Directive 2011/93/EU, Art. 5",
    )


@given(
    kind=st.sampled_from(FILLABLE),
    host=hosts,
    path=paths,
    scheme=st.sampled_from(["http", "https"]),
    ip=ips,
)
def test_every_fillable_type_validates_and_parses(
    kind: str, host: str, path: list[str], scheme: str, ip: str | None
) -> None:
    url = f"{scheme}://{host}/{'/'.join(path)}"
    report = build_report(facts(url, host, ip, kind), SENDER)
    parsed = xarf_package.parse(json.loads(encode(report)), strict=False)
    assert parsed.errors == []
    assert parsed.warnings == []
    assert parsed.report is not None
    assert report["category"] == "content"
    assert report["url"] == url
    assert report["source_identifier"] == (ip or host)
    assert report["timestamp"] == "2026-03-02T09:30:00Z"
    assert "N-7K2M9Q4X" in report["description"]
    assert "Protection of Children Act 1978" in report["description"]
    assert "reference:n-7k2m9q4x" in report["tags"]


def test_the_demo_policys_categories_each_build_or_go_without_xarf() -> None:
    for category in load_demo_policy().categories:
        kind = category.removal.xarf_type
        if kind is None:
            continue
        report = build_report(facts("https://files.example/a", "files.example", None, kind), SENDER)
        assert report["type"] == kind


def test_a_report_never_carries_content_or_hashes() -> None:
    report = build_report(
        facts("https://files.example/a", "files.example", "192.0.2.7", "csam"), SENDER
    )
    assert "hash_values" not in report
    assert "evidence" not in report


def test_every_type_a_policy_may_name_is_one_hotlist_can_fill() -> None:
    assert set(XARF_CONTENT_TYPES) == set(TYPE_FIELDS)


@pytest.mark.parametrize("kind", ["brand_infringement", "suspicious_registration"])
def test_a_type_hotlist_cannot_fill_is_refused_with_what_to_do(kind: str) -> None:
    with pytest.raises(PolicyError, match="needs facts hotlist does not keep"):
        build_report(facts("https://files.example/a", "files.example", None, kind), SENDER)


def test_the_same_notice_keeps_its_report_ids() -> None:
    one = build_report(facts("https://files.example/a", "files.example", None, "csam"), SENDER)
    two = build_report(facts("https://files.example/a", "files.example", None, "csam"), SENDER)
    other = build_report(facts("https://files.example/b", "files.example", None, "csam"), SENDER)
    assert one["report_id"] == two["report_id"] != other["report_id"]


def test_a_report_that_does_not_validate_raises_as_our_bug() -> None:
    report = build_report(facts("https://files.example/a", "files.example", None, "csam"), SENDER)
    broken = {**report, "classification": "not-a-class"}
    with pytest.raises(InvalidXarf, match="a bug"):
        validate(broken)
    with pytest.raises(InvalidXarf, match=r"content"):
        validate({**report, "content": "never"})
