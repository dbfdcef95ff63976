"""The expression a list entry holds, made from a URL and the entry's scope."""

from __future__ import annotations

from enum import StrEnum

from hotlist.errors import InvalidURL
from hotlist.urls.canonical import CanonicalURL, canonical_parts
from hotlist.urls.expressions import host_expression, path_prefixes


class Scope(StrEnum):
    """How much of a site an entry covers: one page, one folder, or the whole host."""

    PAGE = "page"
    FOLDER = "folder"
    HOST = "host"


def entry_expression(url: str | bytes, scope: Scope | str) -> str:
    """The expression an entry of ``scope`` made from ``url`` lists; always one of its expressions.

    * page: the exact URL without scheme, *including* its query (``host/path?query``), the first
      expression Safe Browsing generates. An entry for every query of a page is made from the URL
      without its query.
    * folder: the longest directory prefix among the URL's expressions (``host/a/b/``). Lookups try
      at most three directory levels, so a deeper folder is listed as its third-level ancestor.
    * host: ``host/``, which covers every path on that exact host and its subdomains.
    """
    scope = check_scope(scope)
    return scoped_expression(canonical_parts(url), scope)


def check_scope(scope: Scope | str) -> Scope:
    """``scope`` as a Scope; InvalidURL naming the scopes when it is none of them."""
    try:
        return Scope(scope)
    except ValueError as exc:
        raise InvalidURL(
            f"unknown scope {scope!r}: use one of {', '.join(member.value for member in Scope)}"
        ) from exc


def scoped_expression(parts: CanonicalURL, scope: Scope) -> str:
    """The expression an entry of ``scope`` lists for a canonical URL (see entry_expression)."""
    if scope is Scope.HOST:
        return host_expression(parts.host)
    paths = path_prefixes(parts)
    if scope is Scope.PAGE:
        return parts.host + paths[0]
    folder = max((path for path in paths if path.endswith("/") and "?" not in path), key=len)
    return parts.host + folder
