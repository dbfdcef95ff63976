"""``GET /v1/transparency``: a period's figures as JSON, public, cached per period.

The HTML page at ``/transparency`` is the web pages' (:mod:`hotlist.server.web.pages.public`);
it can share the cache through :func:`cached_figures`.
"""

from __future__ import annotations

import threading
import time as clock
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from hotlist.errors import InvalidRequest
from hotlist.server.accounts.deps import require
from hotlist.server.accounts.permissions import Permission
from hotlist.server.accounts.principal import Principal
from hotlist.server.db.session import DbSession
from hotlist.server.figures.compute import TransparencyFigures, compute
from hotlist.server.figures.query import period_rows

router = APIRouter(tags=["transparency"])

Reader = Annotated[Principal, Depends(require(Permission.TRANSPARENCY_READ))]
From = Annotated[date | None, Query(alias="from", description="First day (UTC), inclusive.")]
To = Annotated[date | None, Query(alias="to", description="Last day (UTC), inclusive.")]
DEFAULT_DAYS = 30
MAX_DAYS = 3660
CACHE_SECONDS = 300.0
CACHE_SIZE = 64


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


class FigureCache:
    """Figures by period for ``ttl`` seconds: the routes are public, and a period's figures
    cost a pass over its rows, so repeated requests must not repeat that work."""

    def __init__(self, ttl: float = CACHE_SECONDS, size: int = CACHE_SIZE) -> None:
        self.ttl = ttl
        self.size = size
        self._items: dict[tuple[datetime, datetime, int], tuple[float, TransparencyFigures]] = {}
        self._lock = threading.Lock()

    def get(
        self, key: tuple[datetime, datetime, int], make: Callable[[], TransparencyFigures]
    ) -> TransparencyFigures:
        """The cached figures for ``key``, made with ``make`` when absent or too old."""
        now = clock.monotonic()
        with self._lock:
            cached = self._items.get(key)
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        figures = make()
        with self._lock:
            if len(self._items) >= self.size:
                self._items.clear()
            self._items[key] = (now, figures)
        return figures


def cached_figures(
    session: Session, request: Request, start: date | None, end: date | None
) -> TransparencyFigures:
    """The figures of the period ``start``..``end`` (days, both included; the last 30 days by
    default), from the app's cache when computed less than 5 minutes ago."""
    begin, stop = period(start, end)
    days: int = request.app.state.settings.appeal_decide_days
    cache: FigureCache | None = getattr(request.app.state, "transparency_cache", None)
    if cache is None:
        cache = request.app.state.transparency_cache = FigureCache()
    return cache.get(
        (begin, stop, days),
        lambda: compute(period_rows(session, begin, stop), appeal_decide_days=days),
    )


@router.get(
    "/v1/transparency",
    summary="The transparency figures (JSON)",
)
def transparency_figures(
    session: DbSession, request: Request, _p: Reader, start: From = None, end: To = None
) -> dict[str, object]:
    """Every figure of the period: counts, shares and medians; no personal data, no URL.
    Computed at most every 5 minutes per period."""
    return cached_figures(session, request, start, end).to_dict()
