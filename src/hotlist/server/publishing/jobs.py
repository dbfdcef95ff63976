"""The server's publish schedule: a background thread that keeps the published list current.

Every ``interval_s`` (default 5 minutes) it publishes: entries past re-verification expire, the
entries in force become the next version, and with nothing changed only the timestamp is re-signed
so members keep seeing a fresh list. Between those runs it looks every ``poll_s`` seconds at a
cheap change marker (the newest entry event and log leaf) and publishes at once when it moved, so
an analyst's decision reaches members within seconds plus their sync interval, not minutes. The
repository's lock serialises publishers, so several server processes may run the job safely.

A publish that fails (a key missing, a full disk, root.pem offline before the repository was
ever made) is logged at error level on every attempt, retried on schedule, and shown by
``/healthz`` (503 with the reason, :func:`health`): members refuse the list as frozen once the
last timestamp expires, so nobody may learn of it a day later from them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hotlist.errors import HotlistError
from hotlist.publish.publisher import Publisher
from hotlist.server.config import Settings
from hotlist.server.entries.models import EntryEvent
from hotlist.server.log.models import LogLeaf
from hotlist.server.publishing.service import make_publisher, publish
from hotlist.server.scheduling import BackgroundLoop
from hotlist.text import plural

log = logging.getLogger(__name__)

Marker = tuple[int, int]


def change_marker(session: Session) -> Marker:
    """Moves whenever anything that can change the list or its extras was recorded."""
    event = session.scalar(select(func.max(EntryEvent.id))) or 0
    leaf = session.scalar(select(func.max(LogLeaf.leaf_index)))
    return event, -1 if leaf is None else leaf


@dataclass(frozen=True)
class PublishStatus:
    """Where the schedule stands, replaced as a whole after each attempt (read by /healthz).

    ``failures`` counts the failed attempts since the last success; ``timestamp_expires`` is
    when members stop trusting the list unless a publish succeeds before.
    """

    state: Literal["starting", "ok", "failing"] = "starting"
    error: str | None = None
    failures: int = 0
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    timestamp_expires: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """The status as /healthz shows it (times in ISO 8601, UTC)."""

        def iso(when: datetime | None) -> str | None:
            return None if when is None else when.isoformat()

        return {
            "state": self.state,
            "error": self.error,
            "failures": self.failures,
            "last_attempt": iso(self.last_attempt),
            "last_success": iso(self.last_success),
            "timestamp_expires": iso(self.timestamp_expires),
        }


class PublishJob:
    """Publish now, on every change (looked for every ``poll_s``), and every ``interval_s``.

    ``publisher`` is a Publisher or a function that makes one; a function that fails (no keys
    yet, no place for the list) is called again on every attempt until it succeeds.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        publisher: Publisher | Callable[[], Publisher],
        interval_s: float,
        poll_s: float = 10.0,
        *,
        public_url: str | None,
        allow_loopback: bool = False,
    ) -> None:
        self._factory = factory
        self._publisher = publisher if isinstance(publisher, Publisher) else None
        self._make_publisher = None if isinstance(publisher, Publisher) else publisher
        self._public_url = public_url
        self._allow_loopback = allow_loopback
        self._interval_s = interval_s
        self._published_marker: Marker | None = None
        self._due = 0.0
        self._loop = BackgroundLoop("hotlist-publish", self._tick, min(poll_s, interval_s))
        self.runs = 0
        self.status = PublishStatus()

    @property
    def last_error(self) -> str | None:
        """Why the last attempt failed; None after a success."""
        return self.status.error

    @property
    def failures(self) -> int:
        """Failed attempts since the last success."""
        return self.status.failures

    def health(self) -> dict[str, Any]:
        """The schedule's status for /healthz."""
        return self.status.to_json()

    def start(self) -> None:
        """Start the schedule in its own thread."""
        self._loop.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the schedule, waiting for a publish in progress to finish."""
        self._loop.stop(timeout)

    def _marker(self) -> Marker | None:
        try:
            with self._factory() as session:
                return change_marker(session)
        except Exception as exc:  # the database may be briefly away; the schedule goes on
            log.warning("cannot read the change marker: %s", exc)
            return None

    def _get_publisher(self) -> Publisher:
        if self._publisher is None:
            assert self._make_publisher is not None
            self._publisher = self._make_publisher()
        return self._publisher

    def _published_expiry(self) -> datetime | None:
        """When the timestamp already published expires (after a restart: none known yet)."""
        if self._publisher is None or not self._publisher.repository.exists():
            return None
        try:
            return self._publisher.repository.timestamp().signed.expires.astimezone(UTC)
        except HotlistError:
            return None

    def run_once(self) -> None:
        """One publish; an error is logged (every time), kept for /healthz, and the schedule
        goes on."""
        marker = self._marker()
        attempt = datetime.now(UTC)
        try:
            publisher = self._get_publisher()
            result = publish(
                self._factory,
                publisher,
                public_url=self._public_url,
                allow_loopback=self._allow_loopback,
            )
            expires = publisher.repository.timestamp().signed.expires
        except HotlistError as exc:
            self._failed(attempt, exc.message)
        except Exception as exc:  # a scheduled job must outlive any one failure
            # Its text may hold what /healthz (public) must not show: the log has it all.
            error = f"unexpected {type(exc).__name__} (its traceback is in the server's log)"
            self._failed(attempt, error, with_traceback=True)
        else:
            self.status = PublishStatus(
                "ok", None, 0, attempt, datetime.now(UTC), expires.astimezone(UTC)
            )
            self._published_marker = marker
            if result.published:
                log.info(
                    "published list version %d: %s (+%d -%d ~%d)",
                    result.version,
                    plural(result.count, "entry", "entries"),
                    result.added,
                    result.removed,
                    result.changed,
                )
        finally:
            self.runs += 1

    def _failed(self, attempt: datetime, error: str, *, with_traceback: bool = False) -> None:
        status = replace(
            self.status,
            state="failing",
            error=error,
            failures=self.status.failures + 1,
            last_attempt=attempt,
            timestamp_expires=self.status.timestamp_expires or self._published_expiry(),
        )
        self.status = status
        expires = status.timestamp_expires
        frozen = (
            f"members refuse the list as frozen from {expires.isoformat()}"
            if expires is not None
            else "nothing is published yet"
        )
        log.error(
            "scheduled publish failed (%d in a row; %s): %s",
            status.failures,
            frozen,
            error,
            exc_info=with_traceback,
        )

    def changed(self) -> bool:
        """Whether something was recorded since the last successful publish."""
        marker = self._marker()
        return marker is not None and marker != self._published_marker

    def _tick(self) -> None:
        if time.monotonic() >= self._due or self.changed():
            self.run_once()
            self._due = time.monotonic() + self._interval_s


def start_publish_job(settings: Settings, factory: sessionmaker[Session]) -> PublishJob | None:
    """Start the schedule unless it is off (``publish_interval_s`` 0).

    On the embedded default the signing keys are made on first start (only when there are
    none at all), so a new data directory publishes by itself. A publisher that cannot be made
    does not turn the schedule off: each attempt fails loudly until the cause is fixed.
    """
    if settings.publish_interval_s <= 0:
        return None
    job = PublishJob(
        factory,
        lambda: make_publisher(settings, create_keys=True),
        settings.publish_interval_s,
        settings.publish_poll_s,
        public_url=settings.public_url,
        allow_loopback=settings.unsafe_loopback_public_url,
    )
    job.start()
    return job


def health(job: PublishJob | None) -> dict[str, Any]:
    """What /healthz says about publishing: ``{"state": "off"}`` with no schedule."""
    return {"state": "off"} if job is None else job.health()
