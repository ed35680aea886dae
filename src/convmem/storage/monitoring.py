"""Read-only queries behind the operator's metrics (metrics.py): each is one indexed aggregate,
cheap enough to run on every scrape."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, select

from convmem.storage.job_tables import jobs
from convmem.storage.memory_tables import memory_index, observations, summaries

LIVE_STATUSES = ("PENDING", "RUNNING")


def live_jobs(conn: Connection) -> dict[tuple[str, str], int]:
    """(status, kind) -> count of PENDING and RUNNING jobs. Finished jobs are purged by the
    workers' housekeeping, and the (status, created_at) index limits the scan to live rows."""
    rows = conn.execute(select(jobs.c.status, jobs.c.kind, func.count())
                        .where(jobs.c.status.in_(LIVE_STATUSES)).group_by(jobs.c.status, jobs.c.kind)).all()
    return {(str(status), str(kind)): int(count) for status, kind, count in rows}


def embedding_backlog(conn: Connection) -> int:
    """Memory items whose current content has no vector yet (on ix_memory_index_needs_embedding)."""
    return int(conn.execute(select(func.count()).select_from(memory_index)
                            .where(memory_index.c.needs_embedding.is_(True))).scalar() or 0)


def written_at(conn: Connection, item_ids: list[str]) -> list[datetime]:
    """When each of these observations or summaries last had its content written (for the
    ingest delay the embedding job reports), by primary key."""
    if not item_ids:
        return []
    out: list[datetime] = []
    for table in (observations, summaries):
        out.extend(conn.execute(select(table.c.updated_at).where(table.c.id.in_(item_ids))).scalars())
    return out
