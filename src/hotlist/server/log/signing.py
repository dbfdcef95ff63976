"""The server's log key (``<keys dir>/log.pem``, made on first use) and the signed head extras.

Every list version carries the log's signed tree head and the log's public key as extras
(``log/head.json``, ``log/key.pub``, named in :mod:`hotlist.publish.wire`), signed with the list by
TUF, so a member verifies both.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from hotlist.publish.log.head import ensure_log_key, load_log_key, public_key_pem, sign_head
from hotlist.publish.wire import LOG_HEAD_EXTRA, LOG_KEY_EXTRA
from hotlist.server.log.service import tree_head


def log_key(keys_dir: Path) -> Ed25519PrivateKey:
    """The log's signing key, made (mode 0600) in ``keys_dir`` when there is none."""
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    ensure_log_key(keys_dir)
    return load_log_key(keys_dir)


def head_extras(session: Session, keys_dir: Path) -> dict[str, bytes]:
    """The extras of a list version: the whole log's signed head and the log's public key."""
    key = log_key(keys_dir)
    signed = sign_head(tree_head(session), key)
    return {LOG_HEAD_EXTRA: signed.to_json(), LOG_KEY_EXTRA: public_key_pem(key.public_key())}
