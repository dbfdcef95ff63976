"""``GET /v1/transparency``: a period's figures as JSON, public, cached per period.

The HTML page at ``/transparency`` is the web pages' (:mod:`hotlist.server.web.pages.public`);
it can share the cache through :func:`cached_figures`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from hotlist.errors import InvalidRequest
from hotlist.server.figures.compute import TransparencyFigures, compute
from hotlist.server.figures.query import period_rows
from hotlist.server.kit.deps import ClockDep, DbSession, ServicesDep, require
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal
from hotlist.server.kit.services import Services

router = APIRouter(tags=["transparency"])

Reader = Annotated[Principal, Depends(require(Permission.TRANSPARENCY_READ))]
From = Annotated[date | None, Query(alias="from", description="First day (UTC), inclusive.")]
To = Annotated[date | None, Query(alias="to", description="Last day (UTC), inclusive.")]
DEFAULT_DAYS = 30
MAX_DAYS = 3660
CACHE_SECONDS = 300.0
CACHE_SIZE = 64
"""The figures of a period are kept 5 minutes; at most 64 periods (``create_app`` makes the
cache with these)."""


def period(
    start: date | None, end: date | None, today: date | None = None
) -> tuple[datetime, datetime]:
    """``[start 00:00, end+1 00:00)`` in UTC; by default the last 30 days up to today."""
    last = end or today or datetime.now(UTC).date()
    first = start or last - timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise InvalidRequest("'to' comes before 'from'; give the first day, then the last")
    if (last - first).days >= MAX_DAYS:
        raise InvalidRequest(f"a report covers at most {MAX_DAYS} days")
    return (
        datetime.combine(first, time(), tzinfo=UTC),
        datetime.combine(last + timedelta(days=1), time(), tzinfo=UTC),
    )


def cached_figures(
    session: Session, services: Services, today: date, start: date | None, end: date | None
) -> TransparencyFigures:
    """The figures of the period ``start``..``end`` (days, both included; the last 30 days up
    to ``today`` by default), from the app's cache when computed less than 5 minutes ago."""
    begin, stop = period(start, end, today)
    days = services.settings.appeal_decide_days
    least = services.settings.figures_min_provider_cases
    return services.figures.get(
        (begin, stop, days, least),
        lambda: compute(
            period_rows(session, begin, stop), appeal_decide_days=days, min_provider_cases=least
        ),
    )


@router.get(
    "/v1/transparency",
    summary="The transparency figures (JSON)",
)
def transparency_figures(
    session: DbSession,
    services: ServicesDep,
    clock: ClockDep,
    _p: Reader,
    start: From = None,
    end: To = None,
) -> dict[str, object]:
    """Every figure of the period: counts, shares and medians; no personal data, no URL.
    Computed at most every 5 minutes per period."""
    return cached_figures(session, services, clock.now().date(), start, end).to_dict()
