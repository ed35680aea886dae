"""Kinds registered with a batch size are claimed several jobs at a time, run once on the merged
payload and finished together; an idle poll claims nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from convmem.config import Settings
from convmem.jobs import queue
from convmem.jobs.worker import JobWorker
from convmem.runtime import Runtime
from convmem.storage import migrate
from convmem.storage.db import Database
from convmem.storage.job_tables import jobs

KIND = "test.batched"
SOLO = "test.solo"


@pytest.fixture
def private_db(tmp_path: Path) -> Iterator[Database]:
    # A database of its own: the test server's worker must not claim these jobs.
    database = Database(f"sqlite:///{tmp_path / 'jobs.db'}")
    migrate.upgrade(database)
    yield database
    database.dispose()


def _merge(payloads: list[dict[str, Any]]) -> dict[str, Any]:
    return {"n": [n for p in payloads for n in p["n"]]}


def _enqueue(db: Database, kind: str, count: int) -> None:
    for n in range(count):
        with db.write() as conn:
            queue.enqueue(conn, kind, {"n": [n]})


def _statuses(db: Database, kind: str) -> list[tuple[str, int]]:
    with db.read() as conn:
        return [(r.status, r.attempts) for r in
                conn.execute(select(jobs.c.status, jobs.c.attempts).where(jobs.c.kind == kind)
                             .order_by(jobs.c.created_at))]


def test_a_batching_kind_runs_waiting_jobs_together(private_db: Database) -> None:
    seen: list[list[int]] = []
    runtime = Runtime.build(Settings(), db=private_db)
    runtime.jobs.register(KIND, lambda ctx: seen.append(ctx.payload["n"]), merge=_merge, batch=8)
    _enqueue(private_db, KIND, 11)
    worker = JobWorker(runtime)

    assert worker.run_once() and worker.run_once()
    assert not worker.run_once()  # the queue is empty now
    assert seen == [list(range(8)), [8, 9, 10]]  # oldest first, merged in order
    assert _statuses(private_db, KIND) == [("DONE", 1)] * 11


def test_a_failed_batch_is_retried_as_a_whole(private_db: Database) -> None:
    calls: list[list[int]] = []

    def fail(ctx: queue.JobContext) -> None:
        calls.append(ctx.payload["n"])
        raise RuntimeError("model crashed")

    runtime = Runtime.build(Settings(), db=private_db)
    runtime.jobs.register(KIND, fail, merge=_merge, batch=4)
    _enqueue(private_db, KIND, 3)
    JobWorker(runtime).run_once()

    assert calls == [[0, 1, 2]]
    assert _statuses(private_db, KIND) == [("PENDING", 1)] * 3  # all back in the queue, attempt counted


def test_other_kinds_are_claimed_one_by_one(private_db: Database) -> None:
    seen: list[list[int]] = []
    runtime = Runtime.build(Settings(), db=private_db)
    runtime.jobs.register(SOLO, lambda ctx: seen.append(ctx.payload["n"]))
    _enqueue(private_db, SOLO, 3)
    worker = JobWorker(runtime)
    while worker.run_once():
        pass
    assert seen == [[0], [1], [2]]
