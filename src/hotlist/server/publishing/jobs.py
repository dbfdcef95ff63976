"""The server's publish schedule: a background thread that keeps the published list current.

Every ``interval_s`` (default 5 minutes) it publishes: entries past re-verification expire, the
entries in force become the next version, and with nothing changed only the timestamp is re-signed
so members keep seeing a fresh list. Between those runs it looks every ``poll_s`` seconds at a
cheap change marker (the newest entry event and log leaf) and publishes at once when it moved, so
an analyst's decision reaches members within seconds plus their sync interval, not minutes. The
repository's lock serialises publishers, so several server processes may run the job safely.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hotlist.errors import HotlistError
from hotlist.publish.publisher import Publisher
from hotlist.server.config import Settings
from hotlist.server.entries.models import EntryEvent
from hotlist.server.publishing.service import make_publisher, publish
from hotlist.server.scheduling import BackgroundLoop
from hotlist.server.translog.models import LogLeaf
from hotlist.text import plural

log = logging.getLogger(__name__)

Marker = tuple[int, int]


def change_marker(session: Session) -> Marker:
    """Moves whenever anything that can change the list or its extras was recorded."""
    event = session.scalar(select(func.max(EntryEvent.id))) or 0
    leaf = session.scalar(select(func.max(LogLeaf.leaf_index)))
    return event, -1 if leaf is None else leaf


class PublishJob:
    """Publish now, on every change (looked for every ``poll_s``), and every ``interval_s``."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        publisher: Publisher,
        interval_s: float,
        poll_s: float = 10.0,
        *,
        public_url: str | None,
        allow_loopback: bool = False,
    ) -> None:
        self._factory = factory
        self._publisher = publisher
        self._public_url = public_url
        self._allow_loopback = allow_loopback
        self._interval_s = interval_s
        self._published_marker: Marker | None = None
        self._due = 0.0
        self._loop = BackgroundLoop("hotlist-publish", self._tick, min(poll_s, interval_s))
        self.runs = 0
        self.last_error: str | None = None

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

    def run_once(self) -> None:
        """One publish; an error is logged and kept, and the schedule goes on."""
        marker = self._marker()
        try:
            result = publish(
                self._factory,
                self._publisher,
                public_url=self._public_url,
                allow_loopback=self._allow_loopback,
            )
        except HotlistError as exc:
            self.last_error = exc.message
            log.error("scheduled publish failed: %s", exc.message)
        except Exception as exc:  # a scheduled job must outlive any one failure
            self.last_error = f"{type(exc).__name__}: {exc}"
            log.exception("scheduled publish failed")
        else:
            self.last_error = None
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

    def changed(self) -> bool:
        """Whether something was recorded since the last successful publish."""
        marker = self._marker()
        return marker is not None and marker != self._published_marker

    def _tick(self) -> None:
        if time.monotonic() >= self._due or self.changed():
            self.run_once()
            self._due = time.monotonic() + self._interval_s


def start_publish_job(settings: Settings, factory: sessionmaker[Session]) -> PublishJob | None:
    """Start the schedule unless it is off (``publish_interval_s`` 0) or has nowhere to write.

    On the embedded default the signing keys are made on first start, so a new data directory
    publishes by itself.
    """
    if settings.publish_interval_s <= 0:
        return None
    try:
        publisher = make_publisher(settings, create_keys=True)
    except HotlistError as exc:
        log.warning("no scheduled publishing: %s", exc.message)
        return None
    job = PublishJob(
        factory,
        publisher,
        settings.publish_interval_s,
        settings.publish_poll_s,
        public_url=settings.public_url,
        allow_loopback=settings.unsafe_loopback_public_url,
    )
    job.start()
    return job
