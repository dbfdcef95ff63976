"""Due process: objections, appeals, plaintext grants, audit samples and reviews

Revision ID: 0004_due_process
Revises: 0003_translog
Created: 2026-11-24 07:32:04.481320
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_due_process"
down_revision: str | None = "0003_translog"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "audit_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("drawn_by", sa.Integer(), nullable=True),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["drawn_by"], ["users.id"], name=op.f("fk_audit_samples_drawn_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_samples")),
    )
    op.create_table(
        "plaintext_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_plaintext_grants_decided_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_plaintext_grants_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plaintext_grants")),
    )
    with op.batch_alter_table("plaintext_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plaintext_grants_org_id"), ["org_id"], unique=False)

    op.create_table(
        "audit_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["audit_samples.id"],
            name=op.f("fk_audit_items_sample_id_audit_samples"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_items")),
        sa.UniqueConstraint(
            "sample_id",
            "kind",
            "subject_id",
            name=op.f("uq_audit_items_sample_id_kind_subject_id"),
        ),
    )
    with op.batch_alter_table("audit_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_items_sample_id"), ["sample_id"], unique=False)

    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt", sa.String(length=32), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("contact", sa.LargeBinary(), nullable=True),
        sa.Column("contact_purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("interim_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("interim_by", sa.Integer(), nullable=True),
        sa.Column("interim_reason", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("log_index", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_appeals_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_appeals_entry_id_entries")
        ),
        sa.ForeignKeyConstraint(
            ["interim_by"], ["users.id"], name=op.f("fk_appeals_interim_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint("receipt", name=op.f("uq_appeals_receipt")),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeals_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeals_decided_at"), ["decided_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeals_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeals_state"), ["state"], unique=False)

    op.create_table(
        "audit_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["audit_items.id"],
            name=op.f("fk_audit_reviews_item_id_audit_items"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_audit_reviews_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_audit_reviews_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_reviews")),
        sa.UniqueConstraint("item_id", "user_id", name=op.f("uq_audit_reviews_item_id_user_id")),
    )
    with op.batch_alter_table("audit_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_reviews_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_reviews_item_id"), ["item_id"], unique=False)

    op.create_table(
        "objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("new_entry_id", sa.Integer(), nullable=True),
        sa.Column("log_index", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_objections_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_objections_entry_id_entries")
        ),
        sa.ForeignKeyConstraint(
            ["key_id"], ["api_keys.id"], name=op.f("fk_objections_key_id_api_keys")
        ),
        sa.ForeignKeyConstraint(
            ["new_entry_id"],
            ["entries.id"],
            name=op.f("fk_objections_new_entry_id_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_objections_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objections")),
    )
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_objections_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_objections_decided_at"), ["decided_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_objections_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_objections_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_objections_state"), ["state"], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objections_state"))
        batch_op.drop_index(batch_op.f("ix_objections_org_id"))
        batch_op.drop_index(batch_op.f("ix_objections_entry_id"))
        batch_op.drop_index(batch_op.f("ix_objections_decided_at"))
        batch_op.drop_index(batch_op.f("ix_objections_created_at"))

    op.drop_table("objections")
    with op.batch_alter_table("audit_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_reviews_item_id"))
        batch_op.drop_index(batch_op.f("ix_audit_reviews_at"))

    op.drop_table("audit_reviews")
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeals_state"))
        batch_op.drop_index(batch_op.f("ix_appeals_entry_id"))
        batch_op.drop_index(batch_op.f("ix_appeals_decided_at"))
        batch_op.drop_index(batch_op.f("ix_appeals_created_at"))

    op.drop_table("appeals")
    with op.batch_alter_table("audit_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_items_sample_id"))

    op.drop_table("audit_items")
    with op.batch_alter_table("plaintext_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plaintext_grants_org_id"))

    op.drop_table("plaintext_grants")
    op.drop_table("audit_samples")
