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
from typing import Protocol

from hotlist.errors import VerificationError
from hotlist.publish.wire import HASH_SIZE

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


CHUNK = 256
"""Complete, aligned subtrees of at least this many leaves may be kept by a :class:`LeafSource`;
smaller ones are hashed from their leaves."""


class LeafSource(Protocol):
    """Where tree computations read leaf hashes, and may keep hashes of complete subtrees.

    A subtree of ``size`` leaves (a power of two, at least :data:`CHUNK`) starting at ``start``
    (a multiple of ``size``) never changes in an append-only log, so a source may remember it.
    """

    def leaves(self, start: int, end: int) -> Sequence[bytes]:
        """The leaf hashes ``start`` to ``end`` (exclusive)."""
        ...

    def subtree(self, start: int, size: int) -> bytes | None:
        """A remembered complete subtree's hash, or None."""
        ...

    def remember(self, start: int, size: int, value: bytes) -> None:
        """Keep a complete subtree's hash (a source may ignore it)."""
        ...


class ListSource:
    """Leaf hashes in memory; remembers nothing."""

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        self._leaves = leaf_hashes

    def leaves(self, start: int, end: int) -> Sequence[bytes]:
        return self._leaves[start:end]

    def subtree(self, start: int, size: int) -> bytes | None:
        return None

    def remember(self, start: int, size: int, value: bytes) -> None:
        return None


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (``n`` >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _mth(leaves: Sequence[bytes], start: int, end: int) -> bytes:
    """MTH of ``leaves[start:end]`` (leaf hashes in memory)."""
    n = end - start
    if n == 1:
        return leaves[start]
    k = _split(n)
    return node_hash(_mth(leaves, start, start + k), _mth(leaves, start + k, end))


def _mth_keeping(
    source: LeafSource, leaves: Sequence[bytes], offset: int, lo: int, hi: int
) -> bytes:
    """MTH of ``leaves[lo:hi]`` (leaf ``offset + lo`` onwards), remembering complete subtrees."""
    n = hi - lo
    if n <= CHUNK:
        return _mth(leaves, lo, hi)
    k = _split(n)
    value = node_hash(
        _mth_keeping(source, leaves, offset, lo, lo + k),
        _mth_keeping(source, leaves, offset, lo + k, hi),
    )
    if n & (n - 1) == 0:
        source.remember(offset + lo, n, value)
    return value


def _subtree(source: LeafSource, start: int, end: int) -> bytes:
    """MTH of leaves ``start`` to ``end``, from remembered subtrees where the source has them."""
    n = end - start
    complete = n >= CHUNK and n & (n - 1) == 0
    if complete:
        kept = source.subtree(start, n)
        if kept is not None:
            return kept
    if n <= CHUNK:
        value = _mth(source.leaves(start, end), 0, n)
    elif complete:
        # Nothing kept for this subtree: read its leaves at once, keep its complete parts.
        value = _mth_keeping(source, source.leaves(start, end), start, 0, n)
    else:
        k = _split(n)
        value = node_hash(_subtree(source, start, start + k), _subtree(source, start + k, end))
    if complete:
        source.remember(start, n, value)
    return value


def tree_root(source: LeafSource, size: int) -> bytes:
    """MTH(D[size]) over the first ``size`` leaves of ``source``."""
    return EMPTY_ROOT if size == 0 else _subtree(source, 0, size)


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) for the tree whose leaves hash to ``leaf_hashes``."""
    return tree_root(ListSource(leaf_hashes), len(leaf_hashes))


def tree_inclusion_proof(source: LeafSource, size: int, index: int) -> list[bytes]:
    """PATH(index, D[size]) (RFC 9162 §2.1.3.1): the audit path of leaf ``index``, leaf first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index - start < k:
            path.append(_subtree(source, start + k, end))
            end = start + k
        else:
            path.append(_subtree(source, start, start + k))
            start += k
    path.reverse()
    return path


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]) over leaf hashes in memory (see :func:`tree_inclusion_proof`)."""
    return tree_inclusion_proof(ListSource(leaf_hashes), len(leaf_hashes), index)


def tree_consistency_proof(source: LeafSource, size: int, first: int) -> list[bytes]:
    """PROOF(first, D[size]) (RFC 9162 §2.1.4.1): the tree of ``first`` leaves is a prefix.

    Empty when ``first`` is 0 or the whole tree (nothing to prove).
    """
    if not 0 <= first <= size:
        raise ValueError(f"first size {first} is outside 0..{size}")
    if first in (0, size):
        return []
    return _subproof(source, first, 0, size, True)


def consistency_proof(leaf_hashes: Sequence[bytes], first: int) -> list[bytes]:
    """PROOF(first, D[n]) over leaf hashes in memory (see :func:`tree_consistency_proof`)."""
    return tree_consistency_proof(ListSource(leaf_hashes), len(leaf_hashes), first)


def _subproof(source: LeafSource, m: int, start: int, end: int, whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[start:end], whole) of RFC 9162 §2.1.4.1."""
    n = end - start
    if m == n:
        return [] if whole else [_subtree(source, start, end)]
    k = _split(n)
    if m <= k:
        proof = _subproof(source, m, start, start + k, whole)
        proof.append(_subtree(source, start + k, end))
    else:
        proof = _subproof(source, m - k, start + k, end, False)
        proof.append(_subtree(source, start, start + k))
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
