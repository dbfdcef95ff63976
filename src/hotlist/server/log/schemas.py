"""The log as the API shows it: leaves (exact bytes, base64), proofs and heads (hex)."""

from __future__ import annotations

import base64
from typing import Any

from pydantic import BaseModel, Field

from hotlist.publish.log.events import format_time
from hotlist.publish.log.head import SignedTreeHead
from hotlist.server.log.service import LoggedEvent


class LeafOut(BaseModel):
    """One leaf: its exact bytes (what is hashed) and, for reading, the event they hold."""

    index: int
    data: str = Field(description="The leaf's canonical JSON bytes, base64.")
    leaf_hash: str = Field(description="SHA-256(0x00 || data), hex.")
    event: dict[str, Any] = Field(description="The event the bytes hold (kind, time, fields).")

    @classmethod
    def of(cls, leaf: LoggedEvent) -> LeafOut:
        return cls(
            index=leaf.index,
            data=base64.b64encode(leaf.data).decode("ascii"),
            leaf_hash=leaf.leaf_hash.hex(),
            event=leaf.event.to_json(),
        )


class LeavesOut(BaseModel):
    """Leaves ``start`` to ``next_start`` (exclusive) of a log of ``tree_size`` leaves."""

    tree_size: int
    entries: list[LeafOut]
    next_start: int | None = Field(description="Where the next page starts; null at the end.")


class InclusionProofOut(BaseModel):
    """The audit path of a leaf in the tree of ``tree_size`` leaves (RFC 9162 §2.1.3)."""

    leaf_index: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    proof: list[str] = Field(description="Node hashes, hex, from the leaf upwards.")


class ConsistencyProofOut(BaseModel):
    """The proof that the tree of ``first`` leaves is a prefix of ``second``'s (§2.1.4)."""

    first: int
    second: int
    first_root_hash: str
    second_root_hash: str
    proof: list[str]


class SignedTreeHeadOut(BaseModel):
    """A signed tree head, as in ``log/head.json`` (see docs/log.md)."""

    size: int
    root_hash: str
    timestamp: str
    key_id: str
    signature: str = Field(description="Ed25519 over the head's signing bytes, base64.")

    @classmethod
    def of(cls, signed: SignedTreeHead) -> SignedTreeHeadOut:
        return cls(
            size=signed.head.size,
            root_hash=signed.head.root_hash.hex(),
            timestamp=format_time(signed.head.timestamp),
            key_id=signed.key_id,
            signature=base64.b64encode(signed.signature).decode("ascii"),
        )
