"""``/v1/log``: the transparency log's leaves, inclusion and consistency proofs, the signed head.

Everything here is read-only and needs ``log:read`` (members, observers, staff, partners).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from hotlist.errors import NotFound
from hotlist.publish.log.head import sign_head
from hotlist.server.kit.deps import DbSession, ServicesDep, require
from hotlist.server.kit.paths import repository_paths
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal
from hotlist.server.log import service
from hotlist.server.log.schemas import (
    ConsistencyProofOut,
    InclusionProofOut,
    LeafOut,
    LeavesOut,
    SignedTreeHeadOut,
)
from hotlist.server.log.signing import log_key

router = APIRouter(prefix="/v1/log", tags=["log"])

LogReader = Annotated[Principal, Depends(require(Permission.LOG_READ))]
Index = Annotated[int, Query(ge=0, le=2**62)]


@router.get("/head", response_model=SignedTreeHeadOut, summary="The log's signed tree head now")
def head(services: ServicesDep, session: DbSession, _p: LogReader) -> SignedTreeHeadOut:
    """The whole log's size and root, signed now with the log key (see docs/log.md)."""
    key = log_key(repository_paths(services.settings).keys)
    return SignedTreeHeadOut.of(sign_head(service.tree_head(session), key))


@router.get("/entries", response_model=LeavesOut, summary="Leaves of the log, in order")
def entries(
    session: DbSession, _p: LogReader, start: Index = 0, end: Index | None = None
) -> LeavesOut:
    """Leaves ``start`` to ``end`` (exclusive), at most 1000 a page; ``next_start`` goes on."""
    size = service.size(session)
    if end is not None and end < start:
        raise NotFound(f"no leaves from {start} to the smaller {end}")
    leaves = service.entries(session, start, end)
    stop = min(size, end if end is not None else size)
    reached = start + len(leaves)
    return LeavesOut(
        tree_size=size,
        entries=[LeafOut.of(leaf) for leaf in leaves],
        next_start=reached if reached < stop else None,
    )


@router.get(
    "/proof/inclusion", response_model=InclusionProofOut, summary="A leaf's inclusion proof"
)
def inclusion(
    session: DbSession, _p: LogReader, leaf_index: Index, tree_size: Index
) -> InclusionProofOut:
    """The audit path of leaf ``leaf_index`` in the tree of ``tree_size`` leaves."""
    found = service.prove_inclusion(session, leaf_index, tree_size)
    return InclusionProofOut(
        leaf_index=leaf_index,
        tree_size=tree_size,
        leaf_hash=found.leaf_hash.hex(),
        root_hash=found.root_hash.hex(),
        proof=[node.hex() for node in found.proof],
    )


@router.get(
    "/proof/consistency",
    response_model=ConsistencyProofOut,
    summary="A consistency proof between two tree sizes",
)
def consistency(
    session: DbSession, _p: LogReader, first: Index, second: Index
) -> ConsistencyProofOut:
    """The proof that the tree of ``first`` leaves is a prefix of the tree of ``second``."""
    found = service.prove_consistency(session, first, second)
    return ConsistencyProofOut(
        first=first,
        second=second,
        first_root_hash=found.first_root_hash.hex(),
        second_root_hash=found.second_root_hash.hex(),
        proof=[node.hex() for node in found.proof],
    )
