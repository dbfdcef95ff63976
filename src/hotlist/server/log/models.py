"""Log leaves: one row per event, appended and never changed or deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, LargeBinary, String, event
from sqlalchemy.orm import Mapped, mapped_column

from hotlist.errors import Conflict
from hotlist.server.db.base import Base, UTCDateTime, utcnow


class LogLeaf(Base):
    """Leaf ``leaf_index`` of the log: the event's canonical JSON and its RFC 9162 leaf hash."""

    __tablename__ = "log_leaves"

    leaf_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def _refuse(_mapper: Any, _connection: Any, _target: Any) -> None:
    raise Conflict("the transparency log is append-only: a leaf is never changed or deleted")


event.listen(LogLeaf, "before_update", _refuse)
event.listen(LogLeaf, "before_delete", _refuse)
