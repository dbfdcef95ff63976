"""The API explorer at ``/docs``: Swagger UI from the package itself, under the pages' CSP.

FastAPI's own ``/docs`` loads Swagger UI from a CDN and its favicon from FastAPI's website, so
without internet it is a blank page, and its inline script needs the Content-Security-Policy
lifted. Here the page is plain HTML whose every URL is on this server: Swagger UI's script and
style from the ``swagger-ui-bundle`` package (under :data:`ASSETS_PATH`), and the few lines that
start it in ``static/api-docs.js``. ReDoc (``/redoc``), which also came from a CDN, is left out.
"""

from __future__ import annotations

from importlib.resources.abc import Traversable

from fastapi import FastAPI
from markupsafe import escape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from swagger_ui_bundle import swagger_ui_path

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"
ASSETS: dict[str, str] = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
"""The files of Swagger UI the page loads, and their types; nothing else of the bundle is served."""

_BUNDLE: Traversable = swagger_ui_path
_CACHE = "public, max-age=86400"


def docs_page(app: FastAPI) -> str:
    """The explorer's HTML: only same-origin URLs, no inline script or style."""
    title = escape(f"{app.title} {app.version}: API")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<link rel="icon" type="image/png" href="{ASSETS_PATH}/favicon-32x32.png">
<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css">
</head>
<body>
<main id="swagger-ui" data-openapi="{escape(app.openapi_url or "")}"></main>
<script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


async def _docs(request: Request) -> Response:
    return HTMLResponse(docs_page(request.app))


async def _asset(request: Request) -> Response:
    name = request.path_params["name"]
    media_type = ASSETS.get(name)
    if media_type is None:
        raise HTTPException(404, "no such file of the API explorer")
    data = _BUNDLE.joinpath(name).read_bytes()
    return Response(data, media_type=media_type, headers={"cache-control": _CACHE})


def install_api_docs(app: FastAPI) -> None:
    """Serve the explorer at ``/docs`` (made with ``docs_url=None``, ``redoc_url=None``)."""
    app.add_route(DOCS_PATH, _docs, methods=["GET"], include_in_schema=False)
    app.add_route(ASSETS_PATH + "/{name}", _asset, methods=["GET"], include_in_schema=False)
