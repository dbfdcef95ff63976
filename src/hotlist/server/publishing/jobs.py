"""The server's publish schedule: a background thread that publishes every interval.

Each run expires entries past re-verification and publishes the entries in force; when nothing
changed it only re-signs the timestamp, so members keep seeing a fresh list. The repository's
lock serialises publishers, so several server processes may run the job safely.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.orm import Session, sessionmaker

from hotlist.errors import HotlistError
from hotlist.publish.publisher import Publisher
from hotlist.server.config import Settings
from hotlist.server.publishing.service import make_publisher, publish

log = logging.getLogger(__name__)


class PublishJob:
    """Publish now, then every ``interval_s`` seconds, until :meth:`stop`."""

    def __init__(
        self, factory: sessionmaker[Session], publisher: Publisher, interval_s: float
    ) -> None:
        self._factory = factory
        self._publisher = publisher
        self._interval_s = interval_s
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="hotlist-publish", daemon=True)
        self.runs = 0
        self.last_error: str | None = None

    def start(self) -> None:
        """Start the schedule in its own thread."""
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to stop and wait for a publish in progress to finish."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def run_once(self) -> None:
        """One publish; an error is logged and kept, and the schedule goes on."""
        try:
            result = publish(self._factory, self._publisher)
        except HotlistError as exc:
            self.last_error = exc.message
            log.error("scheduled publish failed: %s", exc.message)
        except Exception as exc:  # a scheduled job must outlive any one failure
            self.last_error = f"{type(exc).__name__}: {exc}"
            log.exception("scheduled publish failed")
        else:
            self.last_error = None
            if result.published:
                log.info(
                    "published list version %d: %d entries (+%d -%d ~%d)",
                    result.version,
                    result.count,
                    result.added,
                    result.removed,
                    result.changed,
                )
        finally:
            self.runs += 1

    def _loop(self) -> None:
        while not self._stopped.is_set():
            self.run_once()
            self._stopped.wait(self._interval_s)


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
    job = PublishJob(factory, publisher, settings.publish_interval_s)
    job.start()
    return job
