"""Property: whatever a reporter sends, intake answers 201 or a clear 4xx, never a server error."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hotlist.errors import InvalidURL
from hotlist.server.db.base import utcnow
from hotlist.server.reports.intake import canonical_hash, filing
from hotlist.server.reports.models import Report
from hotlist.urls import canonicalize, expression_hashes

urls = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda scheme, host, path: f"{scheme}{host}{path}",
        st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "", "javascript:"]),
        st.sampled_from(["www.example.com", "EXAMPLE.org", "x.test", "192.0.2.1", "[::1]", ""]),
        st.text(alphabet="/.%?#&=a-zé \t\x00", max_size=30),
    ),
)
optional_text = st.none() | st.text(max_size=40)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(url=urls, comment=optional_text, hint=st.none() | st.sampled_from(["csam", "x", "CSAM"]))
def test_intake_never_fails_on_odd_input(
    client: TestClient, sessions: sessionmaker[Session], url: str, comment: str | None, hint: Any
) -> None:
    body = {"url": url, "comment": comment, "category_hint": hint}
    response = client.post("/v1/reports", json={k: v for k, v in body.items() if v is not None})
    assert response.status_code in (201, 422), response.text
    if response.status_code == 422:
        assert response.headers["content-type"] == "application/problem+json"
        return
    with sessions() as session:
        report = session.scalar(select(Report).where(Report.receipt == response.json()["receipt"]))
    assert report is not None
    assert report.url == url
    assert report.canonical_url == canonicalize(url)


@settings(max_examples=200, deadline=None)
@given(url=urls)
def test_filing_parses_once_and_keeps_what_the_long_way_gives(url: str) -> None:
    """The statement's values come from one parse of the URL: the same canonical URL, its
    digest and expression hashes as canonicalizing it and hashing its expressions apart."""
    try:
        values = filing(url, now=utcnow())
    except InvalidURL:
        return
    canonical = canonicalize(url)
    assert values["canonical_url"] == canonical
    assert values["canonical_hash"] == canonical_hash(canonical)
    assert values["expressions"] == expression_hashes(canonical)
