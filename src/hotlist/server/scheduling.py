"""A background loop for the server's scheduled work: call a step, wait, until stopped."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from hotlist.logs import fields

log = logging.getLogger(__name__)


class BackgroundLoop:
    """Calls ``step`` at once and then every ``every_s`` seconds in a daemon thread.

    An exception in a step is logged and the loop goes on: scheduled work must outlive any one
    failure. :meth:`stop` waits for a step in progress to finish.
    """

    def __init__(self, name: str, step: Callable[[], None], every_s: float) -> None:
        self._step = step
        self._every_s = every_s
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> None:
        """Start the loop in its own thread."""
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the loop to stop and wait for a step in progress."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stopped.is_set():
            try:
                self._step()
            except Exception:  # logged with its traceback; the schedule goes on
                log.exception(
                    "scheduled step %s failed", self._thread.name, extra=fields(pid=os.getpid())
                )
            self._stopped.wait(self._every_s)
