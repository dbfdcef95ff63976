"""The HTTP side of sync: python-tuf's fetcher interface over urllib3, sending the member's key.

Every request carries ``Authorization: Bearer <key>``, has connect and read timeouts, follows no
redirects and never retries on its own (``edge run`` has its own backoff). Failures become
python-tuf's download errors, which :mod:`hotlist.edge.sync` turns into a SyncError.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import urllib3
from tuf.api import exceptions
from tuf.ngclient.fetcher import FetcherInterface

from hotlist import __version__

#: Called as bytes arrive: (url, bytes received so far, total from Content-Length or None).
ProgressHook = Callable[[str, int, int | None], None]
CHUNK_SIZE = 64 * 1024


class KeyFetcher(FetcherInterface):
    """Fetches repository files with the member's API key."""

    def __init__(
        self,
        api_key: str,
        *,
        timeout: float = 15.0,
        progress: ProgressHook | None = None,
    ) -> None:
        self._headers = {
            "Authorization": f"Bearer {api_key}",
            "User-Agent": f"hotlist-edge/{__version__}",
        }
        self._timeout = urllib3.Timeout(connect=timeout, read=timeout)
        self._pool = urllib3.PoolManager()
        self.progress = progress
        self.bytes_received = 0

    def close(self) -> None:
        """Close the pooled connections."""
        self._pool.clear()

    def _fetch(self, url: str) -> Iterator[bytes]:
        host = urlsplit(url).netloc
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
            # Checked first: urllib3 makes it a subclass of its connect-timeout error.
            raise exceptions.DownloadError(
                f"cannot connect to the list server {host}: is it down?"
            ) from exc
        except urllib3.exceptions.TimeoutError as exc:
            raise exceptions.SlowRetrievalError(f"{host} did not answer in time") from exc
        except urllib3.exceptions.HTTPError as exc:
            raise exceptions.DownloadError(f"cannot reach the list server {host}: {exc}") from exc
        if response.status >= 400:
            # Drain the error body first, or the pooled connection's next response is misread.
            response.drain_conn()
            response.release_conn()
            raise exceptions.DownloadHTTPError(
                f"{host} answered HTTP {response.status} for {url}", response.status
            )
        if response.status != 200:
            response.drain_conn()
            response.release_conn()
            raise exceptions.DownloadError(f"{host} answered HTTP {response.status} for {url}")
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        return self._chunks(url, response, total)

    def _chunks(
        self, url: str, response: urllib3.BaseHTTPResponse, total: int | None
    ) -> Iterator[bytes]:
        received = 0
        try:
            for chunk in response.stream(CHUNK_SIZE):
                received += len(chunk)
                self.bytes_received += len(chunk)
                if self.progress is not None:
                    self.progress(url, received, total)
                yield chunk
        except urllib3.exceptions.TimeoutError as exc:
            raise exceptions.SlowRetrievalError(f"download of {url} stalled") from exc
        except urllib3.exceptions.HTTPError as exc:
            raise exceptions.DownloadError(
                f"download of {url} was cut short after {received} "
                + ("byte" if received == 1 else "bytes")
            ) from exc
        finally:
            response.release_conn()
