"""The server's log key: ``<keys dir>/log.pem``, made on first use like the list's keys."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hotlist.publish.log.head import ensure_log_key, load_log_key
from hotlist.server.config import Settings
from hotlist.server.publishing.service import repository_paths


def log_key(settings: Settings) -> Ed25519PrivateKey:
    """The log's signing key, made (mode 0600) in the keys directory when there is none."""
    keys = repository_paths(settings).keys
    keys.mkdir(mode=0o700, parents=True, exist_ok=True)
    ensure_log_key(keys)
    return load_log_key(keys)
