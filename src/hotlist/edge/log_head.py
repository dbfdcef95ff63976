"""The edge's check of the log's signed tree head that travels with each list version.

The rule for the extra ``log/head.json`` (:data:`hotlist.edge.sync.EXTRA_RULES`); sync runs it
before installing a new version:

1. The head's signature must verify with the log key. The key (extra ``log/key.pub``) is trusted
   on first use: the first list that carries it pins it in the store; a later version with
   another key is refused (a log key rotation means members re-initialise their store).
2. With a head already held, the offered head must extend it: same size, same root; larger, a
   consistency proof fetched from the hotline server (``/v1/log/proof/consistency`` with the
   member's key) must verify against both signed roots. Anything else is a fork: the sync fails
   closed naming both heads, and the list in force stays.

The head is installed with the list (``extras/log/head.json`` in the store), atomically with it.
"""

from __future__ import annotations

from collections.abc import Mapping

from hotlist.edge.extras import ExtraContext, ExtraRule
from hotlist.edge.log_client import LogClient
from hotlist.errors import NotFound, PermissionDenied, SyncError, VerificationError
from hotlist.publish.log.head import (
    SignedTreeHead,
    TreeHead,
    check_heads_consistent,
    load_public_key,
)
from hotlist.publish.wire import LOG_HEAD_EXTRA, LOG_KEY_EXTRA


def held_head(context: ExtraContext) -> TreeHead | None:
    """The verified head of the list in force, or None when it carries none."""
    data = context.store.read_extra(LOG_HEAD_EXTRA)
    key = context.store.read_extra(LOG_KEY_EXTRA)
    if data is None or key is None:
        return None
    signed = SignedTreeHead.from_json(data, "the log head held here")
    return signed.verify(load_public_key(key, "the log key held here"))


def check_log_head(context: ExtraContext, data: bytes, extras: Mapping[str, bytes]) -> None:
    """Refuse a new version whose log head is unsigned, signed by another key, or a fork."""
    offered_key = extras.get(LOG_KEY_EXTRA)
    if offered_key is None:
        raise VerificationError("the list carries a log head but not the log key (log/key.pub)")
    pinned = context.store.read_extra(LOG_KEY_EXTRA)
    if pinned is not None and pinned != offered_key:
        raise VerificationError(
            "the log key changed since the last sync; if the hotline announced a rotation, "
            "re-initialise this store (`hotlist edge init`), else report it to the hotline"
        )
    key = load_public_key(offered_key, "the list's log key")
    offered = SignedTreeHead.from_json(data, "the list's log head").verify(key)
    held = held_head(context)
    if held is None:
        return
    proof: list[bytes] = []
    if held.size not in (0, offered.size) and offered.size > held.size:
        proof = fetch_consistency_proof(context, held.size, offered.size)
    check_heads_consistent(held, offered, proof)


def fetch_consistency_proof(context: ExtraContext, first: int, second: int) -> list[bytes]:
    """The server's consistency proof between two sizes (unverified: the caller checks it)."""
    if context.api_base is None:
        raise VerificationError(
            f"cannot check that the log grew consistently (size {first} to {second}): the list "
            "does not come from a hotline server's /v1/tuf/, so there is no proof to fetch"
        )
    client = LogClient(context.api_base, context.api_key)
    try:
        return client.consistency_proof(first, second)
    except (NotFound, PermissionDenied) as exc:
        raise SyncError(f"cannot fetch the log's consistency proof: {exc.message}") from exc
    finally:
        client.close()


LOG_HEAD_RULE = ExtraRule(check_log_head, kept=True)
"""The log head's rule: checked on every new version, and never dropped once held."""
