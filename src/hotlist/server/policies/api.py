"""``/v1/policy``: the policy in force, its history, and loading a new one (YAML); and the
shared-hosting list routes that decide on host scope depend on (:func:`shared_hosting`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from hotlist.errors import InvalidPolicy
from hotlist.policy import SharedHostingList
from hotlist.policy.loader import MAX_POLICY_BYTES
from hotlist.server.db.base import MAX_ID
from hotlist.server.kit.deps import DbSession, ServicesDep, require
from hotlist.server.kit.pagination import Cursor, Limit, Page, decode_id_cursor, split_page
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal
from hotlist.server.policies import service
from hotlist.server.policies.schemas import PolicyLoaded, PolicyVersionOut, PolicyVersionSummary
from hotlist.server.policies.shared_hosting import shared_hosting_list
from hotlist.server.problems import problem

router = APIRouter(prefix="/v1", tags=["policy"])

PolicyReader = Annotated[Principal, Depends(require(Permission.POLICY_READ))]
PolicyWriter = Annotated[Principal, Depends(require(Permission.POLICY_WRITE))]

YAML_BODY = {
    "requestBody": {
        "required": True,
        "description": "The policy file (YAML); see docs/policy.md.",
        "content": {"application/yaml": {"schema": {"type": "string"}}},
    }
}


def shared_hosting(services: ServicesDep) -> SharedHostingList:
    """The shared-hosting list in force for the app's settings (see
    :mod:`hotlist.server.policies.shared_hosting`)."""
    return shared_hosting_list(services.settings)


async def _yaml_body(request: Request) -> bytes:
    return await request.body()


@router.get("/policy", response_model=PolicyVersionOut, summary="The policy in force")
def get_policy(session: DbSession, _p: PolicyReader) -> PolicyVersionOut:
    """The current policy version, with its categories and legal basis."""
    return PolicyVersionOut.model_validate(service.current(session))


@router.get(
    "/policy/versions", response_model=Page[PolicyVersionSummary], summary="Every policy version"
)
def list_versions(
    session: DbSession, _p: PolicyReader, cursor: Cursor = None, limit: Limit = 50
) -> Page[PolicyVersionSummary]:
    """Policy versions, oldest first, without their documents."""
    rows = service.list_versions(session, decode_id_cursor(cursor), limit + 1)
    page, next_cursor = split_page(rows, limit, lambda row: (row.version,))
    items = [PolicyVersionSummary.model_validate(row) for row in page]
    return Page[PolicyVersionSummary](items=items, next_cursor=next_cursor)


@router.get(
    "/policy/versions/{version}", response_model=PolicyVersionOut, summary="One policy version"
)
def get_version(
    version: Annotated[int, Path(ge=1, le=MAX_ID)], session: DbSession, _p: PolicyReader
) -> PolicyVersionOut:
    """The policy version numbered ``version``, as entries decided under it cite it."""
    return PolicyVersionOut.model_validate(service.get_version(session, version))


@router.post(
    "/policy",
    response_model=PolicyLoaded,
    status_code=201,
    summary="Load a policy (YAML)",
    openapi_extra=YAML_BODY,
    responses={200: {"model": PolicyLoaded, "description": "Same as the policy in force."}},
)
def load_policy(
    body: Annotated[bytes, Depends(_yaml_body)],
    session: DbSession,
    principal: PolicyWriter,
    response: Response,
) -> PolicyLoaded | Response:
    """Validate the policy; a changed one becomes a new version (201), the same one is a 200.

    A policy with mistakes is a 422 whose ``errors`` list each mistake with its location.
    """
    if len(body) > MAX_POLICY_BYTES:
        return problem(413, f"the policy is larger than {MAX_POLICY_BYTES} bytes")
    try:
        row, created = service.load(session, body, by=principal.user_id)
    except InvalidPolicy as exc:
        errors = [_error(line) for line in exc.problems]
        return problem(422, exc.message, errors=errors)
    if not created:
        response.status_code = 200
    return PolicyLoaded(created=created, version=PolicyVersionOut.model_validate(row))


def _error(line: str) -> dict[str, str]:
    loc, _, msg = line.partition(": ")
    return {"loc": loc, "msg": msg}
