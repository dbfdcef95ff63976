"""What the pages need beyond the app's :class:`~hotlist.server.kit.services.Services`: the
session security (key, cookie rules) and the languages, made once by :func:`install_web`."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection

from hotlist.server.web.auth.throttle import BurstAlarm, FailureThrottle
from hotlist.server.web.i18n import Languages
from hotlist.server.web.security import WebSecurity


@dataclass(frozen=True)
class WebServices:
    """The web layer's own services (the kit, below every feature, cannot name them)."""

    security: WebSecurity
    languages: Languages
    login_throttle: FailureThrottle
    """Failed sign-ins per client address (in memory, per process; the address never stored)."""
    login_alarm: BurstAlarm
    """Bursts of failed sign-ins on one account, told to the admins in the log."""


def web_services(connection: HTTPConnection) -> WebServices:
    """The app's web services (set by :func:`hotlist.server.web.install_web`)."""
    found: WebServices = connection.app.state.web
    return found
