"""``render(request, template, **context)``: a page from a Jinja2 template, in the visitor's
language, with what every page needs (the CSRF field, the language switch, the signed-in user).

Templates live in ``hotlist/server/web/templates`` and extend ``base.html``. Text to translate is
written ``{% trans %}...{% endtrans %}`` or ``{{ _("...") }}``; Python code translates with
:func:`translator`. Autoescaping is on everywhere.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from hotlist import __version__
from hotlist.server.kit.principal import Principal
from hotlist.server.web.i18n import LANG_COOKIE, LANG_PARAM, Language, Languages
from hotlist.server.web.security import (
    CSRF_FIELD,
    cookie_is_secure,
    session_state,
    set_cookie_header,
)
from hotlist.server.web.services import web_services
from hotlist.text import plural

LANG_COOKIE_MAX_AGE = 365 * 24 * 3600
_ENGLISH = gettext.NullTranslations()
_current: ContextVar[gettext.NullTranslations | None] = ContextVar(
    "hotlist_web_translations", default=None
)


def _gettext(message: str) -> str:
    return (_current.get() or _ENGLISH).gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return (_current.get() or _ENGLISH).ngettext(singular, plural, n)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("hotlist.server.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        _gettext, _ngettext, newstyle=True
    )
    env.globals["plural"] = plural  # English counts on the staff pages ("1 day", "2 days")
    return env


ENVIRONMENT = _environment()
"""The pages' Jinja2 environment (one per process; templates are cached)."""


def languages(request: Request) -> Languages:
    """The app's languages (loaded once at start)."""
    return web_services(request).languages


def language_of(request: Request) -> str:
    """The language code of this request's page (chosen once, then remembered)."""
    code = getattr(request.state, "web_language", None)
    if not isinstance(code, str):
        code = languages(request).choose(request)
        request.state.web_language = code
    return code


def translator(request: Request) -> gettext.NullTranslations:
    """The gettext translations of this request's language, for text made in Python."""
    return languages(request).translations(language_of(request))


@contextmanager
def speaking(translations: gettext.NullTranslations) -> Iterator[None]:
    """Templates rendered inside the block use ``translations``."""
    token = _current.set(translations)
    try:
        yield
    finally:
        _current.reset(token)


def csrf_token(request: Request) -> str:
    """This session's CSRF token (the session starts now if there was none)."""
    return session_state(request).ensure().csrf


def static_url(path: str) -> str:
    """The address of a static file, versioned so a new release is never served stale."""
    return f"/static/{path}?v={__version__}"


def url_with(request: Request, **params: str | None) -> str:
    """This page's path and query with ``params`` replaced (None removes one)."""
    query = {k: v for k, v in request.query_params.items() if k not in params}
    query.update({k: v for k, v in params.items() if v is not None})
    return request.url.path + (f"?{urlencode(query)}" if query else "")


def _switch(request: Request, current: str) -> list[dict[str, Any]]:
    options: list[Language] = list(languages(request).languages)
    return [
        {
            "code": language.code,
            "name": language.name,
            "url": url_with(request, **{LANG_PARAM: language.code}),
            "current": language.code == current,
        }
        for language in options
    ]


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """The page ``template`` rendered for ``request`` with ``context``.

    Every template also gets: ``request``, ``lang``, ``languages`` (the switch), ``principal``
    (the signed-in person, or None), ``csrf_token()``, ``csrf_field()``, ``static(path)``,
    ``url_with(**params)``.
    """
    code = language_of(request)
    principal = getattr(request.state, "principal", None)
    values: dict[str, Any] = {
        "request": request,
        "lang": code,
        "languages": _switch(request, code),
        "principal": principal if isinstance(principal, Principal) else None,
        "csrf_token": lambda: csrf_token(request),
        "csrf_field": lambda: Markup('<input type="hidden" name="{}" value="{}">').format(
            CSRF_FIELD, csrf_token(request)
        ),
        "static": static_url,
        "url_with": lambda **params: url_with(request, **params),
        "version": __version__,
        **context,
    }
    with speaking(translator(request)):
        html = ENVIRONMENT.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    response.headers["content-language"] = code
    response.headers["cache-control"] = "no-store"
    chosen = languages(request).match(request.query_params.get(LANG_PARAM))
    if chosen is not None and chosen != request.cookies.get(LANG_COOKIE):
        secure = cookie_is_secure(request, web_services(request).security.allow_unsafe_http)
        response.headers.append(
            "set-cookie",
            set_cookie_header(LANG_COOKIE, chosen, secure=secure, max_age=LANG_COOKIE_MAX_AGE),
        )
    return response
