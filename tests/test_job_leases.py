"""Job leases: a restarted server takes back at once the jobs its stopped predecessor on the
same host left RUNNING, and a running job's lease is renewed while its handler works, however
long one step takes."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from convmem.config import Settings
from convmem.jobs import queue
from convmem.jobs.worker import JobWorker, worker_identity
from convmem.runtime import Runtime
from convmem.storage import migrate
from convmem.storage.db import Database
from convmem.storage.job_tables import jobs


@pytest.fixture
def private_db(private_database: str) -> Iterator[Database]:
    database = Database(private_database)
    migrate.upgrade(database)
    yield database
    database.dispose()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _status(db: Database, job_id: str) -> tuple[str, str | None]:
    with db.read() as conn:
        row = conn.execute(select(jobs.c.status, jobs.c.claimed_by).where(jobs.c.id == job_id)).one()
    return row.status, row.claimed_by


def _running(db: Database, kind: str, claimed_by: str) -> str:
    with db.write() as conn:
        job_id = queue.enqueue(conn, kind, {})
        conn.execute(update(jobs).where(jobs.c.id == job_id).values(
            status="RUNNING", claimed_by=claimed_by, claimed_at=queue.utcnow(), attempts=1))
    return job_id


def test_a_restarted_worker_takes_back_its_dead_predecessors_jobs_at_once(private_db: Database) -> None:
    host = socket.gethostname()[:40]
    orphan = _running(private_db, "test.orphan", worker_identity(host, _dead_pid()))
    live_elsewhere = _running(private_db, "test.orphan", worker_identity("another-host", _dead_pid()))
    alive_here = _running(private_db, "test.orphan", worker_identity(host, 1))  # pid 1 is alive
    runtime = Runtime.build(Settings(job_lease_seconds=600.0, job_poll_seconds=0.05), db=private_db)
    worker = JobWorker(runtime)
    assert worker.take_back_orphans() == 1
    assert _status(private_db, orphan) == ("PENDING", None)
    assert _status(private_db, live_elsewhere)[0] == "RUNNING"  # another host's: its lease decides
    assert _status(private_db, alive_here)[0] == "RUNNING"


def test_the_lease_of_a_slow_job_is_renewed_while_it_runs(private_db: Database) -> None:
    settings = Settings(job_lease_seconds=0.4, job_poll_seconds=0.05)
    runtime = Runtime.build(settings, db=private_db)
    started, release = threading.Event(), threading.Event()
    runtime.jobs.register("test.slow", lambda ctx: (started.set(), release.wait(5)))
    with private_db.write() as conn:
        job_id = queue.enqueue(conn, "test.slow", {})
    worker = JobWorker(runtime)
    worker._heartbeat = threading.Thread(target=worker._renew_leases, daemon=True)
    worker._heartbeat.start()
    runner = threading.Thread(target=worker.run_once)
    runner.start()
    try:
        assert started.wait(5)
        time.sleep(1.2)  # three lease periods: without renewal another worker could claim it now
        assert queue.claim(private_db, "someone-else", settings.job_lease_seconds, runtime.jobs) == []
        assert _status(private_db, job_id) == ("RUNNING", worker.worker_id)
    finally:
        release.set()
        runner.join(5)
        worker._stop.set()
    assert _status(private_db, job_id)[0] == "DONE"
