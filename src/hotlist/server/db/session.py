"""Sessions: a factory per engine. A request's own session is the kit's
:data:`hotlist.server.kit.deps.DbSession` (committed before the response is sent)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hotlist.server.db.engine import make_engine

__all__ = ["make_engine", "session_factory"]


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)
