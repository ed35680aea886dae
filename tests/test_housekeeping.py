"""Finished jobs and expired operations are purged; live work and readable reports stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select, update

from convmem.config import Settings
from convmem.domain.timefmt import utcnow
from convmem.jobs import queue
from convmem.jobs.worker import JobWorker
from convmem.runtime import Runtime
from convmem.storage import operations
from convmem.storage.db import Database
from convmem.storage.job_tables import jobs
from convmem.storage.tables import operations as operations_table
from tests.support.credentials import Credentials


def _job(db: Database, status: str, age: timedelta, *, operation_id: str | None = None) -> str:
    with db.write() as conn:
        job_id = queue.enqueue(conn, "test.housekeeping", {}, operation_id=operation_id)
        conn.execute(update(jobs).where(jobs.c.id == job_id).values(status=status, updated_at=utcnow() - age))
    return job_id


def test_housekeeping_purges_only_what_nobody_can_read(db: Database, account: Credentials) -> None:
    with db.write() as conn:
        old_op = operations.record_completed(conn, account.account_sid, "test", result_id=None, result_path=None)
        fresh_op = operations.record_completed(conn, account.account_sid, "test", result_id=None, result_path=None)
        conn.execute(update(operations_table).where(operations_table.c.id == old_op)
                     .values(completed_at=utcnow() - timedelta(days=8)))
        pending_op = "mem_operation_" + "0" * 26
        conn.execute(insert(operations_table).values(id=pending_op, account_sid=account.account_sid, kind="test",
                                                     status="PENDING", created_at=utcnow() - timedelta(days=30)))
    done_old = _job(db, "DONE", timedelta(hours=2))
    done_recent = _job(db, "DONE", timedelta(minutes=5))
    failed_old = _job(db, "FAILED", timedelta(hours=2))
    failed_expired = _job(db, "FAILED", timedelta(days=8))
    report_job = _job(db, "DONE", timedelta(days=2), operation_id=fresh_op)
    pending = _job(db, "PENDING", timedelta(days=9))

    JobWorker(Runtime.build(Settings(), db=db)).housekeep()

    with db.read() as conn:
        left = set(conn.execute(select(jobs.c.id)).scalars())
        ops = set(conn.execute(select(operations_table.c.id)).scalars())
    assert done_old not in left and failed_expired not in left
    assert {done_recent, failed_old, report_job, pending} <= left
    assert old_op not in ops
    assert {fresh_op, pending_op} <= ops
