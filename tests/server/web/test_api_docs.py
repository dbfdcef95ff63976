"""``/docs``: the API explorer needs nothing but this server (no CDN, no outside favicon) and
keeps the pages' Content-Security-Policy."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from starlette.testclient import TestClient

from hotlist.server.web.security import CONTENT_SECURITY_POLICY


class _Links(HTMLParser):
    """Every URL a page makes the browser load, and the text of any inline script."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href", "data-openapi"):
            if values.get(name):
                self.urls.append(str(values[name]))
        self._in_script = tag == "script"
        if tag == "script" and "src" not in values:
            self.inline_scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


def test_the_explorer_loads_only_what_this_server_serves(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    links = _Links()
    links.feed(response.text)
    assert links.inline_scripts == []  # the CSP would refuse them
    assert "style=" not in response.text
    assert len(links.urls) >= 5  # icon, style, Swagger UI, its start script, the API's document
    for url in links.urls:
        assert url.startswith("/"), url
        assert not url.startswith("//"), url
        served = client.get(url)
        assert served.status_code == 200, url
        assert served.content, url
    assert "/openapi.json" in links.urls
    assert not re.search(r"https?://", response.text)


def test_the_explorer_serves_only_its_own_files(client: TestClient) -> None:
    assert (
        client.get("/docs/assets/swagger-ui-bundle.js")
        .headers["content-type"]
        .startswith("text/javascript")
    )
    for name in ("index.html", "swagger-initializer.js", "../__init__.py", "oauth2-redirect.html"):
        assert client.get(f"/docs/assets/{name}").status_code == 404, name


def test_redoc_and_the_oauth_redirect_are_gone(client: TestClient) -> None:
    assert client.get("/redoc").status_code == 404
    assert client.get("/docs/oauth2-redirect").status_code == 404
