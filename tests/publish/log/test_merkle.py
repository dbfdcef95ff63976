"""RFC 9162 / RFC 6962 Merkle hashing against the published 8-leaf test vectors, plus properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotlist.errors import VerificationError
from hotlist.publish.log.merkle import (
    CHUNK,
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
    tree_consistency_proof,
    tree_inclusion_proof,
    tree_root,
    verify_consistency,
    verify_inclusion,
)

# The test vectors of RFC 6962 implementations (certificate-transparency, Trillian).
LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
HASHES = [leaf_hash(leaf) for leaf in LEAVES]


def _root(size: int) -> bytes:
    return bytes.fromhex(ROOTS[size])


@pytest.mark.parametrize("size", range(len(ROOTS)))
def test_root_of_each_prefix_matches_the_vector(size: int) -> None:
    assert root_hash(HASHES[:size]).hex() == ROOTS[size]


def test_empty_root_is_sha256_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == ROOTS[0]


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_proof_matches_the_vector_and_verifies(
    index: int, size: int, path: list[str]
) -> None:
    proof = inclusion_proof(HASHES[:size], index)
    assert [node.hex() for node in proof] == path
    verify_inclusion(index, size, HASHES[index], proof, _root(size))


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_vector_fails_for_another_position_or_leaf(
    index: int, size: int, path: list[str]
) -> None:
    proof = [bytes.fromhex(node) for node in path]
    for other_index, other_size in [(index + 1, size), (index, size * 2), (index ^ 2, size)]:
        with pytest.raises(VerificationError):
            verify_inclusion(other_index, other_size, HASHES[index], proof, _root(size))
    with pytest.raises(VerificationError):
        verify_inclusion(index, size, leaf_hash(b"wrong leaf"), proof, _root(size))
    with pytest.raises(VerificationError):
        verify_inclusion(index, size, HASHES[index], [*proof, _root(size)], _root(size))
    if proof:
        with pytest.raises(VerificationError):
            verify_inclusion(index, size, HASHES[index], proof[:-1], _root(size))


@pytest.mark.parametrize(("first", "second", "path"), CONSISTENCY)
def test_consistency_proof_matches_the_vector_and_verifies(
    first: int, second: int, path: list[str]
) -> None:
    proof = consistency_proof(HASHES[:second], first)
    assert [node.hex() for node in proof] == path
    verify_consistency(first, second, _root(first), _root(second), proof)


@pytest.mark.parametrize(("first", "second", "path"), CONSISTENCY[1:])
def test_consistency_vector_fails_for_other_sizes_or_roots(
    first: int, second: int, path: list[str]
) -> None:
    proof = [bytes.fromhex(node) for node in path]
    for other_first, other_second in [
        (first - 1, second),
        (first + 1, second),
        (first, second * 2),
        (first ^ 2, second),
    ]:
        with pytest.raises(VerificationError):
            verify_consistency(other_first, other_second, _root(first), _root(second), proof)
    with pytest.raises(VerificationError):
        verify_consistency(first, second, _root(second), _root(first), proof)
    with pytest.raises(VerificationError):
        verify_consistency(first, second, _root(first), _root(second), [])
    with pytest.raises(VerificationError, match=f"size {first} root"):
        verify_consistency(first, second, _root(first), _root(second), proof[:-1])


def test_equal_sizes_need_equal_roots_and_no_proof() -> None:
    verify_consistency(3, 3, _root(3), _root(3), [])
    with pytest.raises(VerificationError, match="fork"):
        verify_consistency(3, 3, _root(3), _root(4), [])
    with pytest.raises(VerificationError):
        verify_consistency(3, 3, _root(3), _root(3), [_root(3)])


def test_the_empty_tree_is_a_prefix_of_any_tree_and_a_log_cannot_shrink() -> None:
    verify_consistency(0, 8, EMPTY_ROOT, _root(8), [])
    with pytest.raises(VerificationError):
        verify_consistency(0, 8, _root(1), _root(8), [])
    with pytest.raises(VerificationError, match="shrink"):
        verify_consistency(8, 7, _root(8), _root(7), [])


def test_malformed_hashes_and_positions_are_refused() -> None:
    with pytest.raises(VerificationError, match="32-byte"):
        verify_inclusion(0, 1, b"short", [], _root(1))
    with pytest.raises(VerificationError, match="outside"):
        verify_inclusion(1, 1, HASHES[1], [], _root(1))
    with pytest.raises(ValueError, match="outside"):
        inclusion_proof(HASHES, 8)
    with pytest.raises(ValueError, match="outside"):
        consistency_proof(HASHES, 9)


leaf_lists = st.lists(st.binary(max_size=8), min_size=1, max_size=40)


@settings(max_examples=150)
@given(leaves=leaf_lists, data=st.data())
def test_every_generated_inclusion_proof_verifies_and_tampering_fails(
    leaves: list[bytes], data: st.DataObject
) -> None:
    hashes = [leaf_hash(leaf) for leaf in leaves]
    size = data.draw(st.integers(1, len(hashes)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    root = root_hash(hashes[:size])
    proof = inclusion_proof(hashes[:size], index)
    verify_inclusion(index, size, hashes[index], proof, root)
    if proof:
        at = data.draw(st.integers(0, len(proof) - 1), label="node")
        bit = data.draw(st.integers(0, 255), label="bit")
        tampered = list(proof)
        tampered[at] = bytes([tampered[at][0] ^ (1 << (bit % 8))]) + tampered[at][1:]
        with pytest.raises(VerificationError):
            verify_inclusion(index, size, hashes[index], tampered, root)
    with pytest.raises(VerificationError):
        verify_inclusion(index, size, leaf_hash(leaves[index] + b"x"), proof, root)


@settings(max_examples=150)
@given(leaves=leaf_lists, data=st.data())
def test_every_generated_consistency_proof_verifies_and_a_fork_fails(
    leaves: list[bytes], data: st.DataObject
) -> None:
    hashes = [leaf_hash(leaf) for leaf in leaves]
    second = len(hashes)
    first = data.draw(st.integers(1, second), label="first")
    proof = consistency_proof(hashes, first)
    verify_consistency(first, second, root_hash(hashes[:first]), root_hash(hashes), proof)
    # A fork: the first tree's last leaf rewritten. Its head cannot be proved a prefix.
    forked = [*hashes[: first - 1], leaf_hash(leaves[first - 1] + b"forked")]
    with pytest.raises(VerificationError):
        verify_consistency(first, second, root_hash(forked), root_hash(hashes), proof)
    if proof:
        at = data.draw(st.integers(0, len(proof) - 1), label="node")
        tampered = list(proof)
        tampered[at] = bytes([tampered[at][0] ^ 1]) + tampered[at][1:]
        with pytest.raises(VerificationError):
            verify_consistency(
                first, second, root_hash(hashes[:first]), root_hash(hashes), tampered
            )


class KeepingSource:
    """A leaf source that keeps every complete subtree it is given, like the server's."""

    def __init__(self, leaf_hashes: list[bytes]) -> None:
        self.leaf_hashes = leaf_hashes
        self.kept: dict[tuple[int, int], bytes] = {}

    def leaves(self, start: int, end: int) -> list[bytes]:
        return self.leaf_hashes[start:end]

    def subtree(self, start: int, size: int) -> bytes | None:
        return self.kept.get((start, size))

    def remember(self, start: int, size: int, value: bytes) -> None:
        assert size >= CHUNK
        assert size & (size - 1) == 0
        assert start % size == 0
        self.kept[(start, size)] = value


@settings(max_examples=15, deadline=None)
@given(size=st.integers(1, 5 * CHUNK), data=st.data())
def test_kept_subtrees_change_no_root_and_no_proof(size: int, data: st.DataObject) -> None:
    hashes = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    source = KeepingSource(hashes)
    first = data.draw(st.integers(0, size), label="first")
    index = data.draw(st.integers(0, size - 1), label="index")
    for _cold_then_kept in range(2):
        assert tree_root(source, size) == root_hash(hashes)
        assert tree_root(source, first) == root_hash(hashes[:first])
        assert tree_inclusion_proof(source, size, index) == inclusion_proof(hashes, index)
        assert tree_consistency_proof(source, size, first) == consistency_proof(hashes, first)
    if size >= CHUNK:
        assert source.kept
