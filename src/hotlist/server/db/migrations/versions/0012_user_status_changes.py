"""People can be disabled and enabled again, each change an append-only record

Revision ID: 0012_user_status_changes
Revises: 0011_upstream_contacts
Created: 2026-12-08 03:20:00

Who disabled or enabled whom, when and why, and how many API keys the disabling revoked.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_user_status_changes"
down_revision: str | None = "0011_upstream_contacts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "user_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_keys", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_status_changes_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_user_status_changes_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_status_changes")),
    )
    with op.batch_alter_table("user_status_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_status_changes_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("user_status_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_status_changes_user_id"))
    op.drop_table("user_status_changes")
