"""Whether a URL names this machine only: the one rule the server and the edge apply to it.

The server refuses to publish a loopback public URL (members would get an appeal link nobody else
can open); the edge lets a plain ``http://`` list server through without ``--unsafe-http`` only on
loopback (the member's API key never leaves the machine). Pure: no I/O, no name resolution.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def is_loopback_url(url: str) -> bool:
    """Whether ``url``'s host is this machine only: ``localhost`` (or a name below it), a
    loopback address (127.0.0.0/8, ``::1``) or an unspecified one (``0.0.0.0``, ``::``, which
    a connection reaches on this machine). False for anything else, a malformed URL included."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified
