"""How current the list in force is: version, age, last sync and error, stale or not.

The list's age is the time since a sync last confirmed it current (signed, unexpired metadata
naming this version), not since it was published: a list that did not change for a week is
fresh if the member synced a minute ago. Older than the store's ``max_age_s`` it is stale;
then ``fail_mode`` decides: ``open`` keeps enforcing it with a warning in the logs, ``closed``
gives no verdicts until a sync succeeds. That rule is applied in one place,
:class:`hotlist.edge.in_force.ListInForce`, for every enforcer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, NamedTuple

from hotlist.edge.config import FailMode
from hotlist.edge.store import Store, utc_now
from hotlist.errors import NotFound, StaleList

ListState = Literal["fresh", "stale", "never_synced"]
"""What a store's list is: confirmed current within its maximum age, older, or not there yet."""


class EdgeStatus(NamedTuple):
    """A store's state as ``hotlist edge status`` shows it.

    ``stale`` is True whenever no list was confirmed current within ``max_age_s``, before the
    first sync too (a monitor must not read a store with no list as healthy); ``state`` tells
    the two apart.
    """

    store: str
    server: str
    list_name: str
    version: int | None
    count: int | None  # type: ignore[assignment]  # a field: tuple.count is never called on it
    published_at: str | None
    synced_at: str | None
    age_s: float | None
    max_age_s: int
    stale: bool
    fail_mode: FailMode
    last_attempt_at: str | None
    last_error: str | None
    last_error_at: str | None

    @property
    def synced(self) -> bool:
        """True once a list is in force."""
        return self.version is not None

    @property
    def state(self) -> ListState:
        """``never_synced`` before the first sync, else ``stale`` or ``fresh``."""
        if not self.synced:
            return "never_synced"
        return "stale" if self.stale else "fresh"

    @property
    def exit_code(self) -> int:
        """0 when a fresh list is in force; NotFound's code (7) before the first sync, as
        ``hotlist edge check`` exits then; StaleList's (13) for a stale list."""
        if not self.synced:
            return NotFound.exit_code
        if self.stale:
            return StaleList.exit_code
        return 0

    def to_dict(self) -> dict[str, object]:
        """The fields, for ``--json``."""
        return {**self._asdict(), "synced": self.synced, "state": self.state}


def _parse(moment: str | None) -> datetime | None:
    if moment is None:
        return None
    try:
        return datetime.fromisoformat(moment)
    except ValueError:
        return None


def read_status(store: Store, now: datetime | None = None) -> EdgeStatus:
    """The store's status at ``now`` (default: the current time)."""
    config = store.config()
    state = store.state()
    synced_at = _parse(state.synced_at)
    age = None if synced_at is None else ((now or utc_now()) - synced_at).total_seconds()
    stale = state.version is None or age is None or age > config.max_age_s
    return EdgeStatus(
        store=str(store.path),
        server=config.server,
        list_name=config.list_name,
        version=state.version,
        count=state.count,
        published_at=state.published_at,
        synced_at=state.synced_at,
        age_s=age,
        max_age_s=config.max_age_s,
        stale=stale,
        fail_mode=config.fail_mode,
        last_attempt_at=state.last_attempt_at,
        last_error=state.last_error,
        last_error_at=state.last_error_at,
    )


def stale_message(status: EdgeStatus) -> str:
    """A stale list described for a log or an error: which version, how old, the maximum, and
    the last sync error if any."""
    age = "unknown" if status.age_s is None else _minutes(status.age_s)
    error = f" (last error: {status.last_error})" if status.last_error else ""
    return (
        f"list {status.list_name} version {status.version} is stale: last confirmed {age} ago, "
        f"maximum {_minutes(status.max_age_s)}{error}"
    )


def stale_note(status: EdgeStatus) -> str:
    """A stale list and what its fail mode makes of it, for the logs: "...; fail mode open: the
    stale list stays in force", or "...; fail mode closed: no verdicts until a sync succeeds"."""
    if status.fail_mode is FailMode.CLOSED:
        consequence = "no verdicts until a sync succeeds"
    else:
        consequence = "the stale list stays in force"
    return f"{stale_message(status)}; fail mode {status.fail_mode}: {consequence}"


def _minutes(seconds: float) -> str:
    """``seconds`` as whole minutes, in words: "1 minute", "90 minutes"."""
    minutes = round(seconds / 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
