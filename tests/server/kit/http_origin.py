"""A real HTTP origin on loopback for the checker's tests: pages that serve, move, go away, refuse
``HEAD``, answer slowly or fail; it records every request it was sent.

``Origin.route(path, status, headers=..., head_status=..., delay_s=..., hold_body=...)`` says
how a path answers; unknown paths answer 404. ``hold_body`` sends the headers of a body that
never comes (a huge ``Content-Length``) and waits until the client closes the connection: a
checker that read the body would hang until its read timeout.
"""

from __future__ import annotations

import select
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Route:
    """How one path answers."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    head_status: int | None = None
    """What ``HEAD`` answers when it differs (405: refused)."""
    delay_s: float = 0.0
    hold_body: bool = False


@dataclass(frozen=True)
class Seen:
    """One request the origin was sent."""

    method: str
    path: str
    host: str | None
    user_agent: str | None
    at: float = 0.0
    """When it came (``time.monotonic``)."""


class Origin:
    """The server and its routes; ``url(path)`` addresses it through 127.0.0.1."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self.closed_early: list[str] = []
        """Paths whose body the client never waited for (it closed after the headers)."""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        origin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

            def do_HEAD(self) -> None:
                origin._answer(self, "HEAD")

            def do_GET(self) -> None:
                origin._answer(self, "GET")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        """The address of ``path`` on this origin (``host`` a name the resolver maps here)."""
        return f"http://{host}:{self.port}{path}"

    def route(self, path: str, status: int = 200, **options: object) -> Route:
        """Answer ``status`` at ``path`` from now on (see :class:`Route`)."""
        made = Route(status=status, **options)  # type: ignore[arg-type]
        with self._lock:
            self.routes[path] = made
        return made

    def redirect(self, path: str, to: str, status: int = 301) -> Route:
        """``path`` redirects to ``to`` (a path or a whole URL)."""
        return self.route(path, status, headers={"Location": to})

    def requests(self, method: str | None = None) -> list[Seen]:
        """What was asked (of ``method`` only, when given)."""
        with self._lock:
            return [seen for seen in self.seen if method is None or seen.method == method]

    def _answer(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        path = handler.path
        with self._lock:
            self.seen.append(
                Seen(
                    method,
                    path,
                    handler.headers.get("Host"),
                    handler.headers.get("User-Agent"),
                    time.monotonic(),
                )
            )
            route = self.routes.get(path, Route(status=404))
        if route.delay_s:
            self._stop.wait(route.delay_s)
        status = route.head_status if method == "HEAD" and route.head_status else route.status
        handler.send_response(status)
        for name, value in route.headers.items():
            handler.send_header(name, value)
        body = b"" if method == "HEAD" else b"<html>listed content</html>"
        if route.hold_body and method == "GET" and status < 300:
            handler.send_header("Content-Length", str(10**12))
            handler.end_headers()
            handler.wfile.flush()
            self._hold(handler, path)
            return
        handler.send_header("Content-Length", str(len(b"<html>listed content</html>")))
        handler.end_headers()
        if body:
            handler.wfile.write(body)

    def _hold(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        """Send no body; note when the client closes the connection (at most 30 s)."""
        deadline = time.monotonic() + 30
        connection = handler.connection
        while time.monotonic() < deadline and not self._stop.is_set():
            readable, _, _ = select.select([connection], [], [], 0.05)
            if readable:
                try:
                    data = connection.recv(1)
                except OSError:
                    data = b""
                if not data:
                    with self._lock:
                        self.closed_early.append(path)
                    break
        handler.close_connection = True

    def __enter__(self) -> Origin:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def origin() -> Iterator[Origin]:
    """A running loopback origin, stopped after the test."""
    with Origin() as running:
        yield running
