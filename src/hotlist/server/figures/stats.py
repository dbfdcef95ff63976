"""The one home of the figures' statistics: percentiles (the median among them), shares and
whether a moment falls in a period. Pure functions; every figures module uses these."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime

MINUTE = 60.0
HOUR = 3600.0
DAY = 24 * HOUR


def percentile(values: Iterable[float], share: float, unit: float = 1.0) -> float | None:
    """The ``share`` percentile (0.5: the median, 0.9: p90) of ``values`` divided by ``unit``,
    rounded to 2 decimals; ``None`` without values.

    Linear interpolation between the closest ranks (numpy's default, and the median
    :func:`statistics.median` gives): the value at rank ``(n - 1) * share`` of the sorted values.
    """
    return percentiles(values, (share,), unit)[0]


def percentiles(
    values: Iterable[float], shares: Sequence[float], unit: float = 1.0
) -> list[float | None]:
    """:func:`percentile` for each of ``shares``, sorting ``values`` once."""
    for share in shares:
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"a percentile's share is between 0 and 1, not {share}")
    ordered = sorted(values)
    if not ordered:
        return [None] * len(shares)
    found: list[float | None] = []
    for share in shares:
        rank = (len(ordered) - 1) * share
        low = math.floor(rank)
        high = min(low + 1, len(ordered) - 1)
        value = ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
        found.append(round(value / unit, 2))
    return found


def median(values: Iterable[float], unit: float = 1.0) -> float | None:
    """The median of ``values`` divided by ``unit``, rounded to 2 decimals (None: no values)."""
    return percentile(values, 0.5, unit)


def share_of(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to 4 decimals; ``None`` when there is no whole."""
    return round(part / whole, 4) if whole else None


def within(moment: datetime | None, start: datetime, end: datetime) -> bool:
    """Whether ``moment`` is in ``[start, end)`` (an unknown moment never is)."""
    return moment is not None and start <= moment < end
