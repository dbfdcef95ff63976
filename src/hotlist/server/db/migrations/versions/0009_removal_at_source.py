"""Removal at source: hosting lookups, intermediaries, notices, the check log and schedule

Revision ID: 0009_removal_at_source
Revises: 0008_sparse_report_indexes
Created: 2026-12-08 02:10:00

Hosting lookups, notice events and checks are append-only logs; ``removal_cases`` holds each
entry's four time-to-removal timestamps; ``check_schedule`` when each active entry is next checked.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_removal_at_source"
down_revision: str | None = "0008_sparse_report_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "intermediaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_by", sa.Integer(), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by"], ["users.id"], name=op.f("fk_intermediaries_added_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["removed_by"], ["users.id"], name=op.f("fk_intermediaries_removed_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intermediaries")),
    )
    with op.batch_alter_table("intermediaries", schema=None) as batch_op:
        batch_op.create_index(
            "uq_intermediaries_active_host",
            ["host"],
            unique=True,
            sqlite_where=sa.text("removed_at IS NULL"),
            postgresql_where=sa.text("removed_at IS NULL"),
        )

    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("contact", sa.String(length=320), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("category_code", sa.String(length=32), nullable=False),
        sa.Column("policy_version_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("held_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hold_reason", sa.Text(), nullable=True),
        sa.Column("escalated_from", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["escalated_from"], ["notices.id"], name=op.f("fk_notices_escalated_from_notices")
        ),
        sa.ForeignKeyConstraint(
            ["policy_version_id"],
            ["policy_versions.id"],
            name=op.f("fk_notices_policy_version_id_policy_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("reference", name=op.f("uq_notices_reference")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notices_contact"), ["contact"], unique=False)
        batch_op.create_index(
            "ix_notices_due_at",
            ["due_at"],
            unique=False,
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        )
        batch_op.create_index(batch_op.f("ix_notices_state"), ["state"], unique=False)

    op.create_table(
        "notice_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_notice_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_notice_events_entry_id_entries")
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_notice_events_notice_id_notices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_events")),
    )
    with op.batch_alter_table("notice_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notice_events_message_id"), ["message_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notice_events_notice_id"), ["notice_id"], unique=False)

    op.create_table(
        "notice_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_notice_items_entry_id_entries")
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_notice_items_notice_id_notices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_items")),
        sa.UniqueConstraint(
            "notice_id", "entry_id", name=op.f("uq_notice_items_notice_id_entry_id")
        ),
    )
    with op.batch_alter_table("notice_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_items_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_items_notice_id"), ["notice_id"], unique=False)

    op.create_table(
        "removal_cases",
        sa.Column("entry_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("category_code", sa.String(length=32), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("report_received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notice_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("referral_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("police_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_removal_cases_entry_id_entries")
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_removal_cases")),
    )
    with op.batch_alter_table("removal_cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_removal_cases_category_code"), ["category_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_removal_cases_host"), ["host"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_removal_cases_removed_at"), ["removed_at"], unique=False
        )

    op.create_table(
        "url_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("hops", sa.JSON(), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=True),
        sa.Column("content_length", sa.BigInteger(), nullable=True),
        sa.Column("etag", sa.String(length=255), nullable=True),
        sa.Column("last_modified", sa.String(length=64), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("changed", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("elapsed_ms", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_url_checks_entry_id_entries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_url_checks")),
    )
    with op.batch_alter_table("url_checks", schema=None) as batch_op:
        batch_op.create_index("ix_url_checks_entry_at", ["entry_id", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_url_checks_outcome"), ["outcome"], unique=False)

    op.create_table(
        "check_schedule",
        sa.Column("entry_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_present_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_gone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("gone_count", sa.Integer(), nullable=False),
        sa.Column("needs_analyst_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("baseline_id", sa.Integer(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["baseline_id"],
            ["url_checks.id"],
            name=op.f("fk_check_schedule_baseline_id_url_checks"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_check_schedule_entry_id_entries")
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_check_schedule")),
    )
    with op.batch_alter_table("check_schedule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_schedule_host"), ["host"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_check_schedule_next_check_at"), ["next_check_at"], unique=False
        )

    op.create_table(
        "hosting_lookups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("addresses", sa.JSON(), nullable=False),
        sa.Column("asn", sa.Integer(), nullable=True),
        sa.Column("network_name", sa.String(length=255), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("abuse_contacts", sa.JSON(), nullable=False),
        sa.Column("registrar", sa.String(length=255), nullable=True),
        sa.Column("registrar_contacts", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("looked_up_by", sa.Integer(), nullable=True),
        sa.Column("looked_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_hosting_lookups_entry_id_entries")
        ),
        sa.ForeignKeyConstraint(
            ["looked_up_by"], ["users.id"], name=op.f("fk_hosting_lookups_looked_up_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_hosting_lookups_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hosting_lookups")),
    )
    with op.batch_alter_table("hosting_lookups", schema=None) as batch_op:
        batch_op.create_index("ix_hosting_lookups_host_at", ["host", "looked_up_at"], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("hosting_lookups", schema=None) as batch_op:
        batch_op.drop_index("ix_hosting_lookups_host_at")

    op.drop_table("hosting_lookups")
    with op.batch_alter_table("check_schedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_check_schedule_next_check_at"))
        batch_op.drop_index(batch_op.f("ix_check_schedule_host"))

    op.drop_table("check_schedule")
    with op.batch_alter_table("url_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_url_checks_outcome"))
        batch_op.drop_index("ix_url_checks_entry_at")

    op.drop_table("url_checks")
    with op.batch_alter_table("removal_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_removal_cases_removed_at"))
        batch_op.drop_index(batch_op.f("ix_removal_cases_host"))
        batch_op.drop_index(batch_op.f("ix_removal_cases_category_code"))

    op.drop_table("removal_cases")
    with op.batch_alter_table("notice_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_items_notice_id"))
        batch_op.drop_index(batch_op.f("ix_notice_items_entry_id"))

    op.drop_table("notice_items")
    with op.batch_alter_table("notice_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_events_notice_id"))
        batch_op.drop_index(batch_op.f("ix_notice_events_message_id"))

    op.drop_table("notice_events")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_state"))
        batch_op.drop_index(
            "ix_notices_due_at",
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_notices_contact"))

    op.drop_table("notices")
    with op.batch_alter_table("intermediaries", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_intermediaries_active_host",
            sqlite_where=sa.text("removed_at IS NULL"),
            postgresql_where=sa.text("removed_at IS NULL"),
        )

    op.drop_table("intermediaries")
