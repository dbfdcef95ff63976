"""The canonical host read off a URL's authority alone, when the rest cannot change it.

Proxies and matchers see most URLs on hosts the list never names; for those, canonicalizing the
whole URL (path escapes, dot segments, query) is wasted work. When an http(s) URL's authority is
plain (printable ASCII without ``%`` — an escape could move its end — a backslash or white
space; at most one ``@``, ending user information) and is followed by ``/``, ``?``, ``#`` or
nothing, the canonical host depends on the authority alone, and a caller can decide on the host
first.
"""

from __future__ import annotations

import re

from hotlist.urls.canonical import MAX_URL_BYTES, canonical_parts

AUTHORITY_CHARS = r"[\x21\x22\x24\x26-\x2e\x30-\x3e\x41-\x5b\x5d-\x7e]+"
"""A plain authority's characters (a regular expression class, for callers' own patterns):
printable ASCII but ``# % / ? @`` and the backslash. Named by what it holds, not by what it
leaves out: a negated class spanning Unicode costs each pattern using it milliseconds to
compile, paid by every Squid helper at start-up."""

# The scheme in any case, and user information (dropped by canonicalization) may precede it.
_PLAIN = re.compile(rf"(?i:https?)://(?:{AUTHORITY_CHARS}@)?({AUTHORITY_CHARS})(?=[/?#]|\Z)")


def plain_authority(url: str) -> str | None:
    """The plain authority of ``url`` when its canonical host depends on nothing else.

    None when the URL is not a plain http(s) URL, or when the rest of the URL could make the
    whole of it invalid (too long, not ASCII, a NUL byte), so that a caller who skips the full
    canonicalization never answers differently from one who does not.
    """
    if len(url) > MAX_URL_BYTES or not url.isascii() or "\x00" in url:
        return None
    match = _PLAIN.match(url)
    return None if match is None else match.group(1)


def authority_host(authority: str) -> str:
    """The canonical host of a plain ``authority`` (``host[:port]``); InvalidURL if it has none."""
    return canonical_parts(f"http://{authority}/").host
