"""RFC 9162 Merkle tree hashing (the same as RFC 6962): tree heads, inclusion and consistency.

Leaves are hashed as SHA-256(0x00 || data) and interior nodes as SHA-256(0x01 || left || right),
so a leaf can never pass for a node. The tree over ``n`` leaves splits at ``k``, the largest power
of two below ``n`` (RFC 9162 §2.1.1). Generation takes the sequence of leaf hashes; verification
follows the algorithms of §2.1.3.2 and §2.1.4.2 step by step and raises
:class:`~hotlist.errors.VerificationError` on any mismatch (fail closed).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from hotlist.errors import VerificationError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}): the root of the empty tree, SHA-256 of nothing."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d): the hash of one leaf's data."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): the hash of an interior node."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (``n`` >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _subtree(leaves: Sequence[bytes], start: int, end: int) -> bytes:
    """MTH of ``leaves[start:end]`` (leaf hashes), without copying the sequence."""
    n = end - start
    if n == 1:
        return leaves[start]
    k = _split(n)
    return node_hash(_subtree(leaves, start, start + k), _subtree(leaves, start + k, end))


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) for the tree whose leaves hash to ``leaf_hashes``."""
    if not leaf_hashes:
        return EMPTY_ROOT
    return _subtree(leaf_hashes, 0, len(leaf_hashes))


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]) (RFC 9162 §2.1.3.1): the audit path of leaf ``index``, leaf first."""
    size = len(leaf_hashes)
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index - start < k:
            path.append(_subtree(leaf_hashes, start + k, end))
            end = start + k
        else:
            path.append(_subtree(leaf_hashes, start, start + k))
            start += k
    path.reverse()
    return path


def consistency_proof(leaf_hashes: Sequence[bytes], first: int) -> list[bytes]:
    """PROOF(first, D[n]) (RFC 9162 §2.1.4.1): the tree of size ``first`` is a prefix of this one.

    Empty when ``first`` is 0 or the whole tree (nothing to prove).
    """
    size = len(leaf_hashes)
    if not 0 <= first <= size:
        raise ValueError(f"first size {first} is outside 0..{size}")
    if first in (0, size):
        return []
    return _subproof(leaf_hashes, first, 0, size, True)


def _subproof(leaves: Sequence[bytes], m: int, start: int, end: int, whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[start:end], whole) of RFC 9162 §2.1.4.1."""
    n = end - start
    if m == n:
        return [] if whole else [_subtree(leaves, start, end)]
    k = _split(n)
    if m <= k:
        proof = _subproof(leaves, m, start, start + k, whole)
        proof.append(_subtree(leaves, start + k, end))
    else:
        proof = _subproof(leaves, m - k, start + k, end, False)
        proof.append(_subtree(leaves, start, start + k))
    return proof


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise VerificationError(
            f"{what} is {len(value)} bytes, not a {HASH_SIZE}-byte SHA-256 hash"
        )


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` leads to from leaf hash ``leaf`` at ``index`` in a tree of ``size``.

    RFC 9162 §2.1.3.2, steps 1 to 5; a proof of the wrong length for the position fails.
    """
    if not 0 <= index < size:
        raise VerificationError(f"leaf index {index} is outside a tree of size {size}")
    _check_hash(leaf, "the leaf hash")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        _check_hash(p, "an inclusion proof node")
        if sn == 0:
            raise VerificationError(
                f"the inclusion proof for leaf {index} of {size} is too long ({len(proof)} nodes)"
            )
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError(
            f"the inclusion proof for leaf {index} of {size} is too short ({len(proof)} nodes)"
        )
    return r


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that leaf hash ``leaf`` is leaf ``index`` of the tree of ``size`` with ``root``."""
    _check_hash(root, "the root hash")
    computed = root_from_inclusion_proof(index, size, leaf, proof)
    if not hmac.compare_digest(computed, root):
        raise VerificationError(
            f"the inclusion proof for leaf {index} leads to root {computed.hex()}, "
            f"not the tree head's {root.hex()} (size {size})"
        )


def verify_consistency(
    first: int,
    second: int,
    first_root: bytes,
    second_root: bytes,
    proof: Sequence[bytes],
) -> None:
    """Check that the tree of size ``first`` and ``first_root`` is a prefix of ``second``'s.

    RFC 9162 §2.1.4.2. Equal sizes need equal roots and an empty proof; size 0 (the empty tree,
    whose root is :data:`EMPTY_ROOT`) is a prefix of every tree. Raises VerificationError naming
    both heads when the log forked or the proof is wrong.
    """
    _check_hash(first_root, "the first root hash")
    _check_hash(second_root, "the second root hash")
    heads = f"size {first} root {first_root.hex()} and size {second} root {second_root.hex()}"
    if not 0 <= first <= second:
        raise VerificationError(f"a log cannot shrink: {heads}")
    if first == 0:
        if proof or not hmac.compare_digest(first_root, EMPTY_ROOT):
            raise VerificationError(f"the empty tree has the empty root and no proof: {heads}")
        return
    if first == second:
        if proof or not hmac.compare_digest(first_root, second_root):
            raise VerificationError(f"two heads of the same size differ (a fork): {heads}")
        return
    if not proof:
        raise VerificationError(f"no consistency proof between {heads}")
    path = list(proof)
    for node in path:
        _check_hash(node, "a consistency proof node")
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError(f"the consistency proof is too long between {heads}")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError(f"the consistency proof is too short between {heads}")
    if not (hmac.compare_digest(fr, first_root) and hmac.compare_digest(sr, second_root)):
        raise VerificationError(f"the log is not consistent (a fork?) between {heads}")
