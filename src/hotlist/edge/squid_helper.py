"""The Squid helper process: read Squid's request lines, answer them, keep the list current.

Squid with ``concurrency`` above zero writes many lines before it reads an answer, and without
it one line at a time; both are served by one loop: read whatever the pipe holds (up to 64 KiB)
into one buffer, answer every complete line in it there, write all the answers at once. A
:class:`ListWatcher` thread checks the store every ``interval_s`` seconds and swaps in a new
list (built beside the one in force, which keeps answering), so ``hotlist edge sync`` takes
effect without a restart and without a lost line; whether the list may be enforced is
:class:`hotlist.edge.in_force.ListInForce`'s rule. Messages for the Squid admin go to standard
error, which Squid writes to cache.log.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from hotlist.edge.in_force import ListInForce
from hotlist.edge.squid import (
    SquidResponder,
    answer_bytes,
    kv_pair,
    request_lines,
    split_request,
)
from hotlist.edge.status import EdgeStatus, stale_note
from hotlist.edge.store import Store
from hotlist.errors import HotlistError, StaleList

__all__ = ["MAX_LINE_BYTES", "ListWatcher", "serve"]

logger = logging.getLogger(__name__)

READ_SIZE = 1 << 16
MAX_LINE_BYTES = 1 << 16
"""A request line longer than this (Squid's URLs are at most 8 KiB) is answered BH unread."""
DEFAULT_INTERVAL_S = 1.0


class ListWatcher:
    """Keeps a responder's list current with an edge store, and says when it may not enforce.

    :meth:`refresh` has the store's :class:`~hotlist.edge.in_force.ListInForce` look at the
    store, then hands the responder the list in force and, when no verdict may be given (no list
    yet, an unreadable state, a stale list under fail mode ``closed``), the reason as its
    ``refusal``: every request is then answered ``BH`` with it and passes unchanged. A new list
    that fails verification is logged and the list in force stays.

    ``checksum_later`` (the helper's start-up): the first :meth:`refresh` puts the store's list
    in force once its structure is checked, and the thread :meth:`start` begins verifies its
    checksum first thing (:meth:`verify_checksum`), while the helper answers: the list was
    verified whole when ``hotlist edge sync`` installed it, and the checksum over a large list
    (about 50 ms at 1,000,000 entries) would delay every start Squid makes. A list that fails
    it is taken out of force, as a corrupt list found at start is never put in force.
    """

    def __init__(
        self, store_dir: Path, responder: SquidResponder, *, checksum_later: bool = False
    ) -> None:
        self.store = Store(store_dir)
        self.responder = responder
        self.in_force = ListInForce(self.store, checksum_later=checksum_later)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def refresh(self) -> None:
        """Check the store once (a ``stat`` and two small reads when nothing changed)."""
        self.in_force.refresh(force=True)
        self._hand_over()

    def verify_checksum(self) -> None:
        """Verify the checksum of the list put in force unverified, if any (once); on a
        mismatch the responder answers ``BH`` with the reason, logged."""
        self.in_force.verify_checksum()
        self._hand_over()

    def _hand_over(self) -> None:
        """Give the responder the list in force and the refusal, if any (logged when it
        changes)."""
        matcher, status, refusal = self.in_force.state
        responder = self.responder
        if matcher is not None:
            responder.matcher = matcher
        reason = None if refusal is None else _reason(refusal, status)
        if reason is not None and responder.refusal is None:
            logger.error("not enforcing the list (requests pass unchanged): %s", reason)
        elif reason is None and responder.refusal is not None:
            logger.info("enforcing the list again")
        responder.refusal = reason

    def start(self, interval_s: float = DEFAULT_INTERVAL_S) -> None:
        """Verify the checksum left to check, if any, then refresh every ``interval_s``
        seconds, in a daemon thread until :meth:`stop`."""

        def loop() -> None:
            try:
                self.verify_checksum()
            except Exception:  # the refreshes below must still run
                logger.exception("verifying the list's checksum failed")
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


def _reason(refusal: HotlistError, status: EdgeStatus | None) -> str:
    """The refusal as Squid's admin reads it in cache.log: a stale list in the words of the
    helper's log lines (the fail mode and what it does), anything else as the error says it."""
    if isinstance(refusal, StaleList) and status is not None:
        return stale_note(status)
    return refusal.message


def serve(responder: SquidResponder, infd: int, outfd: int) -> int:
    """Answer every request line read from ``infd`` on ``outfd`` until end of input.

    Returns the number of lines answered. Every line gets exactly one answer, in order: a line
    that cannot be read as a request gets ``BH``, and so does every line of a batch that met an
    unexpected error (logged with its traceback), so Squid never waits on a lost answer.

    Input is read into one buffer, kept for the process's life: the complete lines of each read
    are answered from it in place (with the compiled core, no object per line), and the start
    of a line whose newline has not come yet moves to the buffer's start.
    """
    buffer = bytearray(MAX_LINE_BYTES + READ_SIZE)
    view = memoryview(buffer)
    lines = view.toreadonly()
    kept = 0  # bytes at the buffer's start: a line whose newline has not come yet
    overflow: bytes | None = None  # the start of a line too long to keep, until its newline
    answered = 0
    while True:
        count = os.readv(infd, [view[kept : kept + READ_SIZE]])
        if not count:
            break
        end = kept + count
        start = 0
        if overflow is not None:
            newline = buffer.find(b"\n", 0, end)
            if newline < 0:
                continue
            _write(outfd, answer_bytes([_too_long(overflow)]))
            answered += 1
            overflow = None
            start = newline + 1
        last = buffer.rfind(b"\n", start, end)
        if last >= 0:
            _write(outfd, _answers(responder, lines[start:last]))
            answered += buffer.count(b"\n", start, last) + 1
            start = last + 1
        kept = end - start
        if start:
            view[:kept] = view[start:end]
        if kept > MAX_LINE_BYTES:
            overflow, kept = bytes(view[:64]), 0
    if overflow is not None:
        _write(outfd, answer_bytes([_too_long(overflow)]))
        answered += 1
    elif kept:
        _write(outfd, _answers(responder, lines[:kept]))
        answered += 1
    return answered


def _answers(responder: SquidResponder, data: memoryview) -> bytes:
    """The answers to the request lines in ``data`` (separated by newlines)."""
    try:
        return responder.answer_data(data)
    except Exception as exc:
        lines = request_lines(data)
        count = "1 request line" if len(lines) == 1 else f"{len(lines)} request lines"
        logger.exception("answering %s failed", count)
        message = kv_pair("message", f"internal error: {exc!r}")
        return answer_bytes([f"{split_request(line)[0]}BH {message}" for line in lines])


def _too_long(start: bytes) -> str:
    prefix, _url = split_request(start.decode("utf-8", "surrogateescape"))
    return f"{prefix}BH {kv_pair('message', f'request line longer than {MAX_LINE_BYTES} bytes')}"


def _write(outfd: int, answers: bytes) -> None:
    """Write the answers (each with its newline) in as few system calls as the pipe allows."""
    data = memoryview(answers)
    while data:
        written = os.write(outfd, data)
        data = data[written:]
