"""Imports every feature's models, so ``Base.metadata`` holds the whole schema.

Alembic's env.py and the schema test import this module; a new feature appends its line.
"""

from __future__ import annotations

from hotlist.server.access_log import models as access_log_models
from hotlist.server.accounts import models as accounts_models
from hotlist.server.appeals import models as appeals_models
from hotlist.server.assessments import models as assessments_models
from hotlist.server.db.base import Base
from hotlist.server.entries import models as entries_models
from hotlist.server.hosting import models as hosting_models
from hotlist.server.log import models as log_models
from hotlist.server.notices import models as notices_models
from hotlist.server.objections import models as objections_models
from hotlist.server.observers import models as observers_models
from hotlist.server.policies import models as policies_models
from hotlist.server.reports import models as reports_models
from hotlist.server.reverification import models as reverification_models
from hotlist.server.web.auth import models as web_auth_models

__all__ = [
    "Base",
    "access_log_models",
    "accounts_models",
    "appeals_models",
    "assessments_models",
    "entries_models",
    "hosting_models",
    "log_models",
    "notices_models",
    "objections_models",
    "observers_models",
    "policies_models",
    "reports_models",
    "reverification_models",
    "web_auth_models",
]
