"""The answer the edge gives for one URL."""

from __future__ import annotations

from typing import NamedTuple

from hotlist.publish.wire import format_entry_id


class Verdict(NamedTuple):
    """Whether a URL is blocked by the list in force, and by which entry.

    ``category`` is the policy category's wire id and ``entry_id`` the entry's opaque public id
    (both None when not blocked); ``disputed`` says a member's objection to the entry is pending;
    ``list_version`` is the version of the list that gave the answer. ``error`` is set, with
    ``blocked`` False, when the URL could not be canonicalized: a proxy keeps serving, and the
    caller decides what an unparseable request deserves.
    """

    blocked: bool
    category: int | None
    entry_id: int | None
    disputed: bool
    list_version: int
    error: str | None = None

    @property
    def entry_ref(self) -> str | None:
        """The entry id as members and block pages show it: 16 lowercase hex digits."""
        return None if self.entry_id is None else format_entry_id(self.entry_id)

    def to_json(self) -> dict[str, object]:
        """A JSON-ready mapping (the entry id as its 16-digit hex form)."""
        return {
            "blocked": self.blocked,
            "category": self.category,
            "entry_id": self.entry_ref,
            "disputed": self.disputed,
            "list_version": self.list_version,
            "error": self.error,
        }
