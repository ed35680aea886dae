"""Storage: SQLAlchemy Core tables, Alembic migrations and one repository module per resource.

The same SQL runs on the embedded SQLite default and on PostgreSQL; the few places where the
two differ live in ``dialects``."""
