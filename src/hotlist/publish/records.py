"""The publisher's input: one :class:`ListRecord` per active entry, no plaintext."""

from __future__ import annotations

from dataclasses import dataclass

from hotlist.errors import PublishError
from hotlist.publish.wire import FLAG_DISPUTED, HASH_SIZE, HOST_KEY_SIZE, check_fields


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
