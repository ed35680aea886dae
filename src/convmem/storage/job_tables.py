"""The durable job queue (see ``convmem.jobs``)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, String, Table, Text

from convmem.storage.tables import metadata
from convmem.storage.types import UtcDateTime

jobs = Table(
    "jobs",
    metadata,
    Column("id", String(48), primary_key=True),
    Column("kind", String(48), nullable=False),
    Column("payload", JSON, nullable=False),
    # PENDING -> RUNNING -> DONE | FAILED. A RUNNING job whose lease (claimed_at) has run out
    # belonged to a worker that died and is claimed again.
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("claimed_at", UtcDateTime),
    Column("claimed_by", String(64)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("error", Text),
    # The Operation a client polls for this job, if any.
    Column("operation_id", String(48), index=True),
    # Handler-owned state committed with each step of work (watermarks, per-item reports).
    Column("progress", JSON),
    Index("ix_jobs_status_created", "status", "created_at"),
)
