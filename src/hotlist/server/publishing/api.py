"""The signed list, read-only, for members: the TUF repository's static files under ``/v1/tuf/``.

The same files can be served by any static web server or CDN; this route adds the member's API
key check. Only ``metadata/`` and ``targets/`` are reachable, and no path leaves the repository.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from hotlist.errors import NotFound
from hotlist.server.kit.deps import ServicesDep, require
from hotlist.server.kit.paths import repository_paths
from hotlist.server.kit.permissions import Permission
from hotlist.server.kit.principal import Principal

router = APIRouter(prefix="/v1/tuf", tags=["list"])

_TOP_LEVEL = ("metadata", "targets")


def _resolve(repository: Path, path: str) -> Path:
    """The file ``path`` names inside the repository; NotFound for anything else."""
    parts = Path(path).parts
    if not parts or parts[0] not in _TOP_LEVEL or any(p in ("..", ".") for p in parts):
        raise NotFound(f"no list file {path!r}: files live under metadata/ and targets/")
    root = repository.resolve()
    candidate = (root / path).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        raise NotFound(f"no list file {path!r} (has the list been published?)")
    return candidate


@router.get(
    "/{path:path}",
    summary="A file of the signed list (TUF metadata or target)",
    response_class=FileResponse,
)
def tuf_file(
    path: str,
    services: ServicesDep,
    _principal: Annotated[Principal, Depends(require(Permission.LIST_SYNC))],
) -> FileResponse:
    """Metadata changes (``timestamp.json``, ``root.json``) are never cached; every other file
    carries its version or hash in its name and never changes."""
    repository = repository_paths(services.settings).repository
    file = _resolve(repository, path)
    mutable = file.name in ("timestamp.json", "root.json")
    cache = "no-cache" if mutable else "public, max-age=31536000, immutable"
    media = "application/json" if file.suffix == ".json" else "application/octet-stream"
    return FileResponse(file, media_type=media, headers={"Cache-Control": cache})
