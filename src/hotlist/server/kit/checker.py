"""Whether a listed URL still serves something, a seam: a check that never downloads content.

:class:`UrlChecker` is what re-verification asks; :class:`HttpChecker` is the real one, on
urllib3: a ``HEAD`` (a ``GET`` closed right after its headers when ``HEAD`` is refused with 405
or 501; no body is ever read), redirects followed by hand up to a bound with every hop recorded,
a dedicated User-Agent naming hotlist and the operator's contact, connect and read timeouts. It
resolves each host itself and connects to the address it checked (the name is kept for the
``Host`` header, TLS's SNI and the certificate check), so a name cannot answer a public address
to the check and a private one to the connection; any address that is not public (private,
loopback, link-local, multicast, reserved, unspecified) is refused, at every hop, unless
loopback is allowed for tests. :class:`OfflineChecker` answers from a map (tests, the demo).

What a check concludes (:class:`Outcome`):

- ``present``: a 2xx after the redirects;
- ``gone``: 404, 410 or 451, a name that does not resolve, or a redirect that ends on the root
  page (``/``) of a site when the URL checked was not a root page: hosts send removed pages to
  their front page, which is not the content;
- ``present`` with ``moved``: any other redirect that ends in a 2xx at another address (another
  path or host): the content may have moved and the listed URL still leads to it, so it is not
  gone; the service records the final URL among what changed from the baseline;
- ``failed``: 5xx, other 4xx (401, 403, 429...), a timeout, a refused or broken connection, a TLS
  error, a redirect loop or more redirects than allowed: nothing to judge by, counts neither way;
- ``refused``: the checker would not ask (an address that is not public, a scheme not HTTP).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error

from hotlist import __version__
from hotlist.errors import LookupFailed
from hotlist.server.config import Settings
from hotlist.server.kit.lookups import HostingData, Resolver

REDIRECTS = frozenset({301, 302, 303, 307, 308})
GONE_STATUSES = frozenset({404, 410, 451})
HEAD_REFUSED = frozenset({405, 501})


class Outcome(StrEnum):
    """What one check found (stored as :class:`hotlist.server.reverification.models.
    CheckOutcome`, the same values)."""

    PRESENT = "present"
    GONE = "gone"
    FAILED = "failed"
    REFUSED = "refused"


@dataclass(frozen=True)
class Hop:
    """One answer on the way: the URL asked, its status, the address connected to."""

    url: str
    status: int
    ip: str | None = None

    def to_json(self) -> dict[str, Any]:
        """As the check log stores it."""
        return {"url": self.url, "status": self.status, "ip": self.ip}


@dataclass(frozen=True)
class CheckResult:
    """What one check of ``url`` found; ``hops`` are the redirects followed, in order, and the
    other fields describe the last answer (None: not known)."""

    url: str
    outcome: Outcome
    status: int | None = None
    final_url: str | None = None
    hops: tuple[Hop, ...] = ()
    content_type: str | None = None
    content_length: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    ip: str | None = None
    error: str | None = None
    elapsed_ms: int | None = None
    method: str | None = None
    """``HEAD``, or ``GET`` when the server refused ``HEAD``."""

    @property
    def moved(self) -> bool:
        """A 2xx reached at another address than the one checked."""
        return (
            self.outcome is Outcome.PRESENT
            and self.final_url is not None
            and self.final_url != self.url
        )

    def to_json(self) -> dict[str, Any]:
        """The result as JSON-ready data (``hotlist checks url --json``)."""
        return {
            "url": self.url,
            "outcome": self.outcome.value,
            "moved": self.moved,
            "status": self.status,
            "final_url": self.final_url,
            "hops": [hop.to_json() for hop in self.hops],
            "content_type": self.content_type,
            "content_length": self.content_length,
            "etag": self.etag,
            "last_modified": self.last_modified,
            "ip": self.ip,
            "error": self.error,
            "elapsed_ms": self.elapsed_ms,
            "method": self.method,
        }


COMPARED = ("status", "final_url", "content_type", "content_length", "etag", "last_modified", "ip")
"""The fields a check is compared on with the baseline."""


def changed_fields(result: CheckResult, baseline: Mapping[str, Any]) -> list[str]:
    """The fields of :data:`COMPARED` in which ``result`` differs from ``baseline`` (a stored
    check's values by name). A baseline with no final URL stands for the URL itself."""
    changed = []
    for name in COMPARED:
        now = getattr(result, name)
        then = baseline.get(name)
        if name == "final_url":
            now = now or result.url
            then = then or baseline.get("url")
        if now != then:
            changed.append(name)
    return changed


class UrlChecker(Protocol):
    """Checks one URL without downloading what it serves."""

    def check(self, url: str) -> CheckResult:
        """What ``url`` answers now; never raises for what the network does (``failed``)."""
        ...


class SystemResolver:
    """The system's resolver (``getaddrinfo``): IPv4 first, then IPv6."""

    source = "system"

    def addresses(self, host: str) -> list[str]:
        """The host's addresses; ``[]`` when the name does not exist."""
        try:
            infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)):
                return []
            raise LookupFailed(f"the DNS did not answer for {host}: {exc.strerror}") from exc
        found: list[str] = []
        for family in (socket.AF_INET, socket.AF_INET6):
            for info in infos:
                address = str(info[4][0])
                if info[0] == family and address not in found:
                    found.append(address)
        return found


class StaticResolver:
    """Names answered from a map, and every other name by ``fallback`` or else ``default``
    (tests, benchmarks: ``StaticResolver(default=["127.0.0.1"])`` sends every ``*.test`` name
    to loopback; the server: the hosting data file's hosts pinned, the rest by the DNS)."""

    source = "static"

    def __init__(
        self,
        names: Mapping[str, Sequence[str]] | None = None,
        default: list[str] | None = None,
        fallback: Resolver | None = None,
    ) -> None:
        self._names = {name.lower(): list(ips) for name, ips in (names or {}).items()}
        self._default = list(default or [])
        self._fallback = fallback

    def addresses(self, host: str) -> list[str]:
        """The mapped addresses, else the fallback's answer, else the default."""
        found = self._names.get(host.lower())
        if found is not None:
            return list(found)
        if self._fallback is not None:
            return self._fallback.addresses(host)
        return list(self._default)


def not_public(ip: str, *, allow_loopback: bool = False) -> str | None:
    """Why the checker may not connect to ``ip`` (None: it may): the kind of address that is
    not public. An IPv4 address mapped into IPv6 is judged as the IPv4 address."""
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(ip)
    except ValueError:
        return "not an IP address"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return None if allow_loopback else "a loopback address"
    for kind, flag in (
        ("an unspecified address", address.is_unspecified),
        ("a link-local address", address.is_link_local),
        ("a multicast address", address.is_multicast),
        ("a private address", address.is_private),
        ("a reserved address", address.is_reserved),
    ):
        if flag:
            return kind
    if not address.is_global:
        return "an address that is not public"
    return None


def user_agent(contact: str | None) -> str:
    """The checker's User-Agent: hotlist, its version, what it does and whom to ask."""
    where = f"; +{contact}" if contact else ""
    return f"hotlist/{__version__} (URL re-verification, no content fetched{where})"


class _Hop(Exception):
    """A step ended the check early with ``result``."""

    def __init__(self, result: CheckResult) -> None:
        super().__init__(result.error or result.outcome.value)
        self.result = result


class HttpChecker:
    """The real checker (see the module's description). Thread-safe: each check opens its
    own connections and closes them."""

    def __init__(
        self,
        *,
        user_agent: str = user_agent(None),
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 10.0,
        max_redirects: int = 5,
        allow_loopback: bool = False,
        resolver: Resolver | None = None,
        ca_certs: str | None = None,
    ) -> None:
        self.user_agent = user_agent
        self.timeout = urllib3.Timeout(connect=connect_timeout_s, read=read_timeout_s)
        self.max_redirects = max_redirects
        self.allow_loopback = allow_loopback
        self.resolver: Resolver = resolver or SystemResolver()
        self._ca_certs = ca_certs

    @classmethod
    def from_settings(cls, settings: Settings, resolver: Resolver | None = None) -> HttpChecker:
        """The checker the settings describe."""
        contact = settings.check_user_agent_contact or settings.public_url
        return cls(
            user_agent=user_agent(contact),
            connect_timeout_s=settings.check_timeout_s,
            read_timeout_s=settings.check_timeout_s,
            max_redirects=settings.check_max_redirects,
            allow_loopback=settings.unsafe_loopback_checks,
            resolver=resolver,
        )

    def check(self, url: str) -> CheckResult:
        """Follow ``url`` to its last answer (never its body) and judge it."""
        started = time.monotonic()
        try:
            result = self._follow(url)
        except _Hop as stop:
            result = stop.result
        except Exception as exc:  # a check never stops a tick: what went wrong is recorded
            result = CheckResult(
                url=url, outcome=Outcome.FAILED, error=f"unexpected {type(exc).__name__}: {exc}"
            )
        return replace(result, elapsed_ms=round((time.monotonic() - started) * 1000))

    def _follow(self, url: str) -> CheckResult:
        hops: list[Hop] = []
        current = url
        seen = {url}
        while True:
            status, headers, ip, method = self._ask(url, current, tuple(hops))
            if status in REDIRECTS and headers.get("location"):
                hops.append(Hop(current, status, ip))
                target = urljoin(current, headers["location"])
                if target in seen:
                    raise _Hop(self._stop(url, hops, "failed", f"a redirect loop at {target}"))
                if len(hops) > self.max_redirects:
                    raise _Hop(
                        self._stop(url, hops, "failed", f"more than {self.max_redirects} redirects")
                    )
                seen.add(target)
                current = target
                continue
            return CheckResult(
                url=url,
                outcome=_judge(url, current, status),
                status=status,
                final_url=current,
                hops=tuple(hops),
                content_type=headers.get("content-type"),
                content_length=_length(headers.get("content-length")),
                etag=headers.get("etag"),
                last_modified=headers.get("last-modified"),
                ip=ip,
                error=None if 200 <= status < 300 or status in GONE_STATUSES else f"HTTP {status}",
                method=method,
            )

    def _stop(
        self,
        url: str,
        hops: list[Hop],
        outcome: str,
        error: str,
        at: str | None = None,
        ip: str | None = None,
    ) -> CheckResult:
        return CheckResult(
            url=url,
            outcome=Outcome(outcome),
            final_url=at or (hops[-1].url if hops else url),
            hops=tuple(hops),
            ip=ip,
            error=error,
        )

    def _ask(
        self, url: str, current: str, hops: tuple[Hop, ...]
    ) -> tuple[int, dict[str, str], str, str]:
        """One request to ``current`` at an address checked first: (status, headers in lower
        case, the address, the method)."""
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _Hop(
                self._stop(url, list(hops), "refused", f"not an HTTP address: {current}", current)
            )
        try:
            host = _ascii_host(parts.hostname)
        except UnicodeError:
            raise _Hop(
                self._stop(url, list(hops), "failed", f"not a valid host name: {current}", current)
            ) from None
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise _Hop(
                self._stop(url, list(hops), "failed", f"a bad port in {current}", current)
            ) from None
        ip = self._address(url, host, current, hops)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        response = self._request("HEAD", parts.scheme, host, ip, port, path, url, current, hops)
        method = "HEAD"
        if response[0] in HEAD_REFUSED:
            response = self._request("GET", parts.scheme, host, ip, port, path, url, current, hops)
            method = "GET"
        return response[0], response[1], ip, method

    def _address(self, url: str, host: str, current: str, hops: tuple[Hop, ...]) -> str:
        """The address to connect to for ``host``: a literal, or the first the resolver gives;
        every address the name has must be public (unless loopback is allowed)."""
        literal = _ip_literal(host)
        try:
            addresses = [literal] if literal else self.resolver.addresses(host)
        except (LookupFailed, OSError) as exc:
            raise _Hop(self._stop(url, list(hops), "failed", str(exc), current)) from None
        if not addresses:
            raise _Hop(
                self._stop(url, list(hops), "gone", f"the name {host} does not resolve", current)
            )
        for address in addresses:
            why = not_public(address, allow_loopback=self.allow_loopback)
            if why is not None:
                raise _Hop(
                    self._stop(
                        url,
                        list(hops),
                        "refused",
                        f"{host} resolves to {why} ({address}): not checked",
                        current,
                        address,
                    )
                )
        return addresses[0]

    def _request(
        self,
        method: str,
        scheme: str,
        host: str,
        ip: str,
        port: int,
        path: str,
        url: str,
        current: str,
        hops: tuple[Hop, ...],
    ) -> tuple[int, dict[str, str]]:
        """``method`` to ``ip`` for ``host``; the connection is closed before any body is read."""
        default_port = 443 if scheme == "https" else 80
        headers = {
            "Host": host if port == default_port else f"{host}:{port}",
            "User-Agent": self.user_agent,
            "Accept": "*/*",
            "Accept-Encoding": "identity",
        }
        pool: urllib3.HTTPConnectionPool
        if scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                ip,
                port,
                timeout=self.timeout,
                maxsize=1,
                retries=False,
                server_hostname=host,
                assert_hostname=host,
                cert_reqs="CERT_REQUIRED",
                ca_certs=self._ca_certs,
            )
        else:
            pool = urllib3.HTTPConnectionPool(
                ip, port, timeout=self.timeout, maxsize=1, retries=False
            )
        try:
            response = pool.urlopen(
                method,
                path,
                headers=headers,
                redirect=False,
                retries=False,
                preload_content=False,
                decode_content=False,
                assert_same_host=False,
            )
            try:
                return response.status, {k.lower(): v for k, v in response.headers.items()}
            finally:
                response.close()  # the body, if any, is never read: the connection goes
        except Urllib3Error as exc:
            raise _Hop(
                self._stop(url, list(hops), "failed", _network_error(exc), current, ip)
            ) from None
        except OSError as exc:
            raise _Hop(self._stop(url, list(hops), "failed", str(exc), current, ip)) from None
        finally:
            pool.close()


def _judge(url: str, final: str, status: int) -> Outcome:
    if status in GONE_STATUSES:
        return Outcome.GONE
    if 200 <= status < 300:
        if final != url and _is_root(final) and not _is_root(url):
            return Outcome.GONE
        return Outcome.PRESENT
    return Outcome.FAILED


def _is_root(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


def _ascii_host(host: str) -> str:
    """The host as the DNS and the ``Host`` header take it (IDNA for names not in ASCII)."""
    return host if host.isascii() else host.encode("idna").decode("ascii")


def _ip_literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def _length(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None


def _network_error(exc: Urllib3Error) -> str:
    """What went wrong, without urllib3's object reprs."""
    reason = getattr(exc, "reason", None)
    name = type(exc).__name__
    if "Timeout" in name or "Timeout" in type(reason).__name__:
        return "timed out"
    text = str(reason or exc)
    return f"{name}: {text}" if text else name


@dataclass
class OfflineChecker:
    """Answers from ``results`` (URL -> result), ``missing`` for any other URL (tests, the
    demo); :meth:`set` changes an answer, e.g. to take content down. Keeps what was asked."""

    results: dict[str, CheckResult] = field(default_factory=dict)
    missing: Outcome = Outcome.FAILED
    asked: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def set(self, url: str, outcome: Outcome | str, **fields: Any) -> CheckResult:
        """Answer ``outcome`` (with ``fields``: status, etag...) for ``url`` from now on."""
        result = CheckResult(url=url, outcome=Outcome(outcome), final_url=url, **fields)
        with self._lock:
            self.results[url] = result
        return result

    def check(self, url: str) -> CheckResult:
        """The answer set for ``url``; ``missing`` with an error for any other."""
        with self._lock:
            self.asked.append(url)
            result = self.results.get(url)
        if result is None:
            return CheckResult(url=url, outcome=self.missing, error="no answer set for this URL")
        return result


def checker_from_settings(settings: Settings) -> UrlChecker:
    """The server's checker: the real one, as the settings describe it. It resolves names with
    the system's resolver, except the hosts the offline hosting data file lists, which it
    checks at the addresses the file gives (the same view of where they are hosted that the
    hosting lookups have)."""
    resolver: Resolver = SystemResolver()
    if settings.hosting_sources == "offline" and settings.hosting_data_file is not None:
        hosts = HostingData.load(settings.hosting_data_file).hosts
        resolver = StaticResolver(hosts, fallback=resolver)
    return HttpChecker.from_settings(settings, resolver=resolver)
