"""Storage: the declarative base, engines, sessions and Alembic migrations."""
