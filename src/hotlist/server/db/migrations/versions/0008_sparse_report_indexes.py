"""Fewer index entries per report: the sparse columns indexed only where set, one index dropped

Revision ID: 0008_sparse_report_indexes
Revises: 0007_open_report_per_url
Created: 2026-12-07 23:30:00

Filing a report wrote nine index entries (ADR 0011). ``category_hint``, ``duplicate_of`` and
``entry_id`` are empty on most reports, and every query on them asks for a value, which implies
the column is set: their indexes now hold only the rows where it is. ``(canonical_hash,
status)`` served no query once intake looked up the open original by the partial unique index
of 0007.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_sparse_report_indexes"
down_revision: str | None = "0007_open_report_per_url"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SPARSE = ("category_hint", "duplicate_of", "entry_id")


def upgrade() -> None:
    """Apply this revision."""
    op.drop_index("ix_reports_canonical_hash_status", table_name="reports")
    for column in _SPARSE:
        op.drop_index(f"ix_reports_{column}", table_name="reports")
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(
            f"ix_reports_{column}",
            "reports",
            [column],
            sqlite_where=where,
            postgresql_where=where,
        )


def downgrade() -> None:
    """Undo this revision."""
    for column in _SPARSE:
        op.drop_index(f"ix_reports_{column}", table_name="reports")
        op.create_index(f"ix_reports_{column}", "reports", [column])
    op.create_index("ix_reports_canonical_hash_status", "reports", ["canonical_hash", "status"])
