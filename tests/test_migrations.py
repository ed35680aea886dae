"""The Alembic migrations build exactly the schema the code declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from convmem.storage import migrate
from convmem.storage.db import Database
from convmem.storage.schema import include_object, metadata


def test_migrations_match_metadata(db: Database) -> None:
    assert migrate.is_current(db)
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False, "include_object": include_object})
        diff = compare_metadata(context, metadata)
    assert diff == [], f"migrations and tables.py disagree: {diff}"


def test_upgrade_is_idempotent(db: Database) -> None:
    migrate.upgrade(db)
    assert migrate.is_current(db)
