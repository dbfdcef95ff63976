"""Audit a signed tree head against the log's leaves: what ``hotlist log verify`` does.

Pure: the caller downloads the leaves and proofs. Every step fails closed with a
VerificationError that says what did not match.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hotlist.errors import VerificationError
from hotlist.publish.log.events import decode_event
from hotlist.publish.log.head import SignedTreeHead, TreeHead, check_heads_consistent
from hotlist.publish.log.merkle import leaf_hash, root_hash


def audit_head(
    signed: SignedTreeHead,
    key: Ed25519PublicKey,
    leaves: Sequence[bytes],
    previous: SignedTreeHead | None = None,
    proof: Sequence[bytes] | None = None,
) -> TreeHead:
    """Check ``signed`` with ``key``, and that ``leaves`` (the log's first ``size`` leaves, as
    bytes) are valid events whose Merkle root is the head's; the head, once all holds.

    With ``previous`` (another signed head), its root must be the root of the first
    ``previous.size`` leaves, and ``proof`` (the server's consistency proof, when given) must
    prove it a prefix of the head.
    """
    head = signed.verify(key)
    if len(leaves) != head.size:
        raise VerificationError(f"the head has {head.size} leaves but {len(leaves)} were given")
    for index, data in enumerate(leaves):
        try:
            decode_event(data)
        except VerificationError as exc:
            raise VerificationError(f"leaf {index}: {exc}") from exc
    hashes = [leaf_hash(data) for data in leaves]
    root = root_hash(hashes)
    if not hmac.compare_digest(root, head.root_hash):
        raise VerificationError(
            f"the log's {head.size} leaves hash to root {root.hex()}, not the head's "
            f"{head.root_hash.hex()}: the log served is not the one the head signs"
        )
    if previous is None:
        return head
    before = previous.verify(key)
    if before.size > head.size:
        raise VerificationError(
            f"the previous head ({before.describe()}) is larger than the head "
            f"({head.describe()}): give the older head as --previous"
        )
    prefix = root_hash(hashes[: before.size])
    if not hmac.compare_digest(prefix, before.root_hash):
        raise VerificationError(
            f"the log forked: the previous head ({before.describe()}) is not a prefix of the "
            f"head ({head.describe()}); its first {before.size} leaves hash to {prefix.hex()}"
        )
    if proof is not None:
        check_heads_consistent(before, head, list(proof))
    return head
