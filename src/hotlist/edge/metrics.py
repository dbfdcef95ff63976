"""The lookup daemon's counters, and their Prometheus text exposition (format 0.0.4).

Written by hand: a handful of counters and gauges do not need a client library. Counters only
grow for the life of the process; the list gauges describe the list in force when scraped.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
ERROR_KINDS = ("bad_request", "too_large", "unavailable", "reload", "internal")
"""What ``hotlist_errors_total`` counts, by ``kind``: a malformed request, a body or batch over
the limits, a check refused for want of an enforceable list, a new list that failed to load, an
unexpected failure."""


@dataclass(frozen=True)
class ListGauges:
    """The list in force as the metrics show it (None: no list)."""

    version: int | None
    entries: int | None
    age_s: float | None
    stale: bool


class Metrics:
    """Thread-safe counters of one daemon process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.checks = 0
        self.invalid = 0
        self.hits: Counter[int] = Counter()
        self.errors: Counter[str] = Counter(dict.fromkeys(ERROR_KINDS, 0))
        self.pages: Counter[int] = Counter()

    def record_checks(self, checked: int, invalid: int, hits: Iterable[int]) -> None:
        """One batch: URLs checked, how many were invalid, the category of each hit."""
        counted = Counter(hits)
        with self._lock:
            self.requests += 1
            self.checks += checked
            self.invalid += invalid
            self.hits.update(counted)

    def record_error(self, kind: str) -> None:
        """One error of ``kind`` (one of :data:`ERROR_KINDS`)."""
        with self._lock:
            self.errors[kind] += 1

    def record_page(self, status: int) -> None:
        """One block page served with ``status``."""
        with self._lock:
            self.pages[status] += 1

    def render(self, gauges: ListGauges) -> str:
        """The exposition text."""
        with self._lock:
            hits = dict(self.hits)
            errors = dict(self.errors)
            pages = dict(self.pages)
            requests, checks, invalid = self.requests, self.checks, self.invalid
        families: list[tuple[str, str, str, dict[tuple[tuple[str, str], ...], Any]]] = [
            ("hotlist_list_version", "gauge", "Version of the list in force.",
             {(): gauges.version}),
            ("hotlist_list_entries", "gauge", "Entries in the list in force.",
             {(): gauges.entries}),
            ("hotlist_list_age_seconds", "gauge",
             "Seconds since a sync last confirmed the list current.", {(): gauges.age_s}),
            ("hotlist_list_stale", "gauge", "1 when the list is older than its maximum age.",
             {(): int(gauges.stale)}),
            ("hotlist_check_requests_total", "counter", "Batches checked.", {(): requests}),
            ("hotlist_checks_total", "counter", "URLs checked.", {(): checks}),
            ("hotlist_invalid_urls_total", "counter",
             "URLs that could not be canonicalized (answered not blocked, with the error).",
             {(): invalid}),
            ("hotlist_hits_total", "counter", "Blocked verdicts, by category wire id.",
             {(("category", str(c)),): n for c, n in sorted(hits.items())}),
            ("hotlist_errors_total", "counter", "Errors, by kind.",
             {(("kind", k),): n for k, n in sorted(errors.items())}),
            ("hotlist_block_pages_total", "counter", "Block pages served, by status.",
             {(("status", str(s)),): n for s, n in sorted(pages.items())}),
        ]  # fmt: skip
        lines: list[str] = []
        for name, kind, help_text, samples in families:
            _metric(lines, name, kind, help_text, samples)
        return "\n".join(lines) + "\n"


def _metric(
    lines: list[str],
    name: str,
    kind: str,
    help_text: str,
    samples: Mapping[tuple[tuple[str, str], ...], float | int | None],
) -> None:
    lines.append(f"# HELP {name} {help_text}")
    lines.append(f"# TYPE {name} {kind}")
    for labels, value in samples.items():
        if value is None:
            continue
        label_text = ",".join(f'{key}="{_escape(val)}"' for key, val in labels)
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        lines.append(f"{name}{{{label_text}}} {shown}" if labels else f"{name} {shown}")


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
