"""Sessions: a factory per engine, and one session per HTTP request.

Use :data:`DbSession` in endpoints. It commits when the endpoint returns and before the
response is sent, so a client never sees success for a change that was not stored; on any
error it rolls back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from hotlist.errors import StorageError
from hotlist.server.db.engine import make_engine

__all__ = ["DbSession", "get_session", "make_engine", "session_factory"]


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: a session for this request, committed on success, rolled back on error.

    Depend on it through :data:`DbSession` (``scope="function"``), so the commit happens
    before the response leaves.
    """
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        try:
            yield session
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            raise StorageError(f"the database refused the change: {type(exc).__name__}") from exc
        except BaseException:
            session.rollback()
            raise


DbSession = Annotated[Session, Depends(get_session, scope="function")]
"""The request's session, committed before the response is sent."""
