"""The HTTP side of sync: python-tuf's fetcher interface over urllib3, sending the member's key.

Every request carries ``Authorization: Bearer <key>``, has connect and read timeouts, follows no
redirects and never retries on its own (``edge run`` has its own backoff). Failures become
python-tuf's download errors, which :mod:`hotlist.edge.sync` turns into a SyncError.

Read timeouts bound each wait for bytes, not a transfer: a server that sends one byte every few
seconds would hold a sync (and the store's lock) for as long as it likes. So every request also
has a deadline (:class:`Limits`: one file, and the sync as a whole), enforced by a timer that
shuts the connection's socket down, headers included; and the body must arrive at a minimum
rate, measured over windows of a few seconds.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from tuf.api import exceptions
from tuf.ngclient.fetcher import FetcherInterface
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.response import HTTPResponse

from hotlist import __version__
from hotlist.edge.config import (
    DEFAULT_MIN_RATE_BYTES_S,
    DEFAULT_RATE_WINDOW_S,
    DEFAULT_REQUEST_TIMEOUT_S,
    DEFAULT_SYNC_TIMEOUT_S,
    EdgeConfig,
)

#: Called as bytes arrive: (url, bytes received so far, total from Content-Length or None).
ProgressHook = Callable[[str, int, int | None], None]
CHUNK_SIZE = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """A sync's time limits; the fields are :class:`EdgeConfig`'s of the same names."""

    request_timeout_s: float = DEFAULT_REQUEST_TIMEOUT_S
    sync_timeout_s: float = DEFAULT_SYNC_TIMEOUT_S
    min_rate_bytes_s: int = DEFAULT_MIN_RATE_BYTES_S
    rate_window_s: float = DEFAULT_RATE_WINDOW_S

    @classmethod
    def of(cls, config: EdgeConfig) -> Limits:
        """The limits an edge store's configuration sets."""
        return cls(
            request_timeout_s=config.request_timeout_s,
            sync_timeout_s=config.sync_timeout_s,
            min_rate_bytes_s=config.min_rate_bytes_s,
            rate_window_s=config.rate_window_s,
        )


class _Deadline:
    """One request's deadline: when it passes, the socket is shut down, so that a read blocked
    on a trickling server returns at once and the request fails."""

    def __init__(self, at: float, message: str) -> None:
        self.at = at
        self.message = message
        self.expired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, at - time.monotonic()), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket | None) -> None:
        """Shut ``sock`` down at the deadline (at once if it has passed)."""
        with self._lock:
            self._sock = sock
            if self.expired:
                self._shutdown()

    def cancel(self) -> None:
        """The request is over: stop the timer."""
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            self._shutdown()

    def _shutdown(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)


#: The deadline of the request being sent in this thread, for the connection to watch.
_CURRENT: ContextVar[_Deadline | None] = ContextVar("hotlist_fetch_deadline", default=None)


def _watch(sock: socket.socket | None) -> None:
    deadline = _CURRENT.get()
    if deadline is not None:
        deadline.watch(sock)


class _HTTPConnection(HTTPConnection):
    def getresponse(self) -> HTTPResponse:  # type: ignore[override]  # as urllib3's own
        _watch(self.sock)
        return super().getresponse()


class _HTTPSConnection(HTTPSConnection):
    def getresponse(self) -> HTTPResponse:  # type: ignore[override]  # as urllib3's own
        _watch(self.sock)
        return super().getresponse()


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class KeyFetcher(FetcherInterface):
    """Fetches repository files with the member's API key, within ``limits``.

    The sync's deadline starts when the fetcher is made: make one per sync.
    """

    def __init__(
        self,
        api_key: str,
        *,
        timeout: float = 15.0,
        progress: ProgressHook | None = None,
        limits: Limits | None = None,
    ) -> None:
        self._headers = {
            "Authorization": f"Bearer {api_key}",
            "User-Agent": f"hotlist-edge/{__version__}",
        }
        self._timeout = urllib3.Timeout(connect=timeout, read=timeout)
        self._pool = urllib3.PoolManager()
        self._pool.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
        self.limits = limits or Limits()
        self._sync_deadline = time.monotonic() + self.limits.sync_timeout_s
        self.progress = progress
        self.bytes_received = 0

    def close(self) -> None:
        """Close the pooled connections."""
        self._pool.clear()

    def _deadline(self, url: str, host: str) -> _Deadline:
        """The earlier of the request's and the sync's deadlines, with what to say at it."""
        limits = self.limits
        request_end = time.monotonic() + limits.request_timeout_s
        if request_end < self._sync_deadline:
            return _Deadline(
                request_end,
                f"{url} was not received within {limits.request_timeout_s:g} s "
                "(request_timeout_s in the edge configuration): the list server "
                f"{host} is too slow or stalled",
            )
        return _Deadline(
            self._sync_deadline,
            f"the sync did not finish within {limits.sync_timeout_s:g} s (sync_timeout_s in "
            f"the edge configuration); it was fetching {url} from {host}",
        )

    def _fetch(self, url: str) -> Iterator[bytes]:
        host = urlsplit(url).netloc
        deadline = self._deadline(url, host)
        if deadline.at <= time.monotonic():
            deadline.cancel()
            raise exceptions.SlowRetrievalError(deadline.message)
        token = _CURRENT.set(deadline)
        try:
            response = self._pool.request(
                "GET",
                url,
                headers=self._headers,
                preload_content=False,
                timeout=self._timeout,
                retries=False,
                redirect=False,
            )
        except urllib3.exceptions.NewConnectionError as exc:
            deadline.cancel()
            # Checked first: urllib3 makes it a subclass of its connect-timeout error.
            raise exceptions.DownloadError(
                f"cannot connect to the list server {host}: is it down?"
            ) from exc
        except urllib3.exceptions.HTTPError as exc:
            deadline.cancel()
            if deadline.expired:
                raise exceptions.SlowRetrievalError(deadline.message) from exc
            if isinstance(exc, urllib3.exceptions.TimeoutError):
                raise exceptions.SlowRetrievalError(f"{host} did not answer in time") from exc
            raise exceptions.DownloadError(f"cannot reach the list server {host}: {exc}") from exc
        finally:
            _CURRENT.reset(token)
        if response.status >= 400:
            deadline.cancel()
            # Drain the error body first, or the pooled connection's next response is misread.
            response.drain_conn()
            response.release_conn()
            raise exceptions.DownloadHTTPError(
                f"{host} answered HTTP {response.status} for {url}", response.status
            )
        if response.status != 200:
            deadline.cancel()
            response.drain_conn()
            response.release_conn()
            raise exceptions.DownloadError(f"{host} answered HTTP {response.status} for {url}")
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        return self._chunks(url, host, response, total, deadline)

    def _chunks(
        self,
        url: str,
        host: str,
        response: urllib3.BaseHTTPResponse,
        total: int | None,
        deadline: _Deadline,
    ) -> Iterator[bytes]:
        """The body as it arrives, each read at most one wait for the socket (so the count of
        bytes received is true when a transfer is cut short, and the rate is measured)."""
        received = 0
        minimum, window = self.limits.min_rate_bytes_s, self.limits.rate_window_s
        window_start, window_bytes = time.monotonic(), 0
        done = False
        try:
            while chunk := response.read1(CHUNK_SIZE):
                if deadline.expired:
                    raise exceptions.SlowRetrievalError(deadline.message)
                received += len(chunk)
                self.bytes_received += len(chunk)
                now = time.monotonic()
                window_bytes += len(chunk)
                if now - window_start >= window:
                    rate = window_bytes / (now - window_start)
                    if rate < minimum:
                        raise exceptions.SlowRetrievalError(
                            f"{host} sent {url} at {rate:.1f} bytes/s over {now - window_start:.1f}"
                            f" s, below the minimum of {minimum} bytes/s (min_rate_bytes_s in the "
                            "edge configuration): a stalled or trickling server"
                        )
                    window_start, window_bytes = now, 0
                if self.progress is not None:
                    self.progress(url, received, total)
                yield chunk
            done = True
        except urllib3.exceptions.HTTPError as exc:
            if deadline.expired:
                raise exceptions.SlowRetrievalError(deadline.message) from exc
            if isinstance(exc, urllib3.exceptions.TimeoutError):
                raise exceptions.SlowRetrievalError(f"download of {url} stalled") from exc
            expected = "" if total is None else f" of {total}"
            raise exceptions.DownloadError(
                f"download of {url} was cut short after {received}{expected} "
                + ("byte" if received == 1 and total is None else "bytes")
            ) from exc
        finally:
            deadline.cancel()
            if done:
                response.release_conn()
            else:
                # A body read part way must never be read by the connection's next request.
                response.close()
