"""The list an edge enforces, and whether it may be enforced now: one object for every enforcer.

The Squid helper, the lookup daemon, the RPZ zone and ``hotlist edge check`` each hold a
:class:`ListInForce` over their store. It loads the verified list (a
:class:`~hotlist.edge.matcher.Matcher`), puts in force each new version ``hotlist edge sync``
installs (without a restart, without dropping a check), re-reads the store's status, and applies
the one rule that says whether verdicts may be given, here and nowhere else:

1. no list could be loaded: no verdicts (NotFound before the first sync; the store's own error
   when its list cannot be read or trusted);
2. the store's state cannot be read: no verdicts (StorageError);
3. the state names no synced list: no verdicts (NotFound);
4. the list is stale: under fail mode ``closed`` no verdicts (StaleList); under ``open`` verdicts
   from the stale list. Either way a warning is logged once while it stays stale.

A refusal is raised by :meth:`ListInForce.verdict` and :meth:`ListInForce.verdicts` (and
:meth:`~ListInForce.enforceable`); each enforcer turns it into its own answer (Squid's ``BH``,
the daemon's 503, the command's exit code, no zone written) and says it its own way.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import NamedTuple

from hotlist.edge.config import FailMode
from hotlist.edge.matcher import Engine, Matcher
from hotlist.edge.status import EdgeStatus, read_status, stale_message, stale_note
from hotlist.edge.store import Store, utc_now
from hotlist.edge.verdict import Verdict
from hotlist.errors import HotlistError, NotFound, StaleList, StorageError

__all__ = ["InForce", "ListInForce"]

logger = logging.getLogger(__name__)


class InForce(NamedTuple):
    """What one refresh found, read together: the matcher of the list in force (None when none
    could be loaded), the store's status (None when it could not be read), and why no verdict
    may be given (None when verdicts may be given)."""

    matcher: Matcher | None
    status: EdgeStatus | None
    refusal: HotlistError | None


class ListInForce:
    """The list in force in one edge store; safe to use from many threads.

    ``reload_interval``: :meth:`refresh` (which every verdict calls) looks at the store at most
    that often, measured by ``clock``; a look costs a ``stat`` and two small reads when nothing
    changed. ``now`` gives the time the list's age is measured at. ``engine`` is the matcher's
    (the compiled core by default). ``on_error`` is told of each failure to load a new list or
    to read the state (the daemon counts them).

    ``checksum_later``: the first list is put in force once its file's structure is checked,
    its checksum left to :meth:`verify_checksum` (the Squid helper's start-up, see
    :meth:`Store.load_current <hotlist.edge.store.Store.load_current>`); every later list is
    verified whole before it goes into force.
    """

    def __init__(
        self,
        store: Store,
        *,
        reload_interval: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utc_now,
        engine: Engine = "core",
        on_error: Callable[[HotlistError], None] | None = None,
        checksum_later: bool = False,
    ) -> None:
        self.store = store
        self._checksum_later = checksum_later
        self.reload_interval = reload_interval
        self._clock = clock
        self._now = now
        self._engine: Engine = engine
        self._on_error = on_error
        self._lock = threading.Lock()
        self._checked_at: float | None = None
        self._warned_stale = False
        self._state = InForce(None, None, None)

    # -- what is in force -----------------------------------------------------------------------
    @property
    def state(self) -> InForce:
        """The matcher, status and refusal of the last refresh, all from the same one."""
        return self._state

    @property
    def matcher(self) -> Matcher | None:
        """The matcher of the list in force, or None while no list could be loaded."""
        return self._state.matcher

    @property
    def status(self) -> EdgeStatus | None:
        """The store's status at the last refresh, or None when it could not be read."""
        return self._state.status

    @property
    def refusal(self) -> HotlistError | None:
        """Why no verdict may be given now, or None when verdicts may be given."""
        return self._state.refusal

    # -- keeping it current ---------------------------------------------------------------------
    def refresh(self, *, force: bool = False) -> bool:
        """Put a new list in force and re-read the status, at most once per reload interval
        (``force``: now). Returns True when a list went into force (the first, or a newer)."""
        now = self._clock()
        if not force and not self._due(now):
            return False
        with self._lock:
            if not force and not self._due(now):
                return False
            self._checked_at = now
            matcher, load_error, loaded = self._load(self._state.matcher)
            try:
                status: EdgeStatus | None = read_status(self.store, self._now())
                status_error = None
            except HotlistError as exc:
                status, status_error = None, exc
                self._report(exc)
            refusal = _refusal(self.store, matcher, load_error, status, status_error)
            self._log_change(status)
            self._state = InForce(matcher, status, refusal)
        return loaded

    def _due(self, now: float) -> bool:
        checked = self._checked_at
        return checked is None or now - checked >= self.reload_interval

    def _load(self, matcher: Matcher | None) -> tuple[Matcher | None, HotlistError | None, bool]:
        """The matcher after looking at the store's list, the error met, and whether a list
        went into force."""
        later, self._checksum_later = self._checksum_later, False  # the first load only
        try:
            if matcher is None:
                matcher = Matcher.from_store(
                    self.store.path, engine=self._engine, checksum=not later
                )
            elif not matcher.reload_if_changed():
                return matcher, None, False
        except NotFound as exc:
            return matcher, exc, False  # no list yet: the refusal says so
        except HotlistError as exc:
            self._report(exc)
            if matcher is not None:
                logger.error(
                    "the new list was not put in force (version %d stays in force): %s",
                    matcher.version,
                    exc.message,
                )
            return matcher, exc, False
        entries = "1 entry" if matcher.count == 1 else f"{matcher.count:,} entries"
        logger.info("list %s version %d in force (%s)", matcher.list_name, matcher.version, entries)
        return matcher, None, True

    def verify_checksum(self) -> bool:
        """Verify the checksum of the list put in force with ``checksum_later``, once: True
        when it was checked now and matched, False when there was nothing to check.

        Until then the list counts as in force: ``hotlist edge sync`` verified the file whole
        (signatures and checksum) before it put it in place. A mismatch (the file was
        corrupted on disk since) takes it out of force, as a list that fails verification at
        load is never put in force: no verdicts, the error is the refusal; it is logged and
        reported. The next refresh reads the file again, verified (a sync that replaced it
        puts the new list in force). Checks go on while the checksum is computed.
        """
        matcher = self._state.matcher
        if matcher is None:
            return False
        try:
            return matcher.verify_checksum()
        except HotlistError as exc:
            self._report(exc)
            with self._lock:
                state = self._state
                if state.matcher is matcher:
                    self._state = InForce(None, state.status, exc)
            logger.error(
                "list %s version %d failed its checksum and is no longer in force: %s",
                matcher.list_name,
                matcher.version,
                exc.message,
            )
            return False

    def _report(self, error: HotlistError) -> None:
        if self._on_error is not None:
            self._on_error(error)

    def _log_change(self, status: EdgeStatus | None) -> None:
        """Log a stale list once while it stays stale (what the fail mode makes of it)."""
        if status is not None and status.synced and status.stale:
            if not self._warned_stale:
                logger.warning(stale_note(status))
                self._warned_stale = True
        elif status is not None:
            self._warned_stale = False

    # -- verdicts -------------------------------------------------------------------------------
    def enforceable(self) -> tuple[Matcher, EdgeStatus]:
        """The matcher and status to give verdicts with (after a refresh when one is due);
        the refusal raised when no verdict may be given."""
        self.refresh()
        matcher, status, refusal = self._state
        if refusal is not None or matcher is None or status is None:
            raise _raised(refusal)
        return matcher, status

    def verdict(self, url: str | bytes) -> Verdict:
        """The verdict of the list in force for ``url`` (as :meth:`Matcher.check`); the refusal
        raised when no verdict may be given."""
        return self.verdicts((url,))[0]

    def verdicts(self, urls: Iterable[str | bytes]) -> list[Verdict]:
        """The verdicts for many URLs, in order, all from one list version."""
        matcher, _status = self.enforceable()
        return matcher.check_many(urls)


def _refusal(
    store: Store,
    matcher: Matcher | None,
    load_error: HotlistError | None,
    status: EdgeStatus | None,
    status_error: HotlistError | None,
) -> HotlistError | None:
    """Why no verdict may be given, or None: the rule of the module's docstring."""
    if matcher is None:
        return load_error or NotFound(
            f"the edge store {store.path} holds no list yet: run `hotlist edge sync` first"
        )
    if status is None:
        detail = "unknown" if status_error is None else status_error.message
        return StorageError(f"cannot read the store's state: {detail}")
    if not status.synced:
        return NotFound(f"{store.path} holds no list yet: run `hotlist edge sync`")
    if status.stale and status.fail_mode is FailMode.CLOSED:
        return StaleList(
            f"{stale_message(status)}; fail mode is closed: no verdicts until a sync succeeds"
        )
    return None


def _raised(refusal: HotlistError | None) -> HotlistError:
    """A fresh copy of the refusal to raise (one instance raised again and again, from many
    threads, would gather every traceback)."""
    if refusal is None:  # pragma: no cover - a refusal is set whenever something is missing
        return StorageError("the list in force is not known yet")
    try:
        return copy.copy(refusal)
    except TypeError:  # pragma: no cover - an error class with another constructor
        return HotlistError(refusal.message)
