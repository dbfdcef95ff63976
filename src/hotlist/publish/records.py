"""The publisher's input: one :class:`ListRecord` per active entry, no plaintext."""

from __future__ import annotations

from dataclasses import dataclass

from hotlist.errors import PublishError
from hotlist.publish.wire import (
    FLAG_DISPUTED,
    HASH_SIZE,
    HOST_KEY_SIZE,
    KNOWN_FLAGS,
    MAX_CATEGORY,
    MAX_ENTRY_ID,
)


def check_fields(expression_hash: bytes, category: int, entry_id: int, flags: int) -> str | None:
    """Say what is wrong with a record's fields, or None when they are valid."""
    if len(expression_hash) != HASH_SIZE:
        return f"expression hash is {len(expression_hash)} bytes, expected {HASH_SIZE}"
    if not 1 <= category <= MAX_CATEGORY:
        return f"category {category} is outside 1..{MAX_CATEGORY}"
    if not 1 <= entry_id <= MAX_ENTRY_ID:
        return f"entry id {entry_id} is outside 1..2**63-1"
    if flags & ~KNOWN_FLAGS or flags < 0:
        return f"flags {flags:#x} set reserved bits (only bit 0, disputed, is defined)"
    return None


@dataclass(frozen=True, slots=True)
class ListRecord:
    """One active entry as the server hands it to the publisher.

    ``expression_hash`` is SHA-256 of the entry's expression; ``host_hash`` is SHA-256 of the
    canonical host followed by ``/`` (:func:`hotlist.urls.host_hash`), whose first bytes the
    edge's first stage uses;
    ``category`` is the policy category's wire id; ``entry_id`` the entry's opaque public id;
    ``flags`` bit 0 means disputed, the other bits are reserved and must be 0.
    """

    expression_hash: bytes
    host_hash: bytes
    category: int
    entry_id: int
    flags: int = 0

    def __post_init__(self) -> None:
        problem = check_fields(self.expression_hash, self.category, self.entry_id, self.flags)
        if problem is None and len(self.host_hash) != HASH_SIZE:
            problem = f"host hash is {len(self.host_hash)} bytes, expected {HASH_SIZE}"
        if problem is not None:
            raise PublishError(f"invalid list record: {problem}")

    @property
    def host_key(self) -> bytes:
        """The first 8 bytes of the host hash: what the wire format carries."""
        return self.host_hash[:HOST_KEY_SIZE]

    @property
    def disputed(self) -> bool:
        """True when a member's objection to this entry is pending."""
        return bool(self.flags & FLAG_DISPUTED)
