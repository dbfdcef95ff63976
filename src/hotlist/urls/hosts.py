"""Host names: canonical form, IP literals, and the host suffixes a lookup tries.

Safe Browsing's host rules: strip leading and trailing dots, collapse runs of dots, normalise any
IPv4 encoding (decimal, octal, hex, fewer than four parts) to dotted decimal, normalise a bracketed
IPv6 literal (v5 rules: shortest form, IPv4-mapped and NAT64 ``64:ff9b::/96`` addresses become the
IPv4 address), lower-case, then percent-escape. Internationalised names become Punycode.
"""

from __future__ import annotations

import ipaddress
import re

from hotlist.errors import InvalidURL
from hotlist.urls.escaping import escape

_DOT_RUNS = re.compile(rb"\.{2,}")
# A lower-case host that is canonical as it is: plain labels, the last not a number.
_PLAIN_HOST = re.compile(rb"(?:[a-z0-9_\-]+\.)*[a-z_\-][a-z0-9_\-]*\Z")
_PLAIN_NAME = re.compile(rb"[a-z0-9_\-]+(?:\.[a-z0-9_\-]+)*\Z")
_DECIMAL = re.compile(rb"[0-9]+\Z")
_HEX = re.compile(rb"0x[0-9a-f]*\Z")
_OCTAL = re.compile(rb"0[0-7]+\Z")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# A host is an IP address when its last label ends in a digit (dotted IPv4) or it is bracketed.
_IP_LAST = frozenset("0123456789]")


def canonical_host(raw: bytes) -> str:
    """The canonical form of a host taken, already unescaped, from a URL's authority.

    Raises InvalidURL when nothing usable is left or an IP literal is invalid.
    """
    if raw.startswith(b"["):
        return _canonical_ipv6(raw)
    host = raw.lower()
    if _PLAIN_HOST.match(host) is not None:
        return host.decode("ascii")
    host = host.strip(b".")
    if b".." in host:
        host = _DOT_RUNS.sub(b".", host)
    if not host:
        raise InvalidURL("the URL has no usable host (nothing left after removing dots)")
    if b"[" in host or b"]" in host:
        raise InvalidURL(
            f"invalid host {host.decode('utf-8', 'backslashreplace')!r}: "
            "'[' and ']' belong only around an IPv6 address"
        )
    if not host.isascii():
        host = _to_ascii(host)
    last = host.rpartition(b".")[2]
    if _DECIMAL.match(last) or _HEX.match(last):
        return _canonical_ipv4(host)
    return escape(host)


def _to_ascii(host: bytes) -> bytes:
    """Punycode for an internationalised name; other non-ASCII bytes stay, to be escaped."""
    try:
        text = host.decode("utf-8")
    except UnicodeDecodeError:
        return host
    if any(char <= " " or char == "\x7f" for char in text):
        return host
    # Imported on the first internationalised name: ada_url (with cffi) holds about 2 MB in
    # every process that imports it, and most processes (each Squid helper) never meet one.
    import ada_url

    ascii_host: bytes = ada_url.idna_to_ascii(text)
    # Anything but plain labels (an empty or odd result) keeps the original bytes, escaped.
    if _PLAIN_NAME.match(ascii_host) is None:
        return host
    return ascii_host


def _ipv4_part(label: bytes) -> int | None:
    """One part of an IPv4 address in any legal encoding, or None when it is not a number."""
    if _HEX.match(label):
        return int(label[2:] or b"0", 16)
    if label.startswith(b"0") and len(label) > 1:
        return int(label, 8) if _OCTAL.match(label) else None
    if _DECIMAL.match(label):
        return int(label)
    return None


def _canonical_ipv4(host: bytes) -> str:
    """Dotted decimal for a host that ends in a number; InvalidURL when it is no IPv4 address.

    Like the WHATWG URL standard (and browsers), a host whose last label is a number must be an
    IPv4 address: ``example.123`` and ``256.1.1.1`` name nothing a browser would fetch.
    """
    labels = host.split(b".")
    shown = host.decode("ascii", "backslashreplace")
    if len(labels) > 4:
        raise InvalidURL(f"invalid IPv4 address {shown!r}: more than four parts")
    parts = [_ipv4_part(label) for label in labels]
    numbers = [part for part in parts if part is not None]
    if len(numbers) != len(parts):
        raise InvalidURL(f"invalid IPv4 address {shown!r}: the host ends in a number")
    *leading, last = numbers
    if any(part > 255 for part in leading) or last >= 256 ** (5 - len(numbers)):
        raise InvalidURL(f"invalid IPv4 address {shown!r}: a part is out of range")
    value = last
    for position, part in enumerate(leading):
        value += part << (8 * (3 - position))
    return str(ipaddress.IPv4Address(value))


def _canonical_ipv6(raw: bytes) -> str:
    """The v5 form of a bracketed IPv6 literal: shortest text, or IPv4 for mapped/NAT64 ones."""
    shown = raw.decode("ascii", "backslashreplace")
    if not raw.endswith(b"]"):
        raise InvalidURL(f"invalid IPv6 literal {shown!r}: no closing bracket")
    inner = raw[1:-1]
    if not inner.isascii() or b"%" in inner:
        raise InvalidURL(f"invalid IPv6 literal {shown!r}: unexpected characters")
    try:
        address = ipaddress.IPv6Address(inner.decode("ascii"))
    except ValueError as exc:
        raise InvalidURL(f"invalid IPv6 literal {shown!r}: {exc}") from exc
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    if address in _NAT64:
        return str(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return f"[{address.compressed}]"


def is_ip_host(host: str) -> bool:
    """Whether a canonical host is an IP address (dotted IPv4 or bracketed IPv6)."""
    return host[-1] in _IP_LAST


def host_suffixes(host: str) -> list[str]:
    """The host forms a lookup tries for a canonical host, in Safe Browsing's order.

    The host itself, then up to four suffixes made from its last five labels by removing the
    leading label each time, down to two labels (the top-level domain alone is skipped). An IP
    address is tried only as itself.
    """
    if host[-1] in _IP_LAST:
        return [host]
    dots = host.count(".")
    if dots < 2:
        return [host]
    if dots == 2:
        return [host, host[host.index(".") + 1 :]]
    # The suffix after the i-th dot has dots - i labels; keep those with 5 down to 2 labels.
    suffixes = [host]
    position = -1
    for index in range(dots - 1):
        position = host.index(".", position + 1)
        if index >= dots - 5:
            suffixes.append(host[position + 1 :])
    return suffixes
