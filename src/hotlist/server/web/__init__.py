"""The hotline's HTML pages: the public's (report, appeal, transparency) and the staff's.

Server-rendered Jinja2 templates in the shared layout (``templates/base.html``), one small CSS
file and htmx vendored under ``static/``, sessions, CSRF and security headers in
:mod:`~hotlist.server.web.security`, languages in :mod:`~hotlist.server.web.i18n`. Pages call
the domain services directly with the session's principal; see ``docs/web.md``.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from hotlist.server.config import Settings
from hotlist.server.web.auth.service import new_alarm
from hotlist.server.web.auth.throttle import address_throttle
from hotlist.server.web.error_pages import install_page_error_handlers
from hotlist.server.web.i18n import Languages
from hotlist.server.web.security import WebSecurity, WebSecurityMiddleware
from hotlist.server.web.services import WebServices

STATIC_PATH = "/static"


def install_web(app: FastAPI, settings: Settings) -> None:
    """Sessions, security headers, languages, static files and HTML error pages on ``app``
    (its pages' routers are included by :func:`hotlist.server.app.create_app`)."""
    security = WebSecurity.from_settings(settings)
    app.state.web = WebServices(
        security=security,
        languages=Languages.packaged(),
        login_throttle=address_throttle(),
        login_alarm=new_alarm(),
    )
    app.add_middleware(WebSecurityMiddleware, security=security)
    app.mount(STATIC_PATH, StaticFiles(packages=[("hotlist.server.web", "static")]), name="static")
    install_page_error_handlers(app)
