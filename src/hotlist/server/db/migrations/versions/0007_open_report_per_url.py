"""One open report per canonical URL: a partial unique index that intake's insert relies on

Revision ID: 0007_open_report_per_url
Revises: 0006_login_names
Created: 2026-12-07 02:00:00

Intake files a report with one ``INSERT ... SELECT ... ON CONFLICT`` (``hotlist.server.reports
.intake``): the index makes two reports of the same URL arriving at once end as one original
and one duplicate, never two originals. Reports that raced before this revision are linked here
to the first of them, as intake would have linked them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_open_report_per_url"
down_revision: str | None = "0006_login_names"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = "status = 'received' AND duplicate_of IS NULL"
_LINK_LATER_ORIGINALS = """
UPDATE reports SET duplicate_of = (
    SELECT MIN(first.id) FROM reports AS first
    WHERE first.canonical_hash = reports.canonical_hash
    AND first.status = 'received' AND first.duplicate_of IS NULL
)
WHERE status = 'received' AND duplicate_of IS NULL AND id > (
    SELECT MIN(first.id) FROM reports AS first
    WHERE first.canonical_hash = reports.canonical_hash
    AND first.status = 'received' AND first.duplicate_of IS NULL
)
"""


def upgrade() -> None:
    """Apply this revision."""
    op.execute(sa.text(_LINK_LATER_ORIGINALS))
    op.create_index(
        "uq_reports_open_canonical_hash",
        "reports",
        ["canonical_hash"],
        unique=True,
        sqlite_where=sa.text(_OPEN),
        postgresql_where=sa.text(_OPEN),
    )


def downgrade() -> None:
    """Undo this revision (the duplicates linked by the upgrade stay linked)."""
    op.drop_index("uq_reports_open_canonical_hash", table_name="reports")
