"""Alembic migrations of the server's schema (identical on SQLite and PostgreSQL)."""
