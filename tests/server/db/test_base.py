"""Times go in and come out timezone-aware UTC on both databases; naive times are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from hotlist.server.accounts.models import Organisation
from hotlist.server.db.base import utcnow


def test_utcnow_is_aware_utc() -> None:
    now = utcnow()
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    moment=st.datetimes(
        min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    ),
    offset_minutes=st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_round_trip_keeps_the_instant_in_utc(
    session: Session, moment: datetime, offset_minutes: int
) -> None:
    local = moment.astimezone(timezone(timedelta(minutes=offset_minutes)))
    org = Organisation(name=f"Org at {local.isoformat()}", kind="hotline", created_at=local)
    session.add(org)
    session.commit()
    session.expire_all()
    loaded = session.scalar(select(Organisation).where(Organisation.id == org.id))
    assert loaded is not None
    assert loaded.created_at == moment
    assert loaded.created_at.utcoffset() == timedelta(0)
    session.delete(loaded)
    session.commit()


def test_naive_datetime_is_refused(session: Session) -> None:
    session.add(Organisation(name="Naive", kind="hotline", created_at=datetime(2026, 1, 1)))
    with pytest.raises(StatementError, match="naive datetime"):
        session.flush()
