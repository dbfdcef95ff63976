"""The FastAPI application: feature routers under ``/v1``, problem+json errors, no client IPs.

``create_app(settings)`` builds it; ``create_app_from_env()`` is the factory uvicorn's workers
call (``hotlist serve`` sets the environment).
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hotlist import __version__
from hotlist.blockpage import Catalogues
from hotlist.errors import StorageError
from hotlist.server.access_log import api as access_log_api
from hotlist.server.accounts import api as accounts_api
from hotlist.server.accounts import service as accounts_service
from hotlist.server.appeals import api as appeals_api
from hotlist.server.assessments import api as assessments_api
from hotlist.server.blockpage import api as blockpage_api
from hotlist.server.config import Settings
from hotlist.server.db.aio import async_database
from hotlist.server.db.session import make_engine, session_factory
from hotlist.server.entries import api as entries_api
from hotlist.server.figures import api as figures_api
from hotlist.server.hosting import api as hosting_api
from hotlist.server.kit.cache import TimedCache
from hotlist.server.kit.checker import checker_from_settings
from hotlist.server.kit.clock import Clock, SystemClock
from hotlist.server.kit.contacts import FernetContactCipher
from hotlist.server.kit.deps import ServicesDep, api_routes
from hotlist.server.kit.keycache import VerificationCache
from hotlist.server.kit.lookups_live import hosting_sources
from hotlist.server.kit.mailer import mailer_from_settings
from hotlist.server.kit.ratelimit import RateLimiter
from hotlist.server.kit.services import Lazy, Services
from hotlist.server.log import api as log_api
from hotlist.server.notices import api as notices_api
from hotlist.server.notices.jobs import outbox_for, start_notices_job
from hotlist.server.objections import api as objections_api
from hotlist.server.observers import api as observers_api
from hotlist.server.observers import service as observers_service
from hotlist.server.observers.access import ObserverRequestLog
from hotlist.server.policies import api as policies_api
from hotlist.server.policies import service as policies_service
from hotlist.server.problems import ProblemResponse, install_problem_handlers, problem
from hotlist.server.publishing import api as publishing_api
from hotlist.server.publishing.jobs import health as publishing_health
from hotlist.server.publishing.jobs import start_publish_job
from hotlist.server.reports import api as reports_api
from hotlist.server.retention import start_retention_job
from hotlist.server.reverification import api as reverification_api
from hotlist.server.reverification.jobs import start_reverify_job
from hotlist.server.web import install_web
from hotlist.server.web.api_docs import install_api_docs
from hotlist.server.web.pages import admin as admin_pages
from hotlist.server.web.pages import analyst as analyst_pages
from hotlist.server.web.pages import checks as checks_pages
from hotlist.server.web.pages import hosting as hosting_pages
from hotlist.server.web.pages import login as login_pages
from hotlist.server.web.pages import notices as notice_pages
from hotlist.server.web.pages import observer as observer_pages
from hotlist.server.web.pages import public as public_pages
from hotlist.server.web.pages import supervisor as supervisor_pages

FEATURE_ROUTERS: list[APIRouter] = [
    accounts_api.router,
    access_log_api.router,
    policies_api.router,
    reports_api.router,
    assessments_api.router,
    entries_api.router,
    publishing_api.router,
    log_api.router,
    objections_api.router,
    appeals_api.router,
    observers_api.router,
    figures_api.router,
    blockpage_api.router,
    hosting_api.router,
    reverification_api.router,
    notices_api.router,
]
"""Every feature's router; a new feature appends its ``api.router`` here."""

WEB_ROUTERS: list[APIRouter] = [
    public_pages.router,
    login_pages.router,
    analyst_pages.router,
    supervisor_pages.router,
    observer_pages.router,
    admin_pages.router,
    hosting_pages.router,
    checks_pages.router,
    notice_pages.router,
]
"""The HTML pages' routers (:mod:`hotlist.server.web.pages`), included before the API's so a
page owns its path (``/transparency`` is the public page in the shared layout)."""


class BodySizeLimit:
    """Refuse request bodies over ``limit`` bytes with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            response = problem(413, self._detail())
            await response(scope, receive, send)
            return
        if declared == -1:
            await problem(400, "the Content-Length header is not a number")(scope, receive, send)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise StarletteHTTPException(413, self._detail())
            return message

        await self.app(scope, limited_receive, send)

    def _detail(self) -> str:
        return f"the request body is larger than {self.limit} bytes"


def _content_length(scope: Scope) -> int | None:
    """The declared body size; None when absent, -1 when malformed."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else -1
    return None


def _declare_permissions(routes: Sequence[BaseRoute]) -> None:
    """Show each route's permission in the OpenAPI document (``x-permission``)."""
    for info in api_routes(routes):
        if len(set(info.permissions)) == 1:
            extra = info.route.openapi_extra or {}
            info.route.openapi_extra = {**extra, "x-permission": info.permissions[0]}


def make_services(settings: Settings, engine: Engine, clock: Clock | None = None) -> Services:
    """The app's services for ``settings`` on ``engine``: made once, shared by every request.
    ``clock`` (the system's by default) also drives the caches."""
    clock = clock or SystemClock()
    return Services(
        settings=settings,
        engine=engine,
        sessions=session_factory(engine),
        intake=async_database(engine),
        clock=clock,
        key_cache=VerificationCache(ttl=settings.key_cache_seconds, clock=clock.monotonic),
        authenticate=accounts_service.authenticate,
        plaintext_granted=observers_service.plaintext_granted,
        intake_limiter=RateLimiter.from_settings(settings),
        contacts=Lazy(
            lambda: FernetContactCipher.from_settings(settings.contact_key, settings.data_dir)
        ),
        catalogues=Lazy(lambda: Catalogues(settings.blockpage_messages_dir)),
        figures=TimedCache(
            ttl=figures_api.CACHE_SECONDS, size=figures_api.CACHE_SIZE, clock=clock.monotonic
        ),
        hosting=Lazy(lambda: hosting_sources(settings)),
        mailer=mailer_from_settings(settings),
        checker=checker_from_settings(settings),
    )


def create_app(settings: Settings, *, engine: Engine | None = None) -> FastAPI:
    """The server application for ``settings`` (the database must be migrated already).

    ``engine`` lets a caller share one engine between apps (tests); by default the app makes
    its own from ``settings.database_url`` and disposes of it on shutdown.
    """
    own_engine = engine is None
    db_engine = make_engine(settings.database_url) if engine is None else engine
    services = make_services(settings, db_engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        policies_service.load_at_start(services.sessions, settings.policy_file)
        job = start_publish_job(settings, services.sessions)
        _app.state.publish_job = job
        retention = start_retention_job(settings, services.sessions)
        notices = start_notices_job(
            settings,
            services.sessions,
            lambda: outbox_for(settings, services.mailer, services.hosting.get()),
            services.clock.now,
        )
        reverify = start_reverify_job(settings, services.sessions, services.checker, services.clock)
        yield
        for loop in (job, retention, notices, reverify):
            if loop is not None:
                loop.stop()
        await services.intake.close()
        if own_engine:
            db_engine.dispose()

    app = FastAPI(
        title="hotlist",
        version=__version__,
        summary="The hotline's server: reports, assessments, list entries.",
        lifespan=lifespan,
        docs_url=None,  # our own /docs, served offline: hotlist.server.web.api_docs
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.services = services  # read only by hotlist.server.kit.deps.get_services
    app.state.publish_job = None
    install_problem_handlers(app)
    app.add_middleware(ObserverRequestLog, services=services)
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)
    reports_api.install_intake(app)  # the hot path, matched before every other route
    install_web(app, settings)
    install_api_docs(app)

    @app.get(
        "/healthz",
        tags=["health"],
        summary="Liveness, database and publishing check",
        response_model=None,
    )
    def healthz(request: Request, services: ServicesDep) -> dict[str, Any] | ProblemResponse:
        """``{"status": "ok", "publishing": {...}}`` when the database answers and the publish
        schedule's last attempt succeeded (or the schedule is off, or has not run yet);
        503 problem+json otherwise, with the publishing status as a member."""
        try:
            with services.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise StorageError("the database does not answer") from exc
        publishing = publishing_health(request.app.state.publish_job)
        if publishing["state"] == "failing":
            return problem(
                503,
                f"the list is not being published: {publishing['error']}",
                publishing=publishing,
            )
        return {"status": "ok", "version": __version__, "publishing": publishing}

    for router in [*WEB_ROUTERS, *FEATURE_ROUTERS]:
        app.include_router(router)
    _declare_permissions(app.routes)
    return app


def create_app_from_env() -> FastAPI:
    """The app for uvicorn's factory mode, configured from ``HOTLIST_*`` variables.

    What start-up made (modules, models, routes, templates) then lives as long as the process,
    so it is moved out of the garbage collector's reach: left in, every full collection walked
    it again in the middle of a request (measured under a wave of reports: the slowest took
    120 ms, now 22 ms)."""
    app = create_app(Settings.load())
    gc.freeze()
    return app
