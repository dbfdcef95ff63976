"""Percent-unescaping and percent-escaping as Safe Browsing canonicalization does them.

The rules work on bytes: a URL is unescaped repeatedly until no escape is left, and the canonical
form escapes every byte that is a control or space (<= 0x20), not ASCII (>= 0x7F), ``#`` or ``%``,
with upper-case hex digits.
"""

from __future__ import annotations

import re

_ESCAPED = [
    chr(byte) if 0x20 < byte < 0x7F and byte not in (0x23, 0x25) else f"%{byte:02X}"
    for byte in range(256)
]
_NEEDS_ESCAPE = re.compile(rb"[\x00-\x20\x23\x25\x7f-\xff]")
_HEX_DIGITS = "0123456789abcdefABCDEF"
# Every two-character hex escape body, in any case, to the byte it stands for.
_UNESCAPED = {
    (high + low).encode(): bytes([int(high + low, 16)])
    for high in _HEX_DIGITS
    for low in _HEX_DIGITS
}


def unescape_fully(data: bytes) -> bytes:
    """Percent-unescape ``data`` again and again until no valid ``%XX`` escape is left.

    A ``%`` not followed by two hex digits stays as it is. Each pass that changes anything makes
    the data shorter, so the loop ends.
    """
    while b"%" in data:
        unescaped = _unescape_once(data)
        if len(unescaped) == len(data):
            break
        data = unescaped
    return data


def _unescape_once(data: bytes) -> bytes:
    """One pass of percent-unescaping; a ``%`` without two hex digits after it stays."""
    pieces = data.split(b"%")
    out = [pieces[0]]
    append = out.append
    for piece in pieces[1:]:
        byte = _UNESCAPED.get(piece[:2])
        if byte is None:
            append(b"%")
            append(piece)
        else:
            append(byte)
            append(piece[2:])
    return b"".join(out)


def escape(data: bytes) -> str:
    """Percent-escape the bytes the canonical form may not hold as they are; the result is ASCII."""
    if _NEEDS_ESCAPE.search(data) is None:
        return data.decode("ascii")
    return "".join([_ESCAPED[byte] for byte in data])
