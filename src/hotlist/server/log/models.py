"""Log leaves: one row per event, appended and never changed or deleted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from hotlist.server.db.base import Base, UTCDateTime, refuse, utcnow


class LogLeaf(Base):
    """Leaf ``leaf_index`` of the log: the event's canonical JSON and its RFC 9162 leaf hash."""

    __tablename__ = "log_leaves"

    leaf_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


refuse(LogLeaf, "the transparency log is append-only: a leaf is never changed or deleted")
