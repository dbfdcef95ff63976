"""The demo's stand-ins for the outside world of removal at source, all on loopback: the origin
that hosts the reported page (and takes it down), the hosting provider's mailbox that receives
the notice, and the offline hosting data that says who hosts it.

Nothing here is ever real content: the origin answers a placeholder line.
"""

from __future__ import annotations

import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

HOSTING_PROVIDER = "Example Hosting Ltd"
ABUSE_CONTACT = "abuse@hosting.example"
DEMO_ASN = 64500
"""A private-use AS number (RFC 6996): the demo's hosting provider."""


class Origin:
    """An HTTP server on 127.0.0.1 that serves ``path`` until :meth:`take_down` (then 404)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.online = True
        self.requests: list[str] = []
        origin = self

        class Handler(BaseHTTPRequestHandler):
            def do_HEAD(self) -> None:
                self._answer(with_body=False)

            def do_GET(self) -> None:
                self._answer(with_body=True)

            def _answer(self, *, with_body: bool) -> None:
                origin.requests.append(f"{self.command} {self.path}")
                found = origin.online and self.path.split("?", 1)[0] == origin.path
                body = b"demo placeholder page\n" if found else b"not found\n"
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if with_body:
                    self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the demo prints what matters."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Origin:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def take_down(self) -> None:
        """The host removes the page: from now on it answers 404."""
        self.online = False


class Mailbox:
    """An SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message it receives."""

    def __init__(self, port: int) -> None:
        from aiosmtpd.controller import Controller

        self.port = port
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        """aiosmtpd's hook: keep the message as received."""
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(parsed)
        return "250 OK"

    def __enter__(self) -> Mailbox:
        self._controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._controller.stop()

    def received(self) -> list[EmailMessage]:
        """The messages so far, oldest first."""
        with self._lock:
            return list(self.messages)


def write_hosting_data(path: Path, host: str) -> Path:
    """The offline hosting data of the demo: ``host`` is on 127.0.0.1, which belongs to the
    demo's hosting provider in the hotline's own country (GB), whose abuse desk is the mailbox."""
    data = {
        "hosts": {host: ["127.0.0.1"]},
        "networks": [
            {
                "prefix": "127.0.0.0/8",
                "asn": DEMO_ASN,
                "name": HOSTING_PROVIDER,
                "country": "GB",
                "abuse": [ABUSE_CONTACT],
            }
        ],
        "domains": {
            host.split(".", 1)[-1]: {
                "registrar": "Example Registrar",
                "abuse": ["abuse@registrar.example"],
            }
        },
    }
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


class World:
    """Everything outside the hotline the demo needs, started and stopped together: the origin
    hosting ``LISTED_PATH`` of ``host``, the provider's mailbox, and the hosting data file."""

    def __init__(self, data_dir: Path, host: str, path: str, smtp_port: int) -> None:
        self.host = host
        self.origin = Origin(path)
        self.mailbox = Mailbox(smtp_port)
        self.hosting_file = data_dir / "demo-hosting.yaml"
        self._data_dir = data_dir

    def __enter__(self) -> World:
        self._data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_hosting_data(self.hosting_file, self.host)
        self.origin.__enter__()
        try:
            self.mailbox.__enter__()
        except BaseException:
            self.origin.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        try:
            self.mailbox.__exit__(None, None, None)
        finally:
            self.origin.__exit__(None, None, None)

    def url(self, path_and_query: str) -> str:
        """The reported page's address on the origin (its port: the origin is on loopback)."""
        return f"http://{self.host}:{self.origin.port}{path_and_query}"

    def server_env(self) -> dict[str, str]:
        """The server's settings for this world: offline hosting data, the loopback mailbox, the
        checker allowed on loopback, and jobs that tick every second (a real server waits
        minutes; the demo cannot wait the policy's 12 hours between two checks either)."""
        return {
            "HOTLIST_HOSTING_SOURCES": "offline",
            "HOTLIST_HOSTING_DATA_FILE": str(self.hosting_file),
            "HOTLIST_SMTP_HOST": "127.0.0.1",
            "HOTLIST_SMTP_PORT": str(self.mailbox.port),
            "HOTLIST_SMTP_STARTTLS": "false",
            "HOTLIST_NOTICE_FROM": "hotline@hotline.example",
            "HOTLIST_NOTICE_WINDOW_S": "0",
            "HOTLIST_NOTICES_INTERVAL_S": "1",
            "HOTLIST_REVERIFY_INTERVAL_S": "1",
            "HOTLIST_CHECK_PER_HOST_INTERVAL_S": "0",
            "HOTLIST_CHECK_GONE_APART_S": "1",
            "HOTLIST_UNSAFE_LOOPBACK_CHECKS": "true",
        }
