"""Alembic environment: always run programmatically by ``convmem.storage.migrate`` with a live
connection passed in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from convmem.storage.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    # storage/migrate.py's progress report, when the caller asked for one.
    on_version_apply=context.config.attributes.get("on_version_apply", ()),
)
with context.begin_transaction():
    context.run_migrations()
