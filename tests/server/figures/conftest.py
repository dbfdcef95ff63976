"""Fixtures of the report -> assessment -> entry flow, of decisions by other people, and of
removal cases with their hosting lookups."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hotlist.server.entries.models import Entry
from hotlist.server.hosting.models import HostingLookup
from hotlist.server.kit.principal import Principal
from hotlist.server.notices.models import RemovalCase
from server.reports.factories import assess, file_report, listed_entry

__all__ = [
    "assess",
    "file_report",
    "hosting_lookup",
    "listed_entry",
    "other_supervisor",
    "removal_case",
]


@pytest.fixture
def other_supervisor(
    make_key: Callable[..., tuple[str, Principal]],
) -> Callable[[], dict[str, str]]:
    """``other_supervisor()``: headers of a new supervisor, not the one ``auth`` gives."""

    def make() -> dict[str, str]:
        secret, _principal = make_key("supervisor")
        return {"Authorization": f"Bearer {secret}"}

    return make


@pytest.fixture
def removal_case(
    listed_entry: Callable[..., str], sessions: sessionmaker[Session]
) -> Callable[..., RemovalCase]:
    """``removal_case(host, opened_at, category="csam", **timestamps)``: a listed entry on
    ``host`` (through the API) and its removal case with the given timestamps and outcome."""
    made = iter(range(1, 10_000))

    def make(host: str, opened_at: datetime, category: str = "csam", **fields: Any) -> RemovalCase:
        public_id = listed_entry(f"http://{host}/page-{next(made)}.html", category=category)
        with sessions() as session:
            entry_id = session.scalar(select(Entry.id).where(Entry.public_id == int(public_id, 16)))
            assert entry_id is not None
            case = RemovalCase(
                entry_id=entry_id, category_code=category, host=host, opened_at=opened_at, **fields
            )
            session.add(case)
            session.commit()
            session.refresh(case)
            session.expunge(case)
        return case

    return make


@pytest.fixture
def hosting_lookup(sessions: sessionmaker[Session]) -> Callable[..., HostingLookup]:
    """``hosting_lookup(host, at, network, asn, **fields)``: one stored lookup snapshot."""

    def make(
        host: str, at: datetime, network: str | None, asn: int | None, **fields: Any
    ) -> HostingLookup:
        with sessions() as session:
            lookup = HostingLookup(
                host=host, looked_up_at=at, network_name=network, asn=asn, **fields
            )
            session.add(lookup)
            session.commit()
            session.refresh(lookup)
            session.expunge(lookup)
        return lookup

    return make
