"""Policy versions, reports, assessments, entries and entry events

Revision ID: 0002
Revises: 0001
Created: 2026-11-24 07:05:27.350770
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "policy_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["loaded_by"], ["users.id"], name=op.f("fk_policy_versions_loaded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_versions")),
        sa.UniqueConstraint("version", name=op.f("uq_policy_versions_version")),
    )
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_policy_versions_content_hash"), ["content_hash"], unique=False
        )

    op.create_table(
        "entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.BigInteger(), nullable=False),
        sa.Column("expression", sa.Text(), nullable=False),
        sa.Column("expression_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("category_code", sa.String(length=32), nullable=False),
        sa.Column("category_wire_id", sa.Integer(), nullable=False),
        sa.Column("policy_version_id", sa.Integer(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("legal_order", sa.Boolean(), nullable=False),
        sa.Column("territorial_scope", sa.String(length=1000), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("scope_reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("disputed", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_entries_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["policy_version_id"],
            ["policy_versions.id"],
            name=op.f("fk_entries_policy_version_id_policy_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entries")),
        sa.UniqueConstraint("public_id", name=op.f("uq_entries_public_id")),
    )
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_entries_category_code"), ["category_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_entries_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_entries_expression_hash"), ["expression_hash"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_entries_host"), ["host"], unique=False)
        batch_op.create_index(batch_op.f("ix_entries_state"), ["state"], unique=False)
        batch_op.create_index(
            "uq_entries_active_expression_hash",
            ["expression_hash"],
            unique=True,
            sqlite_where=sa.text("state = 'active'"),
            postgresql_where=sa.text("state = 'active'"),
        )

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt", sa.String(length=32), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("canonical_url", sa.Text(), nullable=False),
        sa.Column("canonical_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("category_hint", sa.String(length=32), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("contact", sa.LargeBinary(), nullable=True),
        sa.Column("contact_purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["duplicate_of"], ["reports.id"], name=op.f("fk_reports_duplicate_of_reports")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_reports_entry_id_entries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("receipt", name=op.f("uq_reports_receipt")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reports_canonical_hash_status", ["canonical_hash", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reports_category_hint"), ["category_hint"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reports_duplicate_of"), ["duplicate_of"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_received_at"), ["received_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_status"), ["status"], unique=False)

    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("actionable", sa.Boolean(), nullable=False),
        sa.Column("policy_version_id", sa.Integer(), nullable=False),
        sa.Column("category_code", sa.String(length=32), nullable=True),
        sa.Column("scope", sa.String(length=8), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("scope_reason", sa.Text(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_assessments_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_assessments_entry_id_entries")
        ),
        sa.ForeignKeyConstraint(
            ["policy_version_id"],
            ["policy_versions.id"],
            name=op.f("fk_assessments_policy_version_id_policy_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_assessments_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_report_id"), ["report_id"], unique=False)

    op.create_table(
        "entry_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_entry_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_entry_events_entry_id_entries")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_entry_events_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_events")),
    )
    with op.batch_alter_table("entry_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entry_events_entry_id"), ["entry_id"], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("entry_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entry_events_entry_id"))

    op.drop_table("entry_events")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_report_id"))

    op.drop_table("assessments")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_status"))
        batch_op.drop_index(batch_op.f("ix_reports_received_at"))
        batch_op.drop_index(batch_op.f("ix_reports_entry_id"))
        batch_op.drop_index(batch_op.f("ix_reports_duplicate_of"))
        batch_op.drop_index(batch_op.f("ix_reports_category_hint"))
        batch_op.drop_index("ix_reports_canonical_hash_status")

    op.drop_table("reports")
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_entries_active_expression_hash",
            sqlite_where=sa.text("state = 'active'"),
            postgresql_where=sa.text("state = 'active'"),
        )
        batch_op.drop_index(batch_op.f("ix_entries_state"))
        batch_op.drop_index(batch_op.f("ix_entries_host"))
        batch_op.drop_index(batch_op.f("ix_entries_expression_hash"))
        batch_op.drop_index(batch_op.f("ix_entries_expires_at"))
        batch_op.drop_index(batch_op.f("ix_entries_category_code"))

    op.drop_table("entries")
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_versions_content_hash"))

    op.drop_table("policy_versions")
