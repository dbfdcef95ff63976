"""Imports every feature's models, so ``Base.metadata`` holds the whole schema.

Alembic's env.py and the schema test import this module; a new feature appends its line.
"""

from __future__ import annotations

from hotlist.server.accounts import models as accounts_models
from hotlist.server.audit import models as audit_models
from hotlist.server.db.base import Base

__all__ = ["Base", "accounts_models", "audit_models"]
