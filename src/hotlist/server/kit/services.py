"""The services an app is built from: made once by ``create_app``, reached through one dependency
(:func:`hotlist.server.kit.deps.get_services`), swapped in tests with ``app.dependency_overrides``.

Each outside dependency is a small ``Protocol`` with a real and an offline implementation
(:mod:`~hotlist.server.kit.clock`, :mod:`~hotlist.server.kit.contacts`,
:mod:`~hotlist.server.kit.ratelimit`; the publisher's is
:mod:`hotlist.server.publishing.publishers`). The kit imports no feature, so what a feature
provides (who holds an API key, whether an organisation holds a plaintext grant) comes in as a
function ``create_app`` passes in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hotlist.blockpage import Catalogues
from hotlist.server.config import Settings
from hotlist.server.db.aio import AsyncDatabase
from hotlist.server.kit.cache import TimedCache
from hotlist.server.kit.checker import UrlChecker
from hotlist.server.kit.clock import Clock
from hotlist.server.kit.contacts import ContactCipher
from hotlist.server.kit.keycache import VerificationCache
from hotlist.server.kit.lookups import HostingSources
from hotlist.server.kit.mailer import Mailer
from hotlist.server.kit.principal import Principal
from hotlist.server.kit.ratelimit import Limiter

T = TypeVar("T")


class Lazy(Generic[T]):
    """A value made on first use, once (thread-safe): for what needs a setting the server may
    run without, so that the server starts and the first use says what is missing."""

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._value: T | None = None
        self._lock = threading.Lock()

    @classmethod
    def of(cls, value: T) -> Lazy[T]:
        """A value made already (tests)."""
        made = cls(lambda: value)
        made._value = value
        return made

    def get(self) -> T:
        """The value, made now if it is the first use; an error making it is raised each time."""
        if self._value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._make()
        return self._value


class Authenticate(Protocol):
    """Who holds API key ``secret`` (None: unknown, revoked or disabled); accounts provides it."""

    def __call__(self, session: Session, secret: str, /) -> Principal | None: ...


class GrantCheck(Protocol):
    """Whether observer organisation ``org_id`` holds a plaintext grant; observers provides it."""

    def __call__(self, session: Session, org_id: int | None, /) -> bool: ...


@dataclass(frozen=True)
class Services:
    """Everything a request may need beyond its own input, made once per app."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    intake: AsyncDatabase
    """The public intake's async path to the same database (no thread hop on PostgreSQL)."""
    clock: Clock
    """What time it is: to stamp and to decide by (an appeal's due date, the figures' period)."""
    key_cache: VerificationCache[Principal]
    """Verified API keys for ``key_cache_seconds`` (one slow hash per key per period)."""
    authenticate: Authenticate
    plaintext_granted: GrantCheck
    intake_limiter: Limiter
    """The public's reports and appeals, per client address (in memory, per process)."""
    contacts: Lazy[ContactCipher]
    """Made at the first contact given: a server without a contact key takes reports without."""
    catalogues: Lazy[Catalogues]
    """The block page's message catalogues (the operator's folder read at the first page)."""
    figures: TimedCache
    """The transparency figures by period, for a few minutes (the routes are public)."""
    hosting: Lazy[HostingSources]
    """Where hosting lookups ask (``hosting_sources``: the data file read at the first lookup)."""
    mailer: Mailer
    """Where notices are sent (``mailer_from_settings``: SMTP, or a refusal saying what to set)."""
    checker: UrlChecker
    """How re-verification checks a URL (``checker_from_settings``: HTTP, HEAD, never a body)."""
