"""``hotlist edge serve``: the lookup daemon over HTTP/1.1, standard library only.

Routes (JSON errors everywhere: ``{"error": {"status": N, "message": "..."}}``):

- ``POST /v1/check`` with ``{"urls": [...]}`` (at most 10,000; ``Content-Type: application/json``;
  a body over the limit is refused with 413 before it is read): the verdicts in order; with
  ``"answer": "compact"``, only those of the blocked and invalid URLs, each with its index.
- ``GET /healthz``: 200, or 503 while the list may not be enforced (missing, unreadable, or
  stale under fail mode closed).
- ``GET /metrics``: Prometheus text.
- ``GET /blocked?entry=<id>[&lang=<tag>]``: the block page (403, 451, 404, 400 or 503).

Connections are kept alive (every answer has a Content-Length); an idle one is closed after
``idle_timeout`` seconds. One thread per connection (``ThreadingHTTPServer``); checks read one
immutable list index, so a new list swapped in never disturbs a batch in flight. The daemon has
no authentication: it listens on loopback unless told otherwise.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

from hotlist import __version__
from hotlist.edge.lookup import ANSWERS, MAX_BATCH, LookupService
from hotlist.edge.metrics import CONTENT_TYPE as METRICS_TYPE
from hotlist.errors import ConfigError, HotlistError, InvalidRequest

logger = logging.getLogger(__name__)

DEFAULT_PORT = 8470
DEFAULT_MAX_BODY = 16 * 1024 * 1024
DEFAULT_IDLE_TIMEOUT_S = 30.0
_JSON = "application/json"


def _loads(body: bytes) -> Any:
    """A request body's JSON: orjson (several times faster on 10,000-URL batches), and the
    standard library for what orjson refuses but the daemon has always read (lone surrogate
    escapes, UTF-16, NaN, big integers), which also gives the errors' messages."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


def _dumps(document: Any) -> bytes:
    """A response's JSON, compact; the standard library for what orjson will not write (a
    string with a lone surrogate, echoed from a request)."""
    try:
        return orjson.dumps(document)
    except orjson.JSONEncodeError:
        return json.dumps(document, separators=(",", ":")).encode()


_GONE = (ConnectionError, TimeoutError)
"""What a client that resets, closes or stalls mid-request causes: nothing of ours is wrong."""


class LookupServer(ThreadingHTTPServer):
    """The HTTP server holding the service and its limits."""

    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        address: tuple[str, int],
        service: LookupService,
        *,
        max_body: int = DEFAULT_MAX_BODY,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT_S,
    ) -> None:
        self.service = service
        self.max_body = max_body
        self.idle_timeout = idle_timeout
        super().__init__(address, LookupHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client gone mid-request is one log line; anything else is logged with its
        traceback (the standard library prints every one of them to stderr)."""
        exc = sys.exc_info()[1]
        if isinstance(exc, _GONE):
            logger.info("a client went away: %s", exc)
            return
        logger.error("internal error serving a client", exc_info=exc)

    @property
    def url(self) -> str:
        """The base URL the server listens on."""
        host, port = self.server_address[:2]
        text = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{text}]" if ":" in text else text
        return f"http://{shown}:{port}"


class LookupHandler(BaseHTTPRequestHandler):
    """One connection: requests in order, kept alive."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY the second waits for the
    # client's delayed ACK (~40 ms per request on Linux).
    disable_nagle_algorithm = True
    server_version = f"hotlist-edge/{__version__}"
    server: LookupServer

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.idle_timeout)

    # -- routing ------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        routes = {
            "/v1/check": ("POST", self._check),
            "/healthz": ("GET", self._healthz),
            "/metrics": ("GET", self._metrics),
            "/blocked": ("GET", self._blocked),
        }
        route = routes.get(parts.path)
        try:
            if route is None:
                self._discard_body()
                self._error(404, f"no route {parts.path}: see docs/lookup-daemon.md")
            elif method not in (route[0], "HEAD" if route[0] == "GET" else ""):
                self._discard_body()
                self._error(405, f"{parts.path} takes {route[0]}", allow=route[0])
            else:
                route[1](parts.query)
        except _GONE as exc:
            # No answer can reach it; the connection is closed and nothing else is wrong.
            self.close_connection = True
            logger.info("a client went away during %s %s: %s", method, parts.path, exc)
        except Exception:
            logger.exception("internal error answering %s %s", method, parts.path)
            self.server.service.metrics.record_error("internal")
            self.close_connection = True
            self._error(500, "internal error; see the daemon's log")

    # -- routes -------------------------------------------------------------------------------
    def _check(self, _query: str) -> None:
        service = self.server.service
        body = self._read_body()
        if body is None:
            return
        try:
            document = _loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            service.metrics.record_error("bad_request")
            self._error(400, f"the body is not JSON: {exc}")
            return
        except RecursionError:
            service.metrics.record_error("bad_request")
            self._error(400, 'the body is nested too deeply: send {"urls": ["http://...", ...]}')
            return
        urls = document.get("urls") if isinstance(document, dict) else None
        if not isinstance(urls, list):
            service.metrics.record_error("bad_request")
            self._error(400, 'the body must be {"urls": ["http://...", ...]}')
            return
        if len(urls) > MAX_BATCH:
            service.metrics.record_error("too_large")
            self._error(413, f"a batch holds at most {MAX_BATCH} URLs, this one {len(urls)}")
            return
        answer = document.get("answer", "full")
        if answer not in ANSWERS:
            service.metrics.record_error("bad_request")
            self._error(400, '"answer" is "full" (a verdict per URL) or "compact" (only the '
                        "blocked and invalid URLs, with their index)")  # fmt: skip
            return
        try:
            result = service.check(urls, answer)
        except InvalidRequest as exc:
            self._error(400, exc.message)
            return
        except HotlistError as exc:  # the list in force may not be enforced now
            self._error(503, exc.message, retry_after="30")
            return
        self._send_json(200, result.to_json())

    def _healthz(self, _query: str) -> None:
        status, document = self.server.service.health()
        self._send_json(status, document)

    def _metrics(self, _query: str) -> None:
        text = self.server.service.metrics_text()
        self._send(200, METRICS_TYPE, text.encode())

    def _blocked(self, query: str) -> None:
        params = parse_qs(query, max_num_fields=8)
        page = self.server.service.block_page(
            _first(params.get("entry")),
            self.headers.get("Accept-Language"),
            _first(params.get("lang")),
        )
        self._send(page.status, None, page.body, headers=page.headers)

    # -- bodies and answers -------------------------------------------------------------------
    def _content_length(self) -> int | None:
        raw = self.headers.get("Content-Length")
        if raw is None or not raw.strip().isdigit():
            return None
        return int(raw)

    def _discard_body(self) -> None:
        """Read and drop a body small enough to keep the connection; close it otherwise."""
        length = self._content_length()
        if self.headers.get("Transfer-Encoding") or (length or 0) > self.server.max_body:
            self.close_connection = True
        elif length:
            self.rfile.read(length)

    def _read_body(self) -> bytes | None:
        """The request body, or None after answering why it cannot be had."""
        metrics = self.server.service.metrics
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            metrics.record_error("bad_request")
            self._error(411, "send the body with a Content-Length (no chunked encoding)")
            return None
        length = self._content_length()
        if length is None:
            self.close_connection = True
            metrics.record_error("bad_request")
            self._error(411, "a Content-Length header (a number) is required")
            return None
        if length > self.server.max_body:
            self.close_connection = True
            metrics.record_error("too_large")
            limit = self.server.max_body
            self._error(
                413, f"the body is larger than {limit} " + ("byte" if limit == 1 else "bytes")
            )
            return None
        body = self.rfile.read(length)
        if len(body) < length:
            self.close_connection = True
            return None
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type != _JSON:
            metrics.record_error("bad_request")
            self._error(415, "send the body as Content-Type: application/json")
            return None
        return body

    def _send_json(self, status: int, document: Any, **headers: str) -> None:
        data = _dumps(document)
        names = [(key.replace("_", "-").title(), value) for key, value in headers.items()]
        self._send(status, _JSON, data, headers=names)

    def _error(self, status: int, message: str, **headers: str) -> None:
        self._send_json(status, {"error": {"status": status, "message": message}}, **headers)

    def _send(
        self,
        status: int,
        content_type: str | None,
        body: bytes,
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors the standard library finds (bad request lines, unknown methods) as JSON."""
        self.close_connection = True
        text = message or HTTPStatus(code).phrase
        data = json.dumps({"error": {"status": code, "message": text}}).encode()
        self.send_response(code, text)
        self.send_header("Content-Type", _JSON)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are counted in the metrics, not logged: a log line would hold the path."""


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None


def make_server(
    service: LookupService,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    *,
    max_body: int = DEFAULT_MAX_BODY,
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT_S,
) -> LookupServer:
    """A bound server (port 0: any free one); call ``serve_forever`` to answer."""
    if max_body < 1 or idle_timeout <= 0:
        raise ConfigError("the body limit and the idle timeout must be positive")
    try:
        return LookupServer((host, port), service, max_body=max_body, idle_timeout=idle_timeout)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
