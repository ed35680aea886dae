"""Job rows: enqueue, claim, lease renewal, completion; and the kind -> handler registry type
(the runtime holds the one registry of a process, see ``convmem.runtime``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, and_, delete, insert, or_, select, update

from convmem.domain import ids
from convmem.domain.timefmt import utcnow
from convmem.storage.db import Database
from convmem.storage.job_tables import jobs

if TYPE_CHECKING:
    from convmem.config import Settings
    from convmem.runtime import Runtime

JOB = "mem_job"
MAX_ATTEMPTS = 5


@dataclass
class JobContext:
    """What a handler gets: the runtime (database, models, extractor, settings), its job, and a
    way to renew its lease."""

    runtime: Runtime
    job_id: str
    payload: dict[str, Any]
    renew: Callable[[], None]
    attempt: int = 1

    @property
    def db(self) -> Database:
        return self.runtime.db

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def last_attempt(self) -> bool:
        """A handler that fails now will not be retried: record the failure where clients see it."""
        return self.attempt >= MAX_ATTEMPTS


Handler = Callable[[JobContext], None]
Merge = Callable[[list[dict[str, Any]]], dict[str, Any]]


@dataclass(frozen=True)
class Registration:
    handler: Handler
    # Kinds whose jobs can be done together (e.g. embedding: one job per write, but the model
    # works best on large batches) give a merge of payloads and a batch size; a claim then takes
    # up to that many waiting jobs of the kind, runs the handler once on the merged payload and
    # finishes them together, so a burst of writes costs a few transactions, not two per write.
    merge: Merge | None = None
    batch: int = 1


class JobRegistry:
    """Job kind -> handler, filled by the composition root (``convmem.runtime``) at start-up."""

    def __init__(self) -> None:
        self._handlers: dict[str, Registration] = {}

    def register(self, kind: str, handler: Handler, *, merge: Merge | None = None, batch: int = 1) -> None:
        self._handlers[kind] = Registration(handler, merge, batch if merge is not None else 1)

    def get(self, kind: str) -> Registration | None:
        return self._handlers.get(kind)

    def kinds(self) -> list[str]:
        return sorted(self._handlers)


class Wakeup:
    """Tells this process's idle workers that there may be work: set by ``enqueue`` (before the
    commit: the worker retries briefly), by ``notify`` (after it) and by the PostgreSQL
    listener when another process's enqueue committed (jobs/listener.py).

    A generation counter rather than an Event: with several worker threads, one that clears an
    Event after waking could swallow a wake-up meant for another, which would then sleep until
    its next poll. Each waiter remembers the generation it has seen instead."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._generation = 0

    @property
    def generation(self) -> int:
        return self._generation

    def set(self) -> None:
        with self._changed:
            self._generation += 1
            self._changed.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        """Wait until the generation moves past ``seen`` (or ``timeout`` seconds); the current one."""
        with self._changed:
            self._changed.wait_for(lambda: self._generation != seen, timeout)
            return self._generation


# The one per process (a process-wide fact, like the process's threads): every runtime's
# workers wake on it; a spurious wake-up costs one indexed read.
wakeup = Wakeup()
# The PostgreSQL channel that carries "a job was enqueued" between processes.
CHANNEL = "convmem_jobs"


def announce(conn: Connection) -> None:
    """Tell every listening process (PostgreSQL) that jobs became runnable, in the caller's
    transaction: PostgreSQL delivers the notification at commit, and not at all on rollback,
    and folds repeated notifications of one transaction into one."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"NOTIFY {CHANNEL}")


def enqueue(conn: Connection, kind: str, payload: dict[str, Any], *, operation_id: str | None = None) -> str:
    """Add a job in the caller's transaction (the worker may only see it once that commits)."""
    job_id = ids.new_id(JOB)
    now = utcnow()
    conn.execute(insert(jobs).values(id=job_id, kind=kind, payload=payload, status="PENDING", attempts=0,
                                     claimed_at=None, claimed_by=None, created_at=now, updated_at=now, error=None,
                                     operation_id=operation_id, progress=None))
    announce(conn)  # other processes' workers, at commit
    # Early wake-up of this process's: the worker retries briefly until this transaction has committed.
    wakeup.set()
    return job_id


def notify() -> None:
    """Wake this process's worker; call it once the transaction that enqueued has committed
    (a worker woken earlier would not see the job yet and fall back to polling)."""
    wakeup.set()


def save_progress(conn: Connection, job_id: str, progress: dict[str, Any]) -> None:
    """Record handler state in the handler's own transaction, so work and watermark commit together."""
    conn.execute(update(jobs).where(jobs.c.id == job_id).values(progress=progress, updated_at=utcnow()))


def replace_payload(conn: Connection, job_id: str, payload: dict[str, Any]) -> None:
    """E.g. drop personal data a finished job no longer needs."""
    conn.execute(update(jobs).where(jobs.c.id == job_id).values(payload=payload))


def progress_of(conn: Connection, job_id: str) -> dict[str, Any]:
    return conn.execute(select(jobs.c.progress).where(jobs.c.id == job_id)).scalar() or {}


def for_operation(conn: Connection, operation_id: str) -> Row[Any] | None:
    return conn.execute(select(jobs).where(jobs.c.operation_id == operation_id)).first()


def _runnable(expired: datetime) -> Any:
    return or_(jobs.c.status == "PENDING", (jobs.c.status == "RUNNING") & (jobs.c.claimed_at < expired))


def claim(db: Database, worker_id: str, lease_seconds: float, registry: JobRegistry) -> list[Row[Any]]:
    """Take the oldest runnable job (PENDING, or RUNNING with an expired lease) and, for a kind
    registered with a batch size, more waiting jobs of the same kind. Empty when there is
    nothing to do."""
    now = utcnow()
    expired = now - timedelta(seconds=lease_seconds)
    # An idle worker polls: look first in a read transaction, which on SQLite takes no write
    # lock and commits nothing, and open the write transaction only when there is work.
    with db.read() as conn:
        if conn.execute(select(jobs.c.id).where(_runnable(expired)).limit(1)).first() is None:
            return []
    with db.write() as conn:
        stmt = select(jobs).where(_runnable(expired)).order_by(jobs.c.created_at).limit(1)
        if not db.is_sqlite:
            stmt = stmt.with_for_update(skip_locked=True)
        first = conn.execute(stmt).first()
        if first is None:
            return []
        rows = [first]
        registration = registry.get(first.kind)
        if registration is not None and registration.batch > 1:
            more = (select(jobs).where(jobs.c.kind == first.kind, jobs.c.status == "PENDING", jobs.c.id != first.id)
                    .order_by(jobs.c.created_at).limit(registration.batch - 1))
            if not db.is_sqlite:
                more = more.with_for_update(skip_locked=True)
            rows.extend(conn.execute(more).all())
        conn.execute(update(jobs).where(jobs.c.id.in_([r.id for r in rows])).values(
            status="RUNNING", claimed_at=now, claimed_by=worker_id, attempts=jobs.c.attempts + 1, updated_at=now))
        return rows


def release_orphans(db: Database, host: str, own_id: str, alive: Callable[[int], bool]) -> int:
    """Make RUNNING jobs claimed by stopped processes on ``host`` runnable again at once (their
    leases would otherwise keep them for up to a lease period). A claim is ``host:pid:nonce``
    (``JobWorker.worker_identity``); ``alive(pid)`` says whether that process still runs.
    Returns how many jobs were released."""
    with db.write() as conn:
        rows = conn.execute(select(jobs.c.id, jobs.c.claimed_by).where(
            jobs.c.status == "RUNNING", jobs.c.claimed_by.like(f"{host}:%"))).all()
        orphans = []
        for row in rows:
            _, _, rest = str(row.claimed_by).partition(":")
            pid_text = rest.partition(":")[0]
            if row.claimed_by != own_id and pid_text.isdigit() and not alive(int(pid_text)):
                orphans.append(row.id)
        if orphans:
            conn.execute(update(jobs).where(jobs.c.id.in_(orphans), jobs.c.status == "RUNNING").values(
                status="PENDING", claimed_at=None, claimed_by=None, updated_at=utcnow()))
            announce(conn)
        return len(orphans)


def release(db: Database, job_ids: list[str], worker_id: str) -> int:
    """Give back jobs this worker claimed but will not finish (it is stopping): runnable again
    at once, for any worker, without waiting for the lease to run out. A job another worker
    has taken over meanwhile is left alone. Returns how many were released."""
    if not job_ids:
        return 0
    with db.write() as conn:
        released = conn.execute(update(jobs).where(
            jobs.c.id.in_(job_ids), jobs.c.claimed_by == worker_id, jobs.c.status == "RUNNING").values(
            status="PENDING", claimed_at=None, claimed_by=None, updated_at=utcnow())).rowcount
        if released:
            announce(conn)
        return int(released)


def renew(db: Database, job_ids: list[str], worker_id: str) -> None:
    with db.write() as conn:
        conn.execute(update(jobs).where(jobs.c.id.in_(job_ids), jobs.c.claimed_by == worker_id,
                                        jobs.c.status == "RUNNING").values(claimed_at=utcnow()))


def finish(db: Database, job_ids: list[str], *, error: str | None = None, retry: bool = False,
           worker_id: str | None = None) -> None:
    """End a run: DONE, FAILED, or PENDING again (``retry``). A finished job keeps who ran it
    and when it was claimed (``claimed_by``/``claimed_at``: which worker ran it, and how long
    the job waited for one). With ``worker_id``, only jobs still claimed by that worker are
    touched: one whose lease ran out and that another worker took over is that worker's."""
    status = "PENDING" if retry else ("FAILED" if error else "DONE")
    ended: dict[str, Any] = {"status": status, "error": error, "updated_at": utcnow()}
    if retry:
        ended.update(claimed_at=None, claimed_by=None)
    stmt = update(jobs).where(jobs.c.id.in_(job_ids))
    if worker_id is not None:
        stmt = stmt.where(jobs.c.claimed_by == worker_id, jobs.c.status == "RUNNING")
    with db.write() as conn:
        conn.execute(stmt.values(**ended))
        if retry:
            announce(conn)


def purge_finished(conn: Connection, *, done_before: datetime, kept_before: datetime) -> int:
    """Delete finished jobs so the table holds only live work: a plain job done before
    ``done_before``, and anything finished before ``kept_before`` (failed jobs, and jobs behind
    an Operation whose report clients may still read, are kept that long)."""
    finished = jobs.c.status.in_(("DONE", "FAILED"))
    plain_done = and_(jobs.c.status == "DONE", jobs.c.operation_id.is_(None), jobs.c.updated_at < done_before)
    return conn.execute(delete(jobs).where(finished, or_(plain_done, jobs.c.updated_at < kept_before))).rowcount
