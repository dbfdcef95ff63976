"""The scope rules every way of making an entry applies: an assessment, a change of scope, an
import.

Host scope is the widest and the riskiest, so it needs all three: a category that allows it, a
written reason why the whole host, and a host that is not on the shared-hosting warning list.
An entry whose expression is a host's root (``host/``) covers the whole host whatever scope it
was asked for, so the same rules apply to it (:func:`check_scope`).
"""

from __future__ import annotations

from hotlist.errors import PolicyError
from hotlist.policy import Category, SharedHostingList
from hotlist.urls import Scope

DEFAULT_SCOPE_REASONS = {
    Scope.PAGE: "page scope: the narrowest scope, covering only the reported page",
    Scope.FOLDER: "folder scope: the content spans the pages of this folder",
}
"""The scope reason of a page or folder entry when the decider gives none."""


def scope_reason(scope: Scope, given: str | None, category: Category) -> str:
    """The scope reason an entry of ``scope`` records; PolicyError naming the rule it breaks.

    Host scope needs a category that allows it and a reason given; page and folder scope take
    :data:`DEFAULT_SCOPE_REASONS` when none is given.
    """
    reason = (given or "").strip()
    if scope is Scope.HOST:
        if not category.host_scope_allowed:
            raise PolicyError(
                f"host scope refused: category {category.code!r} does not allow host scope "
                "(policy rule host_scope_allowed); list the page or the folder"
            )
        if not reason:
            raise PolicyError(
                "host scope refused: give a scope_reason saying why the whole host is listed"
            )
        return reason
    return reason or DEFAULT_SCOPE_REASONS[scope]


def check_shared_hosting(host: str, shared_hosting: SharedHostingList) -> None:
    """PolicyError when ``host`` is on the shared-hosting warning list (no host scope there)."""
    suffix = shared_hosting.matching_suffix(host)
    if suffix is not None:
        raise PolicyError(
            f"host scope refused: {host} is on the shared-hosting warning list (rule {suffix!r}); "
            "listing it would block other sites there; list the page or the folder"
        )


def covers_whole_host(expression: str) -> bool:
    """Whether ``expression`` is a host's root (``host/``), which every URL on the host matches
    whatever scope it was made with (the page ``http://host/``, the folder of a root page)."""
    host, _slash, path = expression.partition("/")
    return bool(host) and path == ""


def check_scope(
    asked: Scope,
    expression: str,
    given: str | None,
    category: Category,
    shared_hosting: SharedHostingList,
) -> tuple[Scope, str]:
    """The scope an entry listing ``expression`` has and its scope reason, or PolicyError naming
    the rule it breaks.

    An expression that covers the whole host is host scope whatever was asked, so host scope's
    rules apply to it: this is how a page or folder entry can never list a whole shared host.
    """
    scope = Scope.HOST if covers_whole_host(expression) else asked
    try:
        reason = scope_reason(scope, given, category)
        if scope is Scope.HOST:
            check_shared_hosting(expression.partition("/")[0], shared_hosting)
    except PolicyError as exc:
        if scope is asked:
            raise
        raise PolicyError(
            f"{asked.value} scope here lists {expression}, the whole host, so the rules of host "
            f"scope apply: {exc.message}"
        ) from exc
    return scope, reason
