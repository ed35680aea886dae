"""The whole schema: importing this module registers every table module on ``metadata``.
Add new table modules here (Alembic and the migration test read ``metadata`` from here)."""

from __future__ import annotations

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

__all__ = ["metadata"]
