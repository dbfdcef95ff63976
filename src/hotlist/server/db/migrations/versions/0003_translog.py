"""Transparency log leaves

Revision ID: 0003_translog
Revises: 0002
Created: 2026-11-24 07:32:37.090085
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_translog"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "log_leaves",
        sa.Column("leaf_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("leaf_index", name=op.f("pk_log_leaves")),
    )
    with op.batch_alter_table("log_leaves", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_log_leaves_kind"), ["kind"], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("log_leaves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_log_leaves_kind"))

    op.drop_table("log_leaves")
