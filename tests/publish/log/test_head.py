"""Signed tree heads: canonical signing bytes, the file format, verification, the log key."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hotlist.cli.main import app as cli
from hotlist.errors import ConfigError, VerificationError
from hotlist.publish.log.head import (
    SIGNING_TAG,
    SignedTreeHead,
    TreeHead,
    check_heads_consistent,
    ensure_log_key,
    key_id,
    load_log_key,
    load_public_key,
    public_key_pem,
    sign_head,
)
from hotlist.publish.log.merkle import consistency_proof, leaf_hash, root_hash

AT = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _head(size: int = 3) -> TreeHead:
    return TreeHead(
        size=size, root_hash=root_hash([leaf_hash(bytes([i])) for i in range(size)]), timestamp=AT
    )


def test_the_signed_bytes_are_a_tag_then_sorted_compact_json() -> None:
    head = _head()
    assert head.signing_bytes() == SIGNING_TAG + (
        b'{"root_hash":"' + head.root_hash.hex().encode() + b'","size":3,'
        b'"timestamp":"2026-11-24T07:30:00Z"}'
    )


def test_a_head_file_round_trips_and_verifies(key: Ed25519PrivateKey) -> None:
    signed = sign_head(_head(), key)
    data = signed.to_json()
    document = json.loads(data)
    assert set(document) == {"size", "root_hash", "timestamp", "key_id", "signature"}
    assert document["key_id"] == key_id(key.public_key())
    parsed = SignedTreeHead.from_json(data)
    assert parsed == signed
    assert parsed.verify(key.public_key()) == _head()
    public = load_public_key(public_key_pem(key.public_key()))
    assert parsed.verify(public) == _head()


@pytest.mark.parametrize(
    ("field", "value"),
    [("size", 4), ("root_hash", "00" * 32), ("timestamp", "2026-11-24T07:30:01Z")],
)
def test_any_changed_field_breaks_the_signature(
    key: Ed25519PrivateKey, field: str, value: object
) -> None:
    document = json.loads(sign_head(_head(), key).to_json())
    document[field] = value
    with pytest.raises(VerificationError, match="signature does not verify"):
        SignedTreeHead.from_json(json.dumps(document)).verify(key.public_key())


def test_another_key_is_named(key: Ed25519PrivateKey) -> None:
    other = Ed25519PrivateKey.generate()
    with pytest.raises(VerificationError, match="signed by key"):
        sign_head(_head(), other).verify(key.public_key())


@pytest.mark.parametrize(
    "data",
    [
        b"{",
        b"[]",
        b'{"size": 1}',
        b'{"size": -1, "root_hash": "", "timestamp": "", "key_id": "", "signature": ""}',
        b'{"size": 1, "root_hash": "zz", "timestamp": "2026-11-24T07:30:00Z", "key_id": "k",'
        b' "signature": ""}',
        b'{"size": true, "root_hash": "' + b"00" * 32 + b'", "timestamp": "2026-11-24T07:30:00Z",'
        b' "key_id": "k", "signature": "!!"}',
    ],
)
def test_malformed_head_files_are_refused(data: bytes) -> None:
    with pytest.raises(VerificationError):
        SignedTreeHead.from_json(data, "head.json")


@settings(max_examples=60)
@given(first=st.integers(0, 20), grow=st.integers(0, 20))
def test_heads_of_one_growing_log_are_consistent_and_a_rewrite_is_a_fork(
    first: int, grow: int
) -> None:
    leaves = [leaf_hash(bytes([i])) for i in range(first + grow)]
    held = TreeHead(size=first, root_hash=root_hash(leaves[:first]), timestamp=AT)
    offered = TreeHead(size=len(leaves), root_hash=root_hash(leaves), timestamp=AT)
    check_heads_consistent(held, offered, consistency_proof(leaves, first))
    if first:
        forked = [*leaves[: first - 1], leaf_hash(b"rewritten"), *leaves[first:]]
        offered_fork = TreeHead(size=len(forked), root_hash=root_hash(forked), timestamp=AT)
        with pytest.raises(VerificationError, match=f"size {first} root"):
            check_heads_consistent(held, offered_fork, consistency_proof(forked, first))
    if grow:
        with pytest.raises(VerificationError, match="shrank"):
            check_heads_consistent(offered, held, [])


def test_the_log_key_is_made_once_mode_0600(tmp_path: Path) -> None:
    path = ensure_log_key(tmp_path)
    assert path == tmp_path / "log.pem"
    assert os.stat(path).st_mode & 0o777 == 0o600
    first = load_log_key(tmp_path)
    ensure_log_key(tmp_path)
    assert key_id(load_log_key(tmp_path).public_key()) == key_id(first.public_key())
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_log_key(tmp_path)
    with pytest.raises(ConfigError, match="keys init"):
        load_log_key(tmp_path / "missing")


def test_keys_init_makes_the_log_key(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["keys", "init", "--keys", str(tmp_path / "keys")])
    assert result.exit_code == 0, result.output
    assert "log" in result.output
    load_log_key(tmp_path / "keys")


def test_signatures_are_base64_of_64_bytes(key: Ed25519PrivateKey) -> None:
    document = json.loads(sign_head(_head(), key).to_json())
    assert len(base64.b64decode(document["signature"])) == 64
