"""URL canonicalization, lookup expressions and hashes: the rules the whole list depends on.

The server (making entries) and the edge (checking requests) must call these same functions, or
matches are silently lost. Everything here is pure: no I/O, no state. See ``docs/urls.md``.

The functions that canonicalize (``canonical_parts``, ``canonicalize``, ``expressions``,
``expression_hashes`` and their batch forms) run in the compiled core (:mod:`hotlist.urls.core`);
the Python modules beside it are the reference the tests hold the core to.
"""

from __future__ import annotations

from hotlist.urls.authority import plain_authority
from hotlist.urls.canonical import MAX_URL_BYTES, SCHEMES, CanonicalURL
from hotlist.urls.core import (
    HashBatch,
    authority_host,
    canonical_parts,
    canonical_parts_many,
    canonicalize,
    entry_expression,
    expression_hash_batch,
    expression_hashes,
    expression_hashes_from_parts,
    expression_hashes_many,
    expressions,
)
from hotlist.urls.entries import Scope
from hotlist.urls.expressions import (
    MAX_EXPRESSIONS,
    expression_hash,
    expression_host,
    expressions_from_parts,
    host_expression,
    host_hash,
    path_prefixes,
)
from hotlist.urls.hosts import host_suffixes, is_ip_host
from hotlist.urls.loopback import is_loopback_url

__all__ = [
    "MAX_EXPRESSIONS",
    "MAX_URL_BYTES",
    "SCHEMES",
    "CanonicalURL",
    "HashBatch",
    "Scope",
    "authority_host",
    "canonical_parts",
    "canonical_parts_many",
    "canonicalize",
    "entry_expression",
    "expression_hash",
    "expression_hash_batch",
    "expression_hashes",
    "expression_hashes_from_parts",
    "expression_hashes_many",
    "expression_host",
    "expressions",
    "expressions_from_parts",
    "host_expression",
    "host_hash",
    "host_suffixes",
    "is_ip_host",
    "is_loopback_url",
    "path_prefixes",
    "plain_authority",
]
