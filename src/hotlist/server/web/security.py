"""Browser sessions, CSRF tokens and security headers for the server's HTML pages.

A session lives in one cookie, signed with the server's session key by itsdangerous
(``URLSafeSerializer``, HMAC-SHA256): a random session id, the CSRF token of the session, when
it was issued and, once someone signs in, the user's id. Nothing else is kept, on the server or
in the cookie; no address, no tracking.

- The key is the ``session_key`` setting (``HOTLIST_SESSION_KEY``, hex, at least 32 bytes) or
  ``<data_dir>/session.key`` (made on first start, mode 0600). Without either, a random key per
  process is used: sessions then end with the process, and several workers do not share them.
- The cookie is ``__Host-hotlist-session``: Secure, HttpOnly, SameSite=Lax, Path=/. Only when
  the ``unsafe_http_sessions`` setting is on (``HOTLIST_UNSAFE_HTTP_SESSIONS=1``) *and* the
  request came over plain HTTP to a loopback address (tests, the demo) is it
  ``hotlist-session`` without Secure.
- Every form POST carries the session's token (:data:`CSRF_FIELD`, or the :data:`CSRF_HEADER`
  header for htmx); a request another site sent (``Sec-Fetch-Site: cross-site`` or a foreign
  ``Origin`` host: a TLS-terminating proxy must pass the ``Host`` header on) is refused too.
- Every response gets the security headers (:data:`SECURITY_HEADERS`) unless it set its own.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from itsdangerous import BadData, URLSafeSerializer
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hotlist.errors import ConfigError, CsrfRejected
from hotlist.server.config import Settings

SESSION_KEY_ENV = Settings.env_name("session_key")
SESSION_KEY_FILE = "session.key"
MIN_KEY_BYTES = 32
SESSION_LIFETIME_S = 12 * 3600
"""A session, signed in or not, ends 12 hours after it was issued (or signed in)."""

SECURE_COOKIE = "__Host-hotlist-session"
PLAIN_COOKIE = "hotlist-session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_COOKIE_CHARS = 1024
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)

_RAW_SECURITY_HEADERS = tuple(
    (name.encode("latin-1"), value.encode("latin-1")) for name, value in SECURITY_HEADERS
)

_SIGNING_SALT = "hotlist web session v2"
"""itsdangerous' salt: keys the signature to this use (v1 was the hand-made format)."""


@dataclass(frozen=True)
class WebSession:
    """What one browser's cookie says: ``user_id`` is set once someone has signed in."""

    sid: str
    csrf: str
    issued: int
    user_id: int | None = None

    @classmethod
    def new(cls, now: float) -> WebSession:
        """A fresh anonymous session with a new id and CSRF token."""
        return cls(sid=secrets.token_urlsafe(18), csrf=secrets.token_urlsafe(24), issued=int(now))

    def signed_in(self, user_id: int, now: float) -> WebSession:
        """The session after ``user_id`` signs in: new id and token, so no fixation survives."""
        return replace(WebSession.new(now), user_id=user_id)


class SessionCodec:
    """Signs sessions into cookie values and reads them back, refusing anything not ours."""

    def __init__(
        self,
        key: bytes,
        lifetime_s: int = SESSION_LIFETIME_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ConfigError(f"the session key must be at least {MIN_KEY_BYTES} bytes")
        self.lifetime_s = lifetime_s
        self.clock = clock
        self._serializer = URLSafeSerializer(
            key, salt=_SIGNING_SALT, signer_kwargs={"digest_method": hashlib.sha256}
        )

    def encode(self, session: WebSession) -> str:
        """The cookie value for ``session``: itsdangerous' ``payload.signature`` (base64url)."""
        fields: dict[str, Any] = {"s": session.sid, "c": session.csrf, "i": session.issued}
        if session.user_id is not None:
            fields["u"] = session.user_id
        return self._serializer.dumps(fields)

    def decode(self, value: str) -> WebSession | None:
        """The session in a cookie value; None when it is malformed, forged or expired."""
        if len(value) > MAX_COOKIE_CHARS:
            return None
        try:
            fields = self._serializer.loads(value)
            session = WebSession(
                sid=str(fields["s"]),
                csrf=str(fields["c"]),
                issued=int(fields["i"]),
                user_id=int(fields["u"]) if "u" in fields else None,
            )
        except (BadData, ValueError, KeyError, TypeError):
            return None
        if self.encode(session) != value:
            # Only the spelling we sign: base64 lets a few other strings decode to the same
            # bytes, and none of them is a cookie this server gave out.
            return None
        age = self.clock() - session.issued
        if age < -60 or age > self.lifetime_s:
            return None
        return session


def load_session_key(settings: Settings) -> bytes:
    """The session key: the ``session_key`` setting, else ``<data_dir>/session.key`` (created
    when missing), else a random key for this process only."""
    text = (settings.session_key or "").strip()
    if text:
        return _key_from_hex(text, SESSION_KEY_ENV)
    if settings.data_dir is None:
        return secrets.token_bytes(MIN_KEY_BYTES)
    return _key_file(settings.data_dir / SESSION_KEY_FILE)


def _key_from_hex(text: str, origin: str) -> bytes:
    try:
        key = bytes.fromhex(text)
    except ValueError as exc:
        raise ConfigError(f"{origin} must be hexadecimal (make one: openssl rand -hex 32)") from exc
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(f"{origin} must hold at least {MIN_KEY_BYTES} bytes (64 hex digits)")
    return key


def _key_file(path: Path) -> bytes:
    try:
        if not path.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(MIN_KEY_BYTES) + "\n")
        return _key_from_hex(path.read_text(encoding="ascii").strip(), str(path))
    except FileExistsError:
        # Another worker created it between our check and our create: read theirs.
        return _key_from_hex(path.read_text(encoding="ascii").strip(), str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read or create the session key {path}: {exc}") from exc


def is_plain_loopback(connection: HTTPConnection) -> bool:
    """Whether the request came over plain HTTP to a loopback address."""
    if connection.url.scheme != "http":
        return False
    host = connection.url.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SessionState:
    """One request's session: read from the cookie, changed by the pages, written back once."""

    def __init__(self, loaded: WebSession | None, clock: Callable[[], float]) -> None:
        self.loaded = loaded
        self.current = loaded
        self.changed = False
        self._clock = clock

    @property
    def user_id(self) -> int | None:
        """The signed-in user's id, or None."""
        return self.current.user_id if self.current is not None else None

    def ensure(self) -> WebSession:
        """The session, started now if the browser had none (a form needs its CSRF token)."""
        if self.current is None:
            self.current = WebSession.new(self._clock())
            self.changed = True
        return self.current

    def sign_in(self, user_id: int) -> None:
        """Make ``user_id`` the session's user, with a new session id and CSRF token."""
        self.current = self.ensure().signed_in(user_id, self._clock())
        self.changed = True

    def sign_out(self) -> None:
        """End the session: the cookie is cleared in the response."""
        self.current = None
        self.changed = True


def session_state(connection: HTTPConnection) -> SessionState:
    """The request's :class:`SessionState` (the middleware puts it there)."""
    state = connection.scope.get("state", {}).get("web_session")
    if not isinstance(state, SessionState):
        raise ConfigError("the web security middleware is not installed on this app")
    return state


def check_csrf(connection: HTTPConnection, submitted: str | None) -> None:
    """Refuse a state-changing request without this session's token or sent by another site."""
    headers = connection.headers
    if headers.get("sec-fetch-site", "same-origin") not in {"same-origin", "none"}:
        raise CsrfRejected("the form was sent from another site; open the page here and send it")
    origin = headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != connection.url.netloc:
        raise CsrfRejected("the form was sent from another site; open the page here and send it")
    session = session_state(connection).current
    token = submitted or headers.get(CSRF_HEADER)
    if session is None or not token or not hmac.compare_digest(token, session.csrf):
        raise CsrfRejected(
            "the form has expired or did not come from this site; reload the page and send it again"
        )


def cookie_name(secure: bool) -> str:
    """The session cookie's name (``__Host-`` needs Secure)."""
    return SECURE_COOKIE if secure else PLAIN_COOKIE


def cookie_is_secure(connection: HTTPConnection, allow_unsafe_http: bool) -> bool:
    """Whether cookies set for this request carry Secure."""
    return not (allow_unsafe_http and is_plain_loopback(connection))


def set_cookie_header(
    name: str, value: str, *, secure: bool, max_age: int | None = None, http_only: bool = True
) -> str:
    """A ``Set-Cookie`` value with our attributes: Path=/, SameSite=Lax, HttpOnly, Secure."""
    parts = [f"{name}={value}", "Path=/", "SameSite=Lax"]
    if http_only:
        parts.append("HttpOnly")
    if secure:
        parts.append("Secure")
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return "; ".join(parts)


@dataclass(frozen=True)
class WebSecurity:
    """The app's session codec and whether plain-HTTP loopback may have cookies without Secure."""

    codec: SessionCodec
    allow_unsafe_http: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> WebSecurity:
        """From the session key (:func:`load_session_key`) and ``unsafe_http_sessions``."""
        return cls(SessionCodec(load_session_key(settings)), settings.unsafe_http_sessions)


class WebSecurityMiddleware:
    """Reads the session cookie into ``request.state.web_session``, writes it back when a page
    changed it, and adds the security headers to every response that has none of its own."""

    def __init__(self, app: ASGIApp, security: WebSecurity) -> None:
        self.app = app
        self.codec = security.codec
        self.allow_unsafe_http = security.allow_unsafe_http

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The cookie's name (and whether it is Secure) is worked out only when a cookie came
        # or a page set one: an API call, the public's reports above all, has none.
        has_cookie = any(header == b"cookie" for header, _ in scope["headers"])
        secure = self._secure(scope) if has_cookie else None
        loaded = self._read(scope, secure) if secure is not None else None
        state = SessionState(loaded, self.codec.clock)
        scope.setdefault("state", {})["web_session"] = state

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", ()))
                present = {name.lower() for name, _ in raw}
                raw.extend(pair for pair in _RAW_SECURITY_HEADERS if pair[0] not in present)
                message["headers"] = raw
                if state.changed:
                    https = self._secure(scope) if secure is None else secure
                    headers = MutableHeaders(scope=message)
                    headers.append("set-cookie", self._cookie(cookie_name(https), state, https))
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _secure(self, scope: Scope) -> bool:
        return cookie_is_secure(HTTPConnection(scope), self.allow_unsafe_http)

    def _read(self, scope: Scope, secure: bool) -> WebSession | None:
        value = HTTPConnection(scope).cookies.get(cookie_name(secure))
        return self.codec.decode(value) if value else None

    def _cookie(self, name: str, state: SessionState, secure: bool) -> str:
        if state.current is None:
            return set_cookie_header(name, "", secure=secure, max_age=0)
        value = self.codec.encode(state.current)
        return set_cookie_header(name, value, secure=secure, max_age=self.codec.lifetime_s)
