"""The whole schema: importing this module registers every table module on ``metadata``.
Add new table modules here (Alembic and the migration test read ``metadata`` from here)."""

from __future__ import annotations

from convmem.storage import profile_tables, tables  # noqa: F401  (registers the tables)
from convmem.storage.tables import metadata

__all__ = ["metadata"]
