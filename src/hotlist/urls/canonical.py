"""Safe Browsing URL canonicalization: one URL in, its canonical parts out.

The algorithm (Google Safe Browsing "URLs and Hashing", v4, plus the v5 IPv6 rules):
trim surrounding whitespace; remove tab, CR and LF; drop the fragment; percent-unescape repeatedly;
then split scheme, host and path, canonicalize the host (see :mod:`hotlist.urls.hosts`), resolve
``.`` and ``..`` segments and collapse runs of slashes in the path (never in the query), and
percent-escape what the canonical form may not hold as it is.

Where Safe Browsing clients disagree this module follows Google's documentation:

* the port is removed (``http://www.gotaport.example:1234/`` -> ``http://www.gotaport.example/``),
  although Chromium keeps a non-default port;
* the query is kept byte for byte apart from escaping (``q?r?`` stays), with no sorting or
  decoding of ``+``;
* escapes are written with upper-case hex (``%7e`` unescapes to ``~``; ``%0a`` becomes ``%0A``).

Because the URL is unescaped *before* it is split, an escaped delimiter acts as one
(``a%3Fb`` starts a query, ``%2F`` separates path segments), exactly as Google's rules read; this
is also what makes canonicalization idempotent.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from hotlist.errors import InvalidURL
from hotlist.urls.escaping import escape, unescape_fully
from hotlist.urls.hosts import canonical_host

MAX_URL_BYTES = 8192
"""The longest URL accepted, in bytes (8 KiB): longer ones are not URLs anyone fetches."""

SCHEMES = frozenset({"http", "https", "ftp", "ftps", "ws", "wss"})
"""The schemes a list entry can name; a URL with no scheme is taken as ``http``."""

# Leading and trailing whitespace and C0 controls are trimmed, as browsers do.
_TRIM = bytes(range(0x21))
_SCHEME = re.compile(rb"([A-Za-z][A-Za-z0-9+.\-]*):")
# After "name:", what makes "name" a host with a port rather than a scheme.
_PORT_AFTER = re.compile(rb"[0-9]+(?:[/?]|\Z)|/(?!/)|\?|\Z")
_DIGITS = re.compile(rb"[0-9]*\Z")

# An http(s) URL that needs no more than lower-casing its scheme and host, dropping a port or a
# fragment, and unescaping its query: a host of plain labels whose last label does not look like
# a number, no user, only printable ASCII other than % and # in the path (paths with "//" or "/."
# are left to the full algorithm) and other than # in the query. Escapes in such a query cannot
# change how the URL splits, so the query is unescaped on its own. The fragment may hold any ASCII
# but NUL (which the full algorithm rejects), so characters and bytes count alike for the limit.
_SIMPLE = re.compile(
    r"([Hh][Tt][Tt][Pp][Ss]?)://((?:[A-Za-z0-9_\-]+\.)*[A-Za-z_\-][A-Za-z0-9_\-]*)(?::[0-9]*)?"
    r"(/[\x21\x22\x24\x26-\x3e\x40-\x7e]*)?"
    r"(?:\?([\x21\x22\x24-\x7e]*))?"
    r"(?:#[\x01-\x7f]*)?\Z"
)
# After unescaping: authority, path, query.
_SPLIT = re.compile(rb"([^/?]*)([^?]*)(?:\?(.*))?", re.DOTALL)


class CanonicalURL(NamedTuple):
    """A canonical URL in parts; ``query`` is None when the URL has no ``?`` at all."""

    scheme: str
    host: str
    path: str
    query: str | None

    def url(self) -> str:
        """The canonical URL as one string."""
        if self.query is None:
            return f"{self.scheme}://{self.host}{self.path}"
        return f"{self.scheme}://{self.host}{self.path}?{self.query}"


# NamedTuple's generated __new__ is a Python call; tuple.__new__ builds the same object in C.
_new_parts = tuple.__new__


def canonical_parts(url: str | bytes) -> CanonicalURL:
    """Canonicalize ``url`` and return its parts; raises InvalidURL for bad input.

    Text is taken as UTF-8 (a lone surrogate from an undecodable byte becomes that byte again);
    bytes are taken as they are, so a byte >= 0x80 is escaped on its own.
    """
    if isinstance(url, str):
        if len(url) <= MAX_URL_BYTES:
            match = _SIMPLE.match(url)
            if match is not None:
                scheme, host, path, query = match.groups()
                if path is None:
                    path = "/"
                elif "//" in path or "/." in path:
                    return _canonical_parts(_encode(url))
                if query is not None and "%" in query:
                    query = escape(unescape_fully(query.encode("ascii")))
                return _new_parts(CanonicalURL, (scheme.lower(), host.lower(), path, query))
        return _canonical_parts(_encode(url))
    if isinstance(url, bytes | bytearray | memoryview):
        return _canonical_parts(bytes(url))
    raise InvalidURL(f"a URL must be text or bytes, not {type(url).__name__}")


def canonicalize(url: str | bytes) -> str:
    """The canonical form of ``url`` (Safe Browsing rules); raises InvalidURL for bad input."""
    return canonical_parts(url).url()


def _encode(url: str) -> bytes:
    if len(url) > MAX_URL_BYTES:
        raise InvalidURL(_too_long(len(url)))
    try:
        return url.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError as exc:
        raise InvalidURL(
            f"the URL is not valid text: a lone surrogate at position {exc.start}"
        ) from exc


def _too_long(size: int) -> str:
    return f"the URL is too long ({size} characters or more; at most {MAX_URL_BYTES} bytes)"


def _canonical_parts(raw: bytes) -> CanonicalURL:
    """The full algorithm on bytes."""
    if len(raw) > MAX_URL_BYTES:
        raise InvalidURL(_too_long(len(raw)))
    if b"\x00" in raw:
        raise InvalidURL(f"the URL contains a NUL byte at position {raw.index(0)}")
    data = raw.strip(_TRIM).translate(None, b"\t\r\n")
    fragment = data.find(b"#")
    if fragment >= 0:
        data = data[:fragment]
    if not data:
        raise InvalidURL("the URL is empty")
    if b"%" in data:
        data = unescape_fully(data)
    if data.startswith(b"http://"):
        scheme, rest = "http", data[7:]
    elif data.startswith(b"https://"):
        scheme, rest = "https", data[8:]
    else:
        scheme, rest = _split_scheme(data)
    if rest.startswith(b"/"):
        raise InvalidURL(_no_host("nothing between '//' and the next '/'"))
    authority, path, query = _SPLIT.match(rest).groups()  # type: ignore[union-attr]
    if b"@" in authority or b":" in authority or authority.startswith(b"["):
        authority = _host_of(authority)
    elif not authority:
        raise InvalidURL(_no_host("the host is empty"))
    return _new_parts(
        CanonicalURL,
        (
            scheme,
            canonical_host(authority),
            escape(_normalize_path(path)) if path else "/",
            None if query is None else escape(query),
        ),
    )


def _split_scheme(data: bytes) -> tuple[str, bytes]:
    """The lower-case scheme and what follows its ``//``; ``http`` when there is none.

    A URL names its host right after ``scheme://``, after ``//`` with no scheme (a
    network-path reference), or first of all (a bare host, taken as http). A scheme without
    ``//`` (``http:/x``), or a leading single ``/`` (``/x``, a path), names none.
    """
    match = _SCHEME.match(data)
    if match is not None:
        scheme = match.group(1).decode("ascii").lower()
        if scheme in SCHEMES:
            rest = data[match.end() :]
            if not rest.startswith(b"//"):
                raise InvalidURL(_no_host(f"'{scheme}:' is not followed by '//'"))
            return scheme, rest[2:]
        if "." not in scheme and not _PORT_AFTER.match(data, match.end()):
            raise InvalidURL(
                f"unsupported scheme {scheme!r}: only {', '.join(sorted(SCHEMES))} URLs "
                "(or a bare host and path, taken as http) can be checked"
            )
    if data.startswith(b"//"):
        return "http", data[2:]
    if data.startswith(b"/"):
        raise InvalidURL(_no_host("it starts with a path ('/')"))
    return "http", data


def _no_host(why: str) -> str:
    """The message for a URL with no host: why, and how to write one that has a host."""
    return (
        f"the URL has no host: {why}; give the whole URL with its host, "
        "such as http://www.example.com/path or www.example.com/path"
    )


def _host_of(authority: bytes) -> bytes:
    """The host in an authority: user information and port removed."""
    at = authority.rfind(b"@")
    if at >= 0:
        authority = authority[at + 1 :]
    if authority.startswith(b"["):
        close = authority.find(b"]")
        if close < 0:
            return authority
        host, port = authority[: close + 1], authority[close + 1 :]
        if port and not port.startswith(b":"):
            raise InvalidURL(
                f"invalid IPv6 literal {authority.decode('ascii', 'backslashreplace')!r}: "
                "text after the closing bracket"
            )
        port = port[1:]
    else:
        # The first colon starts the port, so a host never keeps a colon (idempotence).
        host, _, port = authority.partition(b":")
    if port and not _DIGITS.match(port):
        raise InvalidURL(
            f"invalid port {port.decode('ascii', 'backslashreplace')!r}: a port is a number"
        )
    if not host:
        raise InvalidURL(_no_host("the host is empty once user information and port are removed"))
    return host


def _normalize_path(path: bytes) -> bytes:
    """Resolve ``.`` and ``..`` segments and collapse runs of slashes; ``path`` starts with /."""
    if b"//" not in path and b"/." not in path:
        return path
    segments: list[bytes] = []
    parts = path.split(b"/")
    for segment in parts[1:]:
        if segment == b".." and segments:
            segments.pop()
        elif segment not in (b"", b".", b".."):
            segments.append(segment)
    if not segments:
        return b"/"
    normalized = b"/" + b"/".join(segments)
    if parts[-1] in (b"", b".", b".."):
        normalized += b"/"
    return normalized
