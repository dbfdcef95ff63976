"""Lookup expressions (host suffix x path prefix) and their SHA-256 hashes.

An expression is a canonical host followed by a path, without the scheme: ``a.b.example/1/``.
A URL is on the list when any of its expressions hashes to a listed hash. The list also carries,
per entry, the leading bytes of its host's hash (:func:`host_hash`, of the host expression
``host/``): the edge's first stage tests a request's hosts against them before it builds any path
expression.
"""

from __future__ import annotations

from hashlib import sha256

from hotlist.urls.canonical import CanonicalURL, canonical_parts
from hotlist.urls.hosts import host_suffixes

MAX_EXPRESSIONS = 5 * 6
"""The most lookup expressions a URL has: 5 host suffixes (the host itself and up to four
shorter ones) by 6 path prefixes (the path with and without its query, the root, up to three
directories)."""


def path_prefixes(parts: CanonicalURL) -> list[str]:
    """The paths a lookup tries, in Safe Browsing's order (at most six).

    The exact path with the query (when there is one), the exact path without it, then the root
    and up to three more directory prefixes, each ending in ``/``; repeats are left out.
    """
    path = parts.path
    query = parts.query
    paths = [path] if query is None else [f"{path}?{query}", path]
    if path == "/":
        return paths
    paths.append("/")
    # Directory prefixes: up to the first three slashes after the root, never the path itself.
    last = len(path) - 1
    end = path.find("/", 1)
    if 0 < end < last:
        paths.append(path[: end + 1])
        end = path.find("/", end + 1)
        if 0 < end < last:
            paths.append(path[: end + 1])
            end = path.find("/", end + 1)
            if 0 < end < last:
                paths.append(path[: end + 1])
    return paths


def expressions_from_parts(parts: CanonicalURL) -> list[str]:
    """The lookup expressions of a canonical URL: each host suffix with each path prefix."""
    paths = path_prefixes(parts)
    return [host + path for host in host_suffixes(parts.host) for path in paths]


def expressions(url: str | bytes) -> list[str]:
    """The lookup expressions of ``url`` (at most 5 hosts x 6 paths) in the documented order."""
    return expressions_from_parts(canonical_parts(url))


def expression_hash(expression: str) -> bytes:
    """SHA-256 of one expression (32 bytes): what the list carries instead of the plaintext."""
    return sha256(expression.encode("ascii")).digest()


def host_expression(host: str) -> str:
    """The expression of a canonical host as a whole: ``host/``, what a host-scope entry lists
    (it covers every path on the host and, by the suffix rule, the names below it)."""
    return f"{host}/"


def host_hash(host: str) -> bytes:
    """SHA-256 of a canonical host's expression (``host/``): a host-scope entry's hash, and what
    the list's host key is cut from (its first ``hotlist.publish.wire.HOST_KEY_SIZE`` bytes)."""
    return expression_hash(host_expression(host))


def expression_hashes(url: str | bytes) -> list[bytes]:
    """SHA-256 of each of ``url``'s expressions, in the same order."""
    return [sha256(expression.encode("ascii")).digest() for expression in expressions(url)]


def expression_hashes_from_parts(parts: CanonicalURL) -> list[bytes]:
    """SHA-256 of each expression of a canonical URL, in order, without a second parse."""
    paths = path_prefixes(parts)
    return [
        sha256((host + path).encode("ascii")).digest()
        for host in host_suffixes(parts.host)
        for path in paths
    ]


def expression_host(expression: str) -> str:
    """The host part of an expression (everything before its first ``/``)."""
    return expression.partition("/")[0]
