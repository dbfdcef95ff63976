"""Removal cases: where each is routed (notice, referral abroad, an analyst) and why

Revision ID: 0010_removal_route
Revises: 0009_removal_at_source
Created: 2026-12-08 02:20:00

The notices job decides per case whether the host gets a notice (at home), the partner hotline
a referral (abroad), or an analyst a look (an intermediary, no abuse contact, country unknown);
``route`` and ``route_note`` keep that decision where the staff pages show it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_removal_route"
down_revision: str | None = "0009_removal_at_source"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("removal_cases") as batch:
        batch.add_column(sa.Column("route", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("route_note", sa.Text(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("removal_cases") as batch:
        batch.drop_column("route_note")
        batch.drop_column("route")
