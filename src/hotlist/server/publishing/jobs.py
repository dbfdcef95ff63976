"""The server's publish schedule: a background thread that keeps the published list current.

Every ``interval_s`` (default 5 minutes) it publishes: entries past re-verification expire, the
entries in force become the next version, and with nothing changed only the timestamp is re-signed
so members keep seeing a fresh list. Between those runs it looks every ``poll_s`` seconds at a
cheap change marker (the newest entry event and log leaf) and publishes at once when it moved, so
an analyst's decision reaches members within seconds plus their sync interval, not minutes.

However many processes serve, one runs the schedule (:mod:`hotlist.server.scheduling`: an
advisory lock on PostgreSQL, a lock file on SQLite); the others stand by, take over when it
stops, and answer /healthz from the published timestamp (:meth:`PublishJob.health`). The
repository's own lock still serialises publishers, such as ``hotlist publish`` run by hand.

A publish that fails (a key missing, a full disk, root.pem offline before the repository was
ever made) is logged at error level on every attempt, retried on schedule, and shown by
``/healthz`` (503 with the reason, :func:`health`): members refuse the list as frozen once the
last timestamp expires, so nobody may learn of it a day later from them.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hotlist.errors import HotlistError
from hotlist.logs import fields
from hotlist.publish.publisher import Publisher
from hotlist.server.config import Settings
from hotlist.server.entries.models import EntryEvent
from hotlist.server.log.models import LogLeaf
from hotlist.server.publishing.service import make_publisher, publish
from hotlist.server.scheduling import BackgroundLoop, Lease, job_lease
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

    state: Literal["starting", "ok", "failing", "standby"] = "starting"
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
    yet, no place for the list) is called again on every attempt until it succeeds. The job runs
    while this process holds ``lease`` (always without one); ``reader`` makes a publisher that
    only reads what is published, for /healthz while another process runs the job.
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
        lease: Lease | None = None,
        reader: Callable[[], Publisher] | None = None,
        standby_grace_s: float = 60.0,
    ) -> None:
        self._factory = factory
        self._reader = reader
        self._standby_grace_s = standby_grace_s
        self._publisher = publisher if isinstance(publisher, Publisher) else None
        self._make_publisher = None if isinstance(publisher, Publisher) else publisher
        self._public_url = public_url
        self._allow_loopback = allow_loopback
        self._interval_s = interval_s
        self._published_marker: Marker | None = None
        self._due = 0.0
        self._loop = BackgroundLoop(
            "hotlist-publish", self._tick, min(poll_s, interval_s), lease=lease, job="publish"
        )
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
        """The schedule's status for /healthz, with ``runner``: ``this process``, ``another
        process`` or null (before the first tick)."""
        if self._loop.role == "standby":
            return {**self._standby_status().to_json(), "runner": "another process"}
        runner = "this process" if self._loop.role == "runner" else None
        return {**self.status.to_json(), "runner": runner}

    def _standby_status(self) -> PublishStatus:
        """While another process runs the schedule: ``standby``, or ``failing`` once the
        published timestamp has not been re-signed for two intervals and ``standby_grace_s``
        (a minute), or nothing was published that long, or the timestamp expired: the runner is
        failing then (its log and its /healthz say why)."""
        now = datetime.now(UTC)
        grace = timedelta(seconds=2 * self._interval_s + self._standby_grace_s)
        try:
            publisher = self._reader() if self._reader is not None else self._publisher
            repository = publisher.repository if publisher is not None else None
            timestamp = repository.timestamp() if repository and repository.exists() else None
        except HotlistError as exc:
            return PublishStatus("failing", f"cannot read the published list: {exc.message}")
        if repository is None or timestamp is None:
            waited = time.monotonic() - self._loop.role_since
            if waited > grace.total_seconds():
                return PublishStatus(
                    "failing",
                    f"another process runs the publish schedule, but nothing is published "
                    f"after {waited:.0f} s",
                )
            return PublishStatus("standby")
        expires = timestamp.signed.expires.astimezone(UTC)
        signed = expires - repository.settings.timestamp_expiry
        if expires <= now or now - signed > grace:
            return PublishStatus(
                "failing",
                f"another process runs the publish schedule, but the list was last signed at "
                f"{signed.isoformat()} (members refuse it as frozen from {expires.isoformat()})",
                timestamp_expires=expires,
            )
        return PublishStatus("standby", timestamp_expires=expires)

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
            log.warning(
                "cannot read the change marker: %s",
                exc,
                extra=fields(job="publish", pid=os.getpid()),
            )
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
            if not result.published:
                log.debug(
                    "re-signed the timestamp: list version %d unchanged",
                    result.version,
                    extra=fields(job="publish", pid=os.getpid(), version=result.version),
                )
            else:
                log.info(
                    "published list version %d: %s (+%d -%d ~%d)",
                    result.version,
                    plural(result.count, "entry", "entries"),
                    result.added,
                    result.removed,
                    result.changed,
                    extra=fields(job="publish", pid=os.getpid(), version=result.version),
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
            extra=fields(
                job="publish",
                pid=os.getpid(),
                failures=status.failures,
                expires=expires.isoformat() if expires is not None else None,
            ),
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
        lease=job_lease(settings, factory, "publish"),
        reader=lambda: make_publisher(settings),
    )
    job.start()
    return job


def health(job: PublishJob | None) -> dict[str, Any]:
    """What /healthz says about publishing: ``{"state": "off"}`` with no schedule."""
    return {"state": "off"} if job is None else job.health()
