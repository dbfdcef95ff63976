"""``GET /blocked/{entry_id}``: the block page as the hotline itself serves it (public).

Members may send blocked visitors here instead of serving the page themselves. The page is the
one :mod:`hotlist.blockpage` renders at the edge, but from the entry's own record: its
category under the policy version it was decided with, and its ``legal_order`` (451). An entry
not in force answers 404, an id that is not 16 hex digits 400, each as a page in the visitor's
language. No URL of any entry is ever on it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse

from hotlist.blockpage import (
    RenderedPage,
    bad_entry_page,
    blocked_page,
    not_listed_page,
    parse_entry_ref,
)
from hotlist.errors import NotFound
from hotlist.publish.wire import parse_entry_id
from hotlist.server.entries import service as entries
from hotlist.server.entries.models import EntryState
from hotlist.server.kit.deps import DbSession, ServicesDep, require
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal
from hotlist.server.policies.models import PolicyVersion
from hotlist.server.policies.service import policy_of
from hotlist.server.publishing.edge_extras import public_policy

router = APIRouter(tags=["block page"])

Reader = Annotated[Principal, Depends(require(Permission.BLOCKPAGE_READ))]
EntryRef = Annotated[str, Path(max_length=64, description="The entry id: 16 hex digits.")]
Lang = Annotated[str | None, Query(max_length=35, description="A language tag to prefer.")]


def _response(page: RenderedPage) -> HTMLResponse:
    headers = {name: value for name, value in page.headers if name != "Content-Type"}
    return HTMLResponse(page.html, status_code=page.status, headers=headers)


@router.get(
    "/blocked/{entry_id}",
    response_class=HTMLResponse,
    summary="The block page for an entry (HTML, public)",
    responses={
        403: {"description": "Blocked under the entry"},
        451: {"description": "Blocked under the entry, because of a legal order"},
        404: {"description": "The entry is not in force"},
        400: {"description": "Not an entry id"},
    },
)
def block_page(
    entry_id: EntryRef,
    request: Request,
    services: ServicesDep,
    session: DbSession,
    _p: Reader,
    lang: Lang = None,
) -> HTMLResponse:
    """Who keeps the list, the entry's category and legal basis, its id and how to appeal;
    403, or 451 when the category's legal basis is a legal order."""
    catalogue = services.catalogues.get().choose(request.headers.get("accept-language"), lang)
    ref = parse_entry_ref(entry_id)
    if ref is None or not 0 < parse_entry_id(ref) <= entries.MAX_PUBLIC_ID:
        return _response(bad_entry_page(catalogue))
    try:
        entry = entries.get_by_public_id(session, parse_entry_id(ref))
    except NotFound:
        return _response(not_listed_page(ref, catalogue))
    if entry.state != EntryState.ACTIVE:
        return _response(not_listed_page(ref, catalogue))
    row = session.get_one(PolicyVersion, entry.policy_version_id)
    # This page is served here, so without a public URL its appeal link is this server's.
    public_url = services.settings.public_url or str(request.base_url)
    policy = public_policy(policy_of(row), row.version, public_url)
    return _response(blocked_page(policy, ref, entry.category_wire_id, catalogue))
