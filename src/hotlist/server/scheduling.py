"""The server's scheduled work: a background loop per job, run by one process per deployment.

Every server process (each uvicorn worker, each machine behind the load balancer) starts the
loops, but a job's step runs only in the process holding the job's :class:`Lease`; the others
stand by and try to take the lease at every tick, so when the runner stops (or dies: the
operating system and PostgreSQL free what it held) another process carries on within one tick.
The lease is (docs/adr/0002-jobs-once-per-deployment.md):

- on PostgreSQL, a session-level advisory lock (``pg_try_advisory_lock``) on a connection the
  runner keeps open, one lock per job, scoped to the database;
- on SQLite, an exclusive ``flock`` on ``jobs-<job>.lock`` in the data directory (beside the
  database file when there is none); SQLite is one machine, so that is the whole deployment;
- on an in-memory database, none: no other process can share it.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Literal, Protocol

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from hotlist.errors import ConfigError
from hotlist.logs import fields
from hotlist.server.config import Settings

log = logging.getLogger(__name__)

Role = Literal["starting", "runner", "standby"]


class Lease(Protocol):
    """The right to run one job, held by at most one process of the deployment at a time."""

    def hold(self) -> bool:
        """Whether this process holds the lease now, taking it when it is free."""

    def release(self) -> None:
        """Give the lease up (the process stops)."""


class SoleLease:
    """Always held: the database is this process's own (in memory)."""

    def hold(self) -> bool:
        """Always: nobody else can run the job on this database."""
        return True

    def release(self) -> None:
        """Nothing to give up."""


class FileLease:
    """An exclusive ``flock`` on a file: freed by the operating system when the process ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def hold(self) -> bool:
        """Whether this process holds the lock, taking it when it is free."""
        if self._file is not None:
            return True
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle = self.path.open("ab")
        except OSError as exc:
            raise ConfigError(f"cannot open the job lock {self.path}: {exc}") from exc
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        """Unlock and close the file (it stays, empty, for the next runner)."""
        if self._file is not None:
            self._file.close()
            self._file = None


def advisory_key(job: str) -> int:
    """The job's advisory lock number: 64 bits of SHA-256 of its name, signed as PostgreSQL's
    ``bigint``."""
    digest = hashlib.sha256(f"hotlist job {job}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class AdvisoryLease:
    """A PostgreSQL session-level advisory lock, held on a connection kept open for it (outside
    any transaction); freed by PostgreSQL when that connection or the process ends."""

    def __init__(self, engine: Engine, job: str) -> None:
        self._engine = engine
        self._key = advisory_key(job)
        self._connection: Connection | None = None

    def hold(self) -> bool:
        """Whether this process holds the lock, taking it when it is free; a connection that
        broke lost the lock, and the next call tries to take it again."""
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
            except SQLAlchemyError:
                log.warning("the job lock's database connection broke: the lock is lost")
                self.release()
            else:
                return True
        try:
            connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except SQLAlchemyError:
            return False  # the database is away: no lease, and the job cannot run anyway
        try:
            taken = connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key})
        except SQLAlchemyError:
            taken = False
        if not taken:
            connection.close()
            return False
        self._connection = connection
        return True

    def release(self) -> None:
        """Unlock and give the connection back."""
        if self._connection is None:
            return
        connection, self._connection = self._connection, None
        try:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
        except SQLAlchemyError:
            pass  # the connection is gone, and the lock with it
        finally:
            connection.close()


def job_lease(settings: Settings, factory: sessionmaker[Session], job: str) -> Lease:
    """The lease for ``job`` on the settings' database (see the module's description)."""
    engine = factory.kw.get("bind")
    if not isinstance(engine, Engine):
        raise ConfigError("the session factory is bound to no engine")
    if engine.dialect.name == "postgresql":
        return AdvisoryLease(engine, job)
    database = make_url(settings.database_url).database
    if settings.data_dir is not None:
        return FileLease(settings.data_dir / f"jobs-{job}.lock")
    if database in (None, "", ":memory:"):
        return SoleLease()
    return FileLease(Path(database).resolve().parent / f"jobs-{job}.lock")


class BackgroundLoop:
    """Calls ``step`` at once and then every ``every_s`` seconds in a daemon thread, while this
    process holds ``lease`` (always without one).

    An exception in a step is logged and the loop goes on: scheduled work must outlive any one
    failure. :meth:`stop` waits for a step in progress to finish, then gives the lease up.
    """

    def __init__(
        self,
        name: str,
        step: Callable[[], None],
        every_s: float,
        *,
        lease: Lease | None = None,
        job: str | None = None,
    ) -> None:
        self._step = step
        self._every_s = every_s
        self._lease = lease or SoleLease()
        self._job = job or name
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self.role: Role = "starting"
        """Whether this process runs the job (``runner``) or another does (``standby``)."""
        self.role_since = time.monotonic()
        """When the role last changed (``time.monotonic``)."""

    def start(self) -> None:
        """Start the loop in its own thread."""
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the loop to stop, wait for a step in progress, and give the lease up."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if not self._thread.is_alive():
            self._lease.release()

    def _elect(self) -> bool:
        try:
            held = self._lease.hold()
        except Exception:  # e.g. the lock file cannot be opened: said, and tried again
            log.exception("cannot take the %s job's lock", self._job, extra=self._facts())
            held = False
        role: Role = "runner" if held else "standby"
        if role != self.role:
            if held:
                log.info("this process runs the %s job", self._job, extra=self._facts())
            else:
                log.info(
                    "another process runs the %s job; this one takes over if it stops",
                    self._job,
                    extra=self._facts(),
                )
            self.role = role
            self.role_since = time.monotonic()
        return held

    def _facts(self) -> dict[str, object]:
        return fields(job=self._job, pid=os.getpid())

    def _loop(self) -> None:
        while not self._stopped.is_set():
            try:
                if self._elect():
                    self._step()
            except Exception:  # logged with its traceback; the schedule goes on
                log.exception("scheduled step %s failed", self._thread.name, extra=self._facts())
            self._stopped.wait(self._every_s)
