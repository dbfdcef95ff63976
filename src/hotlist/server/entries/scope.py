"""The scope rules every way of making an entry applies: an assessment, a change of scope, an
import.

Host scope is the widest and the riskiest, so it needs all three: a category that allows it, a
written reason why the whole host, and a host that is not on the shared-hosting warning list.
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
