"""Auditing a head against the leaves a server serves."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hotlist.errors import VerificationError
from hotlist.publish.log.audit import audit_head
from hotlist.publish.log.events import encode_event
from hotlist.publish.log.head import SignedTreeHead, TreeHead, sign_head
from hotlist.publish.log.merkle import consistency_proof, leaf_hash, root_hash

AT = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)
KEY = Ed25519PrivateKey.generate()
LEAVES = [
    encode_event("entry_removed", AT, {"entry_id": f"{i + 1:016x}", "expression_hash": "ab" * 32})
    for i in range(7)
]


def _signed(leaves: list[bytes]) -> SignedTreeHead:
    hashes = [leaf_hash(data) for data in leaves]
    return sign_head(TreeHead(size=len(hashes), root_hash=root_hash(hashes), timestamp=AT), KEY)


def test_a_head_and_its_log_pass_with_an_older_head() -> None:
    older = _signed(LEAVES[:4])
    proof = consistency_proof([leaf_hash(data) for data in LEAVES], 4)
    head = audit_head(_signed(LEAVES), KEY.public_key(), LEAVES, older, proof)
    assert head.size == 7


def test_a_server_serving_other_leaves_is_caught() -> None:
    served = [
        *LEAVES[:3],
        encode_event(
            "entry_removed", AT, {"entry_id": "00000000000000ff", "expression_hash": "cd" * 32}
        ),
        *LEAVES[4:],
    ]
    with pytest.raises(VerificationError, match="not the one the head signs"):
        audit_head(_signed(LEAVES), KEY.public_key(), served)
    with pytest.raises(VerificationError, match="7 leaves but 6"):
        audit_head(_signed(LEAVES), KEY.public_key(), LEAVES[:6])


def test_an_older_head_of_another_history_is_a_fork() -> None:
    other = [
        encode_event(
            "entry_removed", AT, {"entry_id": "00000000000000ee", "expression_hash": "ef" * 32}
        ),
        *LEAVES[1:4],
    ]
    with pytest.raises(VerificationError, match="forked"):
        audit_head(_signed(LEAVES), KEY.public_key(), LEAVES, _signed(other))
    with pytest.raises(VerificationError, match="larger"):
        audit_head(_signed(LEAVES[:3]), KEY.public_key(), LEAVES[:3], _signed(LEAVES))


def test_a_leaf_that_is_not_an_event_is_named() -> None:
    bad = [*LEAVES[:2], b"not an event"]
    with pytest.raises(VerificationError, match="leaf 2"):
        audit_head(_signed(bad), KEY.public_key(), bad)
