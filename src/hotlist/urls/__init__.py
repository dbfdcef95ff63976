"""URL canonicalization, lookup expressions and hashes: the rules the whole list depends on.

The server (making entries) and the edge (checking requests) must call these same functions, or
matches are silently lost. Everything here is pure: no I/O, no state. See ``docs/urls.md``.
"""

from __future__ import annotations

from hotlist.urls.authority import authority_host, plain_authority
from hotlist.urls.canonical import (
    MAX_URL_BYTES,
    SCHEMES,
    CanonicalURL,
    canonical_parts,
    canonicalize,
)
from hotlist.urls.entries import Scope, entry_expression
from hotlist.urls.expressions import (
    expression_hash,
    expression_hashes,
    expression_hashes_from_parts,
    expression_host,
    expressions,
    expressions_from_parts,
    path_prefixes,
)
from hotlist.urls.hosts import host_suffixes, is_ip_host

__all__ = [
    "MAX_URL_BYTES",
    "SCHEMES",
    "CanonicalURL",
    "Scope",
    "authority_host",
    "canonical_parts",
    "canonicalize",
    "entry_expression",
    "expression_hash",
    "expression_hashes",
    "expression_hashes_from_parts",
    "expression_host",
    "expressions",
    "expressions_from_parts",
    "host_suffixes",
    "is_ip_host",
    "path_prefixes",
    "plain_authority",
]
