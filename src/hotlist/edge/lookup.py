"""The lookup daemon's work, without HTTP: batch checks, health, block pages, metrics.

A :class:`LookupService` answers from the verified list in an edge store
(:class:`hotlist.edge.in_force.ListInForce`) and picks up what ``hotlist edge sync`` (or ``run``)
installs without a restart: at most once per ``reload_interval`` seconds it costs a ``stat`` to
see whether the list changed, and re-reads the store's status.

Fail modes: when the list in force may not be enforced (none yet, or a stale one under fail mode
``closed``), checks raise its refusal (the daemon answers 503); a stale list under ``open`` keeps
answering, marked ``stale``.
"""

from __future__ import annotations

import logging
import operator
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from hotlist.blockpage import (
    Catalogue,
    Catalogues,
    RenderedPage,
    bad_entry_page,
    blocked_page,
    not_listed_page,
    parse_entry_ref,
    unavailable_page,
)
from hotlist.edge.cache import BoundedCache
from hotlist.edge.in_force import ListInForce
from hotlist.edge.metrics import ListGauges, Metrics
from hotlist.edge.store import Store
from hotlist.edge.verdict import Verdict
from hotlist.errors import HotlistError, InvalidRequest
from hotlist.publish.format import IntColumn
from hotlist.publish.public_policy import PublicPolicy
from hotlist.publish.wire import POLICY_EXTRA, parse_entry_id

logger = logging.getLogger(__name__)

MAX_BATCH = 10_000
"""The most URLs one check request may carry."""
DEFAULT_RELOAD_INTERVAL_S = 1.0
_CATEGORY_CACHE = 4096


Answer = Literal["full", "compact"]
"""How a check is answered: a verdict per URL, or only the URLs that are blocked or invalid."""
ANSWERS: tuple[Answer, ...] = ("full", "compact")


@dataclass(frozen=True)
class CheckResult:
    """The verdicts of one batch and the list that gave them.

    ``results`` holds one verdict per URL, in order (the ``full`` answer), or, for the
    ``compact`` answer, only those of URLs that are blocked or invalid, each with its
    ``index`` in the batch: every other URL is not blocked.
    """

    list_name: str
    version: int
    stale: bool
    count: int
    results: list[dict[str, object]]
    answer: Answer = "full"

    def to_json(self) -> dict[str, object]:
        """The response document of ``POST /v1/check``."""
        return {
            "list": self.list_name,
            "version": self.version,
            "stale": self.stale,
            "count": self.count,
            ("results" if self.answer == "full" else "blocked_or_invalid"): self.results,
        }


class LookupService:
    """Checks, health and block pages from one edge store; safe to call from many threads."""

    def __init__(
        self,
        store: Store,
        *,
        catalogues: Catalogues | None = None,
        reload_interval: float = DEFAULT_RELOAD_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.catalogues = catalogues or Catalogues()
        self.metrics = Metrics()
        self.in_force = ListInForce(
            store,
            reload_interval=reload_interval,
            clock=clock,
            on_error=lambda _error: self.metrics.record_error("reload"),
        )
        self._policy: tuple[int, PublicPolicy | None] | None = None
        # Entry id -> its category (None: not listed), for the list version in _categories_of.
        self._categories: BoundedCache[int, int | None] = BoundedCache(_CATEGORY_CACHE)
        self._categories_of: int | None = None
        self._columns: tuple[int, IntColumn, IntColumn] | None = None
        store.config()  # a directory that is no store says how to make one
        self.in_force.refresh(force=True)

    # -- checks -----------------------------------------------------------------------------
    def check(self, urls: Sequence[object], answer: Answer = "full") -> CheckResult:
        """Verdicts for a batch of URLs (text), in order; with ``answer="compact"`` only those
        of blocked and invalid URLs, each with its index (see :class:`CheckResult`).

        InvalidRequest for a batch over :data:`MAX_BATCH` or an item that is not text; the list's
        refusal (NotFound, StaleList...) when no verdict may be given.
        An invalid URL gets a not-blocked verdict carrying its error, like ``Matcher.check``.
        """
        if len(urls) > MAX_BATCH:
            self.metrics.record_error("too_large")
            raise InvalidRequest(f"a batch holds at most {MAX_BATCH} URLs, this one {len(urls)}")
        if not all(isinstance(url, str) for url in urls):
            position = next(i for i, url in enumerate(urls) if not isinstance(url, str))
            self.metrics.record_error("bad_request")
            raise InvalidRequest(f"urls[{position}] is not a string")
        try:
            matcher, status = self.in_force.enforceable()
        except HotlistError:
            self.metrics.record_error("unavailable")
            raise
        version, listed = matcher.check_sparse(urls)  # type: ignore[arg-type]  # checked above
        clear = Verdict(False, None, None, False, version)
        listed = [(index, verdict) for index, verdict in listed if verdict != clear]
        hits = [v.category for _, v in listed if v.blocked and v.category is not None]
        self.metrics.record_checks(
            len(urls), sum(1 for _, v in listed if v.error is not None), hits
        )
        if answer == "compact":
            results = [{"index": index, **verdict.to_json()} for index, verdict in listed]
        else:
            results = [clear.to_json()] * len(urls)
            for index, verdict in listed:
                results[index] = verdict.to_json()
        return CheckResult(matcher.list_name, version, status.stale, len(urls), results, answer)

    # -- health and metrics -----------------------------------------------------------------
    def health(self) -> tuple[int, dict[str, object]]:
        """200 and the list's state when checks are answered; 503 and why when they are not."""
        try:
            matcher, status = self.in_force.enforceable()
        except HotlistError as exc:
            current = self.in_force.status
            return 503, {
                "status": "unavailable",
                "reason": exc.message,
                "version": None if current is None else current.version,
                "stale": True if current is None else current.stale,
            }
        return 200, {
            "status": "ok",
            "list": matcher.list_name,
            "version": matcher.version,
            "entries": matcher.count,
            "age_s": status.age_s,
            "stale": status.stale,
            "fail_mode": status.fail_mode,
        }

    def metrics_text(self) -> str:
        """The Prometheus exposition of the counters and the list in force."""
        self.in_force.refresh()
        matcher, status, _refusal = self.in_force.state
        gauges = ListGauges(
            version=None if matcher is None else matcher.version,
            entries=None if matcher is None else matcher.count,
            age_s=None if status is None else status.age_s,
            stale=True if status is None else status.stale,
        )
        return self.metrics.render(gauges)

    # -- block page -------------------------------------------------------------------------
    def block_page(
        self, entry: str | None, accept_language: str | None, lang: str | None = None
    ) -> RenderedPage:
        """The block page for ``entry`` (16 hex digits) from the list and policy in force."""
        catalogue = self.catalogues.choose(accept_language, lang)
        page = self._block_page(entry, catalogue)
        self.metrics.record_page(page.status)
        return page

    def _block_page(self, entry: str | None, catalogue: Catalogue) -> RenderedPage:
        ref = parse_entry_ref(entry)
        if ref is None:
            return bad_entry_page(catalogue)
        self.in_force.refresh()
        matcher = self.in_force.matcher
        policy = self._public_policy()
        if matcher is None or policy is None:
            return unavailable_page(catalogue)
        found, category = self._category_of(parse_entry_id(ref), matcher.version)
        if not found:
            return not_listed_page(ref, catalogue)
        return blocked_page(policy, ref, category, catalogue)

    def _public_policy(self) -> PublicPolicy | None:
        """The policy extra of the list in force (re-read when the version changes)."""
        matcher = self.in_force.matcher
        if matcher is None:
            return None
        version = matcher.version
        cached = self._policy
        if cached is not None and cached[0] == version:
            return cached[1]
        policy = None
        try:
            policy = self.store.public_policy()
            if policy is None:
                logger.error("list version %d carries no %s: no block page", version, POLICY_EXTRA)
        except HotlistError as exc:
            self.metrics.record_error("reload")
            logger.error("the policy extra cannot be used: %s", exc.message)
        self._policy = (version, policy)
        return policy

    def _category_of(self, entry_id: int, version: int) -> tuple[bool, int | None]:
        """Whether list ``version`` (the one in force) holds ``entry_id``, and its category."""
        categories = self._categories
        if self._categories_of != version:
            categories.clear()
            self._categories_of = version
        if entry_id in categories:
            category = categories.get(entry_id)
            return category is not None, category
        columns = self._entry_columns(version)
        category = None
        if columns is not None:
            entry_ids, column = columns
            try:
                category = column[operator.indexOf(entry_ids, entry_id)]
            except ValueError:
                category = None
        categories.put(entry_id, category)
        return category is not None, category

    def _entry_columns(self, version: int) -> tuple[IntColumn, IntColumn] | None:
        """The entry id and category columns of list ``version`` (views into the mapped list
        file, which the matcher maps too: the machine holds one copy of it)."""
        cached = self._columns
        if cached is not None and cached[0] == version:
            return cached[1], cached[2]
        try:
            snapshot = Store(self.store.path).load_current()
        except HotlistError as exc:
            logger.error("cannot read the list for the block page: %s", exc.message)
            return None
        if snapshot is None:
            return None
        self._columns = (snapshot.version, snapshot.entry_ids, snapshot.categories)
        return snapshot.entry_ids, snapshot.categories
