"""Enqueue, claim, complete: the storage side of the job queue.

Claiming marks jobs ``running`` with a lease. A worker that dies leaves its jobs running with
an expired lease, and they are claimed again (after a restart, or by another process), so
accepted work is finished at least once. Handlers must therefore be idempotent."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, or_, select, update

from convmem.domain import ids
from convmem.domain.timefmt import utcnow
from convmem.storage.db import Database
from convmem.storage.job_tables import jobs

MAX_ATTEMPTS = 5
JOB_PREFIX = "job"
# A RUNNING job whose claim is older than this was left by a worker that died (or stopped
# renewing it) and is claimed again. Set from the settings at start-up.
lease = timedelta(seconds=60)

# Wakes this process's worker; writers call notify() after their transaction committed.
_wakeup = threading.Event()


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    payload: Any
    attempts: int


def enqueue(conn: Connection, kind: str, payload: Any) -> None:
    """Record work to do, inside the caller's transaction."""
    now = utcnow()
    conn.execute(jobs.insert().values(id=ids.new_id(JOB_PREFIX), kind=kind, payload=payload, status="PENDING",
                                      attempts=0, created_at=now, updated_at=now))


def notify() -> None:
    _wakeup.set()


def wait_for_work(timeout: float) -> None:
    _wakeup.wait(timeout)
    _wakeup.clear()


def claim(db: Database, kind: str, limit: int, worker_id: str = "") -> list[Job]:
    """Claim up to ``limit`` jobs of one kind, oldest first. On PostgreSQL concurrent claimers
    skip each other's rows (FOR UPDATE SKIP LOCKED); on SQLite the write transaction is
    already exclusive (BEGIN IMMEDIATE), so there is one claimer at a time."""
    now = utcnow()
    # A PENDING job's updated_at is when it becomes due (later than now after a failure).
    claimable = and_(jobs.c.kind == kind, or_(
        and_(jobs.c.status == "PENDING", jobs.c.updated_at <= now),
        and_(jobs.c.status == "RUNNING", jobs.c.claimed_at < now - lease)))
    stmt = select(jobs.c.id, jobs.c.kind, jobs.c.payload, jobs.c.attempts).where(claimable) \
        .order_by(jobs.c.created_at, jobs.c.id).limit(limit)
    with db.write() as conn:
        if not db.is_sqlite:
            stmt = stmt.with_for_update(skip_locked=True)
        rows = conn.execute(stmt).all()
        if not rows:
            return []
        conn.execute(update(jobs).where(jobs.c.id.in_([r.id for r in rows])).values(
            status="RUNNING", claimed_at=now, claimed_by=worker_id[:64] or None, updated_at=now,
            attempts=jobs.c.attempts + 1))
    return [Job(r.id, r.kind, r.payload, r.attempts + 1) for r in rows]


def renew(db: Database, job_ids: list[str]) -> None:
    """Extend the lease of long-running jobs."""
    with db.write() as conn:
        conn.execute(update(jobs).where(jobs.c.id.in_(job_ids), jobs.c.status == "RUNNING").values(
            claimed_at=utcnow()))


def complete(db: Database, job_ids: list[str]) -> None:
    with db.write() as conn:
        conn.execute(update(jobs).where(jobs.c.id.in_(job_ids)).values(status="DONE", updated_at=utcnow()))


def fail(db: Database, job: Job, error: str) -> None:
    """Retry later with a growing delay; give up after MAX_ATTEMPTS."""
    now = utcnow()
    values: dict[str, Any] = {"error": error[:2000], "claimed_at": None, "claimed_by": None}
    if job.attempts >= MAX_ATTEMPTS:
        values.update(status="FAILED", updated_at=now)
    else:
        values.update(status="PENDING", updated_at=now + timedelta(seconds=2 ** job.attempts))
    with db.write() as conn:
        conn.execute(update(jobs).where(jobs.c.id == job.id).values(**values))


def prune_done(db: Database, older_than: timedelta) -> None:
    with db.write() as conn:
        conn.execute(delete(jobs).where(jobs.c.status == "DONE", jobs.c.updated_at < utcnow() - older_than))


def pending_count(conn: Connection, kind: str | None = None) -> int:
    stmt = select(jobs.c.id).where(jobs.c.status.in_(("PENDING", "RUNNING")))
    if kind is not None:
        stmt = stmt.where(jobs.c.kind == kind)
    return len(conn.execute(stmt).all())
