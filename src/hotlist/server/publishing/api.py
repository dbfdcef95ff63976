"""The signed list, read-only, for members: the TUF repository's static files under ``/v1/tuf/``.

The same files can be served by any static web server or CDN; this route adds the member's API
key check. Only ``metadata/`` and ``targets/`` are reachable, and no path leaves the repository.

``hosts.json`` is the one file with names in clear (the host-scope entries' expressions, for DNS
enforcement): members get it; anyone else needs what the expression endpoint needs
(``entries:read_expression``, which an observer holds only under its organisation's plaintext
grant), and an observer's view is logged. It is never cached.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from hotlist.errors import NotFound, PermissionDenied
from hotlist.publish.wire import HOSTS_EXTRA, extra_target
from hotlist.server.access_log.service import record_plaintext_access
from hotlist.server.kit.deps import DbSession, ServicesDep, holds, require
from hotlist.server.kit.paths import repository_paths
from hotlist.server.kit.permissions import Permission, Role
from hotlist.server.kit.principal import Principal

router = APIRouter(prefix="/v1/tuf", tags=["list"])

_TOP_LEVEL = ("metadata", "targets")
_PLAINTEXT_TARGETS = frozenset({extra_target(HOSTS_EXTRA)})
"""Targets holding names in clear."""
_HASH_PREFIX = re.compile(r"[0-9a-f]{64}\.")


def _resolve(repository: Path, path: str) -> Path:
    """The file ``path`` names inside the repository; NotFound for anything else, a NUL or
    control character or a name the file system cannot take included."""
    if any(ord(char) < 0x20 or char == "\x7f" for char in path):
        raise NotFound("no list file has a control character in its name")
    parts = Path(path).parts
    if not parts or parts[0] not in _TOP_LEVEL or any(p in ("..", ".") for p in parts):
        raise NotFound(f"no list file {path!r}: files live under metadata/ and targets/")
    root = repository.resolve()
    try:
        candidate = (root / path).resolve()
        found = candidate.is_relative_to(root) and candidate.is_file()
    except (OSError, ValueError):  # a name too long for the file system, for one
        found = False
    if not found:
        raise NotFound(f"no list file {path[:200]!r} (has the list been published?)")
    return candidate


@router.get(
    "/{path:path}",
    summary="A file of the signed list (TUF metadata or target)",
    response_class=FileResponse,
)
def tuf_file(
    path: str,
    session: DbSession,
    services: ServicesDep,
    principal: Annotated[Principal, Depends(require(Permission.LIST_SYNC))],
) -> FileResponse:
    """Metadata changes (``timestamp.json``, ``root.json``) are never cached; every other file
    carries its version or hash in its name and never changes; ``hosts.json`` is never kept."""
    repository = repository_paths(services.settings).repository
    file = _resolve(repository, path)
    plaintext = _target_name(repository, file) in _PLAINTEXT_TARGETS
    if plaintext:
        _check_plaintext(services, session, principal, file)
    mutable = file.name in ("timestamp.json", "root.json")
    if plaintext:
        cache = "no-store"
    else:
        cache = "no-cache" if mutable else "public, max-age=31536000, immutable"
    media = "application/json" if file.suffix == ".json" else "application/octet-stream"
    return FileResponse(file, media_type=media, headers={"Cache-Control": cache})


def _target_name(repository: Path, file: Path) -> str | None:
    """The TUF target name a file under ``targets/`` is stored for (its hash prefix off)."""
    try:
        parts = file.relative_to(repository.resolve() / "targets").parts
    except ValueError:
        return None
    return "/".join([*parts[:-1], _HASH_PREFIX.sub("", parts[-1], count=1)])


def _check_plaintext(
    services: ServicesDep, session: DbSession, principal: Principal, file: Path
) -> None:
    """Members enforce host names in DNS; anyone else needs the expression endpoint's right."""
    if principal.role is Role.MEMBER:
        return
    if not holds(services, principal, Permission.ENTRIES_READ_EXPRESSION):
        raise PermissionDenied(
            f"{HOSTS_EXTRA} holds host names in clear: it needs permission "
            f"{Permission.ENTRIES_READ_EXPRESSION.value!r}, which an observer organisation holds "
            "only under a plaintext grant; the rest of the list is open to you"
        )
    if principal.role is Role.OBSERVER:
        # The subject: the file's SHA-256 (its name's prefix), which names the version's file.
        digest = file.name.split(".", 1)[0]
        record_plaintext_access(session, principal, "list.hosts", "list_extra", digest[:64])
