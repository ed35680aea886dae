"""The whole schema: importing this module registers every table module on ``metadata``.
Add new table modules here (Alembic and the migration test read ``metadata`` from here)."""

from __future__ import annotations

from typing import Any

from convmem.storage import (  # noqa: F401  (registers the tables)
    console_sessions,
    conversation_tables,
    erasure_tables,
    identity_tables,
    job_tables,
    memory_provenance,
    memory_tables,
    profile_tables,
    rate_limits,
    tables,
    upload_tables,
)
from convmem.storage.tables import metadata

__all__ = ["include_object", "metadata"]

# Search structures that only exist in one dialect and are created by raw SQL in migration 0004:
# SQLite's FTS5 table (and its shadow tables) and PostgreSQL's generated tsvector column.
_DIALECT_ONLY_TABLES = ("memory_fts",)
_DIALECT_ONLY_COLUMNS = {("memory_index", "search_tsv")}
_DIALECT_ONLY_INDEXES = {"ix_memory_index_search_tsv"}


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic filter: leave the dialect-only search structures out of schema comparison."""
    if type_ == "table" and name and name.startswith(_DIALECT_ONLY_TABLES):
        return False
    if type_ == "column" and (getattr(getattr(obj, "table", None), "name", None), name) in _DIALECT_ONLY_COLUMNS:
        return False
    return not (type_ == "index" and name in _DIALECT_ONLY_INDEXES)
