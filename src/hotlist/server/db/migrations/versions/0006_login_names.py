"""Login names: people sign in with a name the server made, not their sequential user id

Revision ID: 0006_login_names
Revises: 0005_web_login
Created: 2026-11-25 10:00:00

Everyone who already has sign-in credentials gets a login name here, of the shape the server
makes (``hotlist.server.web.auth.names``): ``person.`` and ten random characters; `hotlist
admin set-password` shows it (and keeps it).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_login_names"
down_revision: str | None = "0005_web_login"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here, as a migration never imports the application's code (which may change after it).
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _login_name() -> str:
    return "person." + "".join(secrets.choice(_ALPHABET) for _ in range(10))


def upgrade() -> None:
    """Apply this revision."""
    op.add_column("user_logins", sa.Column("login_name", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.text("SELECT user_id FROM user_logins")).all():
        connection.execute(
            sa.text("UPDATE user_logins SET login_name = :login WHERE user_id = :user_id"),
            {"login": _login_name(), "user_id": user_id},
        )
    with op.batch_alter_table("user_logins") as batch:
        batch.alter_column("login_name", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint(op.f("uq_user_logins_login_name"), ["login_name"])


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("user_logins") as batch:
        batch.drop_constraint(op.f("uq_user_logins_login_name"), type_="unique")
        batch.drop_column("login_name")
