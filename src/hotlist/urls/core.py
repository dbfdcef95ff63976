"""The URL functions the server and the edge call, computed by the compiled core.

:mod:`hotlist._core` (Rust, ``rust/``) implements the same rules as the Python modules beside
this one (:mod:`hotlist.urls.canonical`, :mod:`~hotlist.urls.hosts`,
:mod:`~hotlist.urls.expressions`), which stay as the tests' reference: a differential test holds
the two to the same canonical form, expressions, hashes and errors. The core reports an error as a
code and a detail; :func:`url_error` turns it into :class:`~hotlist.errors.InvalidURL` with the
reference's message, word for word.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import NamedTuple

import hotlist._core as _core
from hotlist.errors import InvalidURL
from hotlist.urls.canonical import MAX_URL_BYTES, SCHEMES, CanonicalURL
from hotlist.urls.entries import Scope, check_scope, scoped_expression

__all__ = [
    "HashBatch",
    "authority_host",
    "canonical_parts",
    "canonical_parts_many",
    "canonicalize",
    "entry_expression",
    "expression_hash_batch",
    "expression_hashes",
    "expression_hashes_from_parts",
    "expression_hashes_many",
    "expressions",
    "url_error",
]

if _core.MAX_URL_BYTES != MAX_URL_BYTES:  # pragma: no cover - a core built from other sources
    raise ImportError("hotlist._core was built with another MAX_URL_BYTES: rebuild it")

_CoreURLError = _core.CoreURLError
_new_parts = tuple.__new__


def _shown(data: object, encoding: str = "ascii") -> str:
    return data.decode(encoding, "backslashreplace") if isinstance(data, bytes) else str(data)


def _ipv6_reason(literal: object) -> str:
    """What :mod:`ipaddress` says about an IPv6 literal's inside (the reference's wording)."""
    inner = literal[1:-1] if isinstance(literal, bytes) else b""
    try:
        ipaddress.IPv6Address(inner.decode("ascii", "replace"))
    except ValueError as exc:
        return str(exc)
    return "not an IPv6 address"  # pragma: no cover - the core and ipaddress agree (tested)


def _message(code: int, detail: object) -> str:
    """The reference's message for the core's error ``code`` with its ``detail``."""
    if code == 0:
        return f"the URL is too long ({detail} characters or more; at most {MAX_URL_BYTES} bytes)"
    if code == 1:
        return f"the URL contains a NUL byte at position {detail}"
    if code == 2:
        return "the URL is empty"
    if code == 3:
        return (
            f"unsupported scheme {detail!r}: only {', '.join(sorted(SCHEMES))} URLs "
            "(or a bare host and path, taken as http) can be checked"
        )
    if code == 4:
        return (
            f"the URL has no host: {detail}; give the whole URL with its host, "
            "such as http://www.example.com/path or www.example.com/path"
        )
    if code == 5:
        return f"invalid IPv6 literal {_shown(detail)!r}: text after the closing bracket"
    if code == 6:
        return f"invalid port {_shown(detail)!r}: a port is a number"
    if code == 7:
        return "the URL has no usable host (nothing left after removing dots)"
    if code == 8:
        return (
            f"invalid host {_shown(detail, 'utf-8')!r}: "
            "'[' and ']' belong only around an IPv6 address"
        )
    if code in (9, 10, 11):
        reason = ("more than four parts", "the host ends in a number", "a part is out of range")
        return f"invalid IPv4 address {_shown(detail)!r}: {reason[code - 9]}"
    if code == 12:
        return f"invalid IPv6 literal {_shown(detail)!r}: no closing bracket"
    if code == 13:
        return f"invalid IPv6 literal {_shown(detail)!r}: unexpected characters"
    if code == 14:
        return f"invalid IPv6 literal {_shown(detail)!r}: {_ipv6_reason(detail)}"
    if code == 15:
        return f"the URL is not valid text: a lone surrogate at position {detail}"
    if code == 16:
        return f"a URL must be text or bytes, not {detail}"
    return f"the URL cannot be canonicalized (core error {code})"  # pragma: no cover


def url_error(code: int, detail: object) -> InvalidURL:
    """The InvalidURL for the core's error ``code`` and ``detail``."""
    return InvalidURL(_message(code, detail))


def _invalid(exc: _core.CoreURLError) -> InvalidURL:
    code, detail = exc.args
    return url_error(code, detail)


def canonical_parts(url: str | bytes) -> CanonicalURL:
    """Canonicalize ``url`` and return its parts; raises InvalidURL for bad input.

    Text is taken as UTF-8 (a lone surrogate from an undecodable byte becomes that byte again);
    bytes are taken as they are, so a byte >= 0x80 is escaped on its own.
    """
    try:
        return _new_parts(CanonicalURL, _core.canonical_parts(url))
    except _CoreURLError as exc:
        raise _invalid(exc) from None


def canonical_parts_many(urls: Iterable[str | bytes]) -> list[CanonicalURL | InvalidURL]:
    """The canonical parts of each URL, in order, or the InvalidURL that says why it has none."""
    return [
        _new_parts(CanonicalURL, result) if len(result) == 4 else url_error(*result)
        for result in _core.canonical_parts_many(urls)
    ]


def canonicalize(url: str | bytes) -> str:
    """The canonical form of ``url`` (Safe Browsing rules); raises InvalidURL for bad input."""
    try:
        return _core.canonicalize(url)
    except _CoreURLError as exc:
        raise _invalid(exc) from None


def expressions(url: str | bytes) -> list[str]:
    """The lookup expressions of ``url`` (at most 5 hosts x 6 paths) in the documented order."""
    try:
        return _core.expressions(url)
    except _CoreURLError as exc:
        raise _invalid(exc) from None


def expression_hashes(url: str | bytes) -> list[bytes]:
    """SHA-256 of each of ``url``'s expressions, in the same order."""
    try:
        return _core.expression_hashes(url)
    except _CoreURLError as exc:
        raise _invalid(exc) from None


def expression_hashes_from_parts(parts: CanonicalURL) -> list[bytes]:
    """SHA-256 of each expression of a canonical URL, in order, without a second parse."""
    return _core.expression_hashes_from_parts(parts.host, parts.path, parts.query)


def expression_hashes_many(urls: Iterable[str | bytes]) -> list[list[bytes] | InvalidURL]:
    """For each URL, in order, the SHA-256 of its expressions, or the InvalidURL that says why.

    One call into the core for the whole batch; :func:`expression_hash_batch` gives the same
    without an object per hash, for large batches.
    """
    return [
        result if type(result) is list else url_error(*result)
        for result in _core.expression_hashes_many(urls)
    ]


class HashBatch(NamedTuple):
    """The expression hashes of a batch of URLs in flat form, with no object per hash.

    ``digests`` holds every URL's 32-byte hashes one after the other, in order; ``counts[i]`` is
    how many belong to URL ``i`` (0 when it is invalid, and ``errors[i]`` says why).
    """

    digests: bytes
    counts: bytes
    errors: dict[int, InvalidURL]

    def hashes(self) -> list[list[bytes] | InvalidURL]:
        """Per URL, its hashes as a list, or its error (as :func:`expression_hashes_many`)."""
        digests = self.digests
        result: list[list[bytes] | InvalidURL] = []
        offset = 0
        for position, count in enumerate(self.counts):
            if count == 0:
                result.append(self.errors[position])
                continue
            end = offset + 32 * count
            result.append([digests[start : start + 32] for start in range(offset, end, 32)])
            offset = end
        return result


def expression_hash_batch(urls: Iterable[str | bytes]) -> HashBatch:
    """The SHA-256 of every expression of many URLs, in one call and flat (see HashBatch)."""
    digests, counts, failures = _core.expression_hashes_flat(urls)
    errors = {position: url_error(code, detail) for position, code, detail in failures}
    return HashBatch(digests, counts, errors)


def authority_host(authority: str) -> str:
    """The canonical host of a plain ``authority`` (``host[:port]``); InvalidURL if it has none."""
    return canonical_parts(f"http://{authority}/").host


def entry_expression(url: str | bytes, scope: Scope | str) -> str:
    """The expression an entry of ``scope`` made from ``url`` lists; always one of its expressions.

    As :func:`hotlist.urls.entries.entry_expression` (whose docstring gives the rules), with the
    URL canonicalized by the core.
    """
    scope = check_scope(scope)
    return scoped_expression(canonical_parts(url), scope)
