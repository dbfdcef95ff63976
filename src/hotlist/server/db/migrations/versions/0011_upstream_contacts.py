"""Hosting lookups keep the upstream network's abuse contacts, where a notice escalates

Revision ID: 0011_upstream_contacts
Revises: 0010_removal_route
Created: 2026-12-08 03:10:00

Snapshots made before have none (an empty list): escalation then goes to the registrar.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_upstream_contacts"
down_revision: str | None = "0010_removal_route"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("hosting_lookups") as batch_op:
        batch_op.add_column(
            sa.Column("upstream_contacts", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("hosting_lookups") as batch_op:
        batch_op.drop_column("upstream_contacts")
