"""The Squid helper process: read Squid's request lines, answer them, keep the list current.

Squid with ``concurrency`` above zero writes many lines before it reads an answer, and without
it one line at a time; both are served by one loop: read whatever the pipe holds (up to 64 KiB),
answer every complete line in it, write all the answers at once. A :class:`ListWatcher` thread
checks the store every ``interval_s`` seconds and swaps in a new list (built beside the one in
force, which keeps answering), so ``hotlist edge sync`` takes effect without a restart and without
a lost line. Messages for the Squid admin go to standard error, which Squid writes to cache.log.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from hotlist.edge.matcher import Matcher
from hotlist.edge.squid import SquidResponder, kv_pair, split_request
from hotlist.edge.status import read_status, stale_error
from hotlist.edge.store import Store
from hotlist.errors import HotlistError

__all__ = ["MAX_LINE_BYTES", "ListWatcher", "serve"]

logger = logging.getLogger(__name__)

READ_SIZE = 1 << 16
MAX_LINE_BYTES = 1 << 16
"""A request line longer than this (Squid's URLs are at most 8 KiB) is answered BH unread."""
DEFAULT_INTERVAL_S = 1.0


class ListWatcher:
    """Keeps a responder's list current with an edge store, and says when it may not enforce.

    :meth:`refresh` loads the store's list (first time), or swaps in a new version, and applies
    the store's fail mode to its age: no list yet, or a stale list under fail mode ``closed``,
    sets the responder's ``refusal``; under ``open`` a stale list stays in force with a warning.
    A new list that fails verification is logged and the list in force stays.
    """

    def __init__(self, store_dir: Path, responder: SquidResponder) -> None:
        self.store = Store(store_dir)
        self.responder = responder
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._warned_stale = False

    def refresh(self) -> None:
        """Check the store once (a ``stat`` and two small reads when nothing changed)."""
        responder = self.responder
        try:
            if responder.matcher is None:
                responder.matcher = Matcher.from_store(self.store.path)
                _log_in_force(responder.matcher)
            elif responder.matcher.reload_if_changed():
                _log_in_force(responder.matcher)
        except HotlistError as exc:
            if responder.matcher is None:
                self._refuse(exc.message)
                return
            logger.error("the new list was not put in force: %s", exc.message)
        try:
            status = read_status(self.store)
        except HotlistError as exc:
            self._refuse(f"cannot read the store's state: {exc.message}")
            return
        if status.stale:
            message = stale_error(status).message
            if status.fail_mode == "closed":
                self._refuse(f"{message}; fail mode closed: no verdicts until a sync succeeds")
                return
            if not self._warned_stale:
                logger.warning("%s; fail mode open: the stale list stays in force", message)
                self._warned_stale = True
        else:
            self._warned_stale = False
        if responder.refusal is not None:
            logger.info("enforcing the list again")
            responder.refusal = None

    def _refuse(self, reason: str) -> None:
        if self.responder.refusal is None:
            logger.error("not enforcing the list (requests pass unchanged): %s", reason)
        self.responder.refusal = reason

    def start(self, interval_s: float = DEFAULT_INTERVAL_S) -> None:
        """Refresh every ``interval_s`` seconds in a daemon thread until :meth:`stop`."""

        def loop() -> None:
            while not self._stop.wait(interval_s):
                try:
                    self.refresh()
                except Exception:  # a watcher that dies would freeze the list silently
                    logger.exception("checking the store failed")

        self._thread = threading.Thread(target=loop, name="hotlist-list-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread :meth:`start` began."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def _log_in_force(matcher: Matcher) -> None:
    entries = "1 entry" if matcher.count == 1 else f"{matcher.count:,} entries"
    logger.info("list %s version %d in force (%s)", matcher.list_name, matcher.version, entries)


def serve(responder: SquidResponder, infd: int, outfd: int) -> int:
    """Answer every request line read from ``infd`` on ``outfd`` until end of input.

    Returns the number of lines answered. Every line gets exactly one answer, in order: a line
    that cannot be read as a request gets ``BH``, and so does every line of a batch that met an
    unexpected error (logged with its traceback), so Squid never waits on a lost answer.
    """
    pending = b""
    overflow: bytes | None = None  # the start of a line too long to keep, until its newline
    answered = 0
    while True:
        chunk = os.read(infd, READ_SIZE)
        if not chunk:
            break
        if overflow is not None:
            newline = chunk.find(b"\n")
            if newline < 0:
                continue
            _write(outfd, [_too_long(overflow)])
            answered += 1
            overflow = None
            chunk = chunk[newline + 1 :]
        data = pending + chunk if pending else chunk
        end = data.rfind(b"\n")
        pending = data[end + 1 :]
        if len(pending) > MAX_LINE_BYTES:
            overflow, pending = pending[:64], b""
        if end < 0:
            continue
        lines = data[:end].decode("utf-8", "surrogateescape").split("\n")
        _write(outfd, _answers(responder, lines))
        answered += len(lines)
    if overflow is not None:
        _write(outfd, [_too_long(overflow)])
        answered += 1
    elif pending:
        _write(outfd, _answers(responder, [pending.decode("utf-8", "surrogateescape")]))
        answered += 1
    return answered


def _answers(responder: SquidResponder, lines: list[str]) -> list[str]:
    try:
        return responder.answer_lines(lines)
    except Exception as exc:
        count = "1 request line" if len(lines) == 1 else f"{len(lines)} request lines"
        logger.exception("answering %s failed", count)
        message = kv_pair("message", f"internal error: {exc!r}")
        return [f"{split_request(line)[0]}BH {message}" for line in lines]


def _too_long(start: bytes) -> str:
    prefix, _url = split_request(start.decode("utf-8", "surrogateescape"))
    return f"{prefix}BH {kv_pair('message', f'request line longer than {MAX_LINE_BYTES} bytes')}"


def _write(outfd: int, answers: list[str]) -> None:
    """Write the answers, one per line, in as few system calls as the pipe allows."""
    data = memoryview(("\n".join(answers) + "\n").encode("ascii", "backslashreplace"))
    while data:
        written = os.write(outfd, data)
        data = data[written:]
