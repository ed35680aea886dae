"""API and worker roles (issue 15): ``convmem serve --no-jobs`` serves HTTP only and ``convmem
worker`` runs the background work; any number of each share one database, each job runs once,
and a worker wakes on new work within 100 ms (LISTEN/NOTIFY on PostgreSQL, polling on SQLite).

End to end where a role is a process of its own; in-process for the pieces (the wake-up, the
listener's reconnection, releasing unfinished jobs on shutdown)."""

from __future__ import annotations

import signal
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from convmem import cli
from convmem.background import Background
from convmem.config import Settings
from convmem.jobs import queue
from convmem.jobs.listener import NotificationListener
from convmem.runtime import Runtime
from convmem.services import erasure
from convmem.storage.db import Database
from convmem.storage.job_tables import jobs
from tests.support.credentials import new_account
from tests.support.databases import BACKEND, migrated
from tests.support.live import free_port, stop_server
from tests.support.processes import wait_for
from tests.support.profiles import contact
from tests.support.wire import create_store
from tests.support.worker import start_api_only, start_worker, stop_worker

postgresql_only = pytest.mark.skipif(BACKEND != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's")
# A real job kind whose handler does nothing for an empty table list: the queue's behaviour alone.
NOOP = (erasure.KIND, {"tables": []})


@pytest.fixture
def private_db(private_database: str) -> Iterator[Database]:
    with migrated(private_database) as database:
        yield database


def _enqueue(db: Database, count: int = 1) -> list[str]:
    with db.write() as conn:
        return [queue.enqueue(conn, NOOP[0], dict(NOOP[1])) for _ in range(count)]


def _rows(db: Database, job_ids: list[str]) -> list[Any]:
    with db.read() as conn:
        return list(conn.execute(select(jobs).where(jobs.c.id.in_(job_ids))).all())


def _wait_done(db: Database, job_ids: list[str], timeout: float) -> list[Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = _rows(db, job_ids)
        if all(r.status in ("DONE", "FAILED") for r in rows):
            return rows
        time.sleep(0.05)
    raise AssertionError(f"jobs still not done after {timeout} s")


# ---- end to end: the roles as processes ----------------------------------------------------

@pytest.mark.e2e
def test_a_job_submitted_to_an_api_only_process_completes_only_once_a_worker_runs(
        private_db: Database, private_database: str, tmp_path: Path) -> None:
    api = start_api_only(private_database, tmp_path / "api.log")
    worker = None
    try:
        creds = new_account(private_db)
        with api.http(creds) as http:
            store_id = create_store(http)
            accepted = http.put(f"/v1/Stores/{store_id}/Profiles/Bulk",
                                json={"profiles": [{"traits": contact(email="roles@example.com")}]})
            assert accepted.status_code == 202, accepted.text
            status_url = accepted.json()["statusUrl"]
            time.sleep(1.5)  # many poll periods: an API process with a worker would be done by now
            assert http.get(status_url).json()["status"] not in ("COMPLETED", "FAILED")
            with private_db.read() as conn:
                waiting = conn.execute(select(jobs.c.status, jobs.c.claimed_by)).all()
            assert [(r.status, r.claimed_by) for r in waiting] == [("PENDING", None)]

            worker = start_worker(private_database, tmp_path / "worker.log")
            deadline = time.monotonic() + 30
            while (op := http.get(status_url).json())["status"] not in ("COMPLETED", "FAILED"):
                assert time.monotonic() < deadline, op
                time.sleep(0.05)
            assert op["status"] == "COMPLETED", op
            found = http.post(f"/v1/Stores/{store_id}/Profiles/Lookup",
                              json={"idType": "email", "value": "roles@example.com"})
            assert found.status_code == 200 and len(found.json()["profiles"]) == 1, found.text
        with private_db.read() as conn:
            ran_by = conn.execute(select(jobs.c.claimed_by)).scalar_one()
        assert ran_by is not None and ran_by.split(":")[1] == str(worker.process.pid)
    finally:
        if worker is not None:
            stop_worker(worker)
        stop_server(api)


@pytest.mark.e2e
def test_two_worker_processes_never_run_the_same_job(private_db: Database, private_database: str,
                                                      tmp_path: Path) -> None:
    workers = [start_worker(private_database, tmp_path / f"worker{i}.log", concurrency=2) for i in range(2)]
    try:
        job_ids: list[str] = []
        for _ in range(30):  # in small transactions, so that the workers race for them as they come
            job_ids += _enqueue(private_db, 10)
            time.sleep(0.01)
        rows = _wait_done(private_db, job_ids, timeout=90)
    finally:
        for worker in workers:
            stop_worker(worker)
    assert len(rows) == 300
    assert {r.status for r in rows} == {"DONE"}
    # Each claim adds an attempt: one attempt each means no job was claimed twice.
    assert {r.attempts for r in rows} == {1}
    pids = {r.claimed_by.split(":")[1] for r in rows}
    assert pids == {str(w.process.pid) for w in workers}  # both processes took their share
    assert all(w.process.returncode == 0 for w in workers)


@pytest.mark.e2e
@postgresql_only
def test_a_worker_wakes_on_new_work_within_100_ms_on_postgresql(private_db: Database, private_database: str,
                                                                tmp_path: Path) -> None:
    # The poll that would also find the jobs is made slow: what is measured is LISTEN/NOTIFY.
    worker = start_worker(private_database, tmp_path / "worker.log", extra_env={
        "CONVMEM_JOB_LISTEN_POLL_SECONDS": "30", "CONVMEM_LOG_LEVEL": "INFO"})
    try:
        # The start report ("worker running", which start_worker waits for) is written just before the
        # structured "worker started" line: on a busy machine that line can come a moment later.
        wait_for(lambda: '"listening": true' in worker.log(), timeout=10)
        time.sleep(0.5)
        job_ids = []
        for i in range(40):
            job_ids += _enqueue(private_db)
            time.sleep(0.05 + (i % 7) * 0.02)  # spread over the poll phase
        rows = _wait_done(private_db, job_ids, timeout=30)
    finally:
        stop_worker(worker)
    # created_at is stamped just before the enqueuing transaction commits; claimed_at when the
    # worker claimed it (one clock: same host).
    delays = sorted((r.claimed_at - r.created_at).total_seconds() for r in rows)
    p95 = delays[int(len(delays) * 0.95) - 1]
    print(f"wake-up on PostgreSQL: median {statistics.median(delays) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
          f"max {delays[-1] * 1000:.1f} ms over {len(delays)} jobs")
    assert p95 < 0.1, delays


@pytest.mark.e2e
def test_a_worker_stops_cleanly_on_sigterm_and_sigint(private_database: str, tmp_path: Path) -> None:
    for signum in (signal.SIGTERM, signal.SIGINT):
        worker = start_worker(private_database, tmp_path / f"worker-{signum}.log", concurrency=2)
        worker.signal(signum)
        assert worker.wait(timeout=20) == 0, worker.log()
        assert "Traceback" not in worker.log()


@pytest.mark.e2e
def test_a_worker_serves_its_own_metrics_with_the_token(private_database: str, tmp_path: Path) -> None:
    port = free_port()
    worker = start_worker(private_database, tmp_path / "worker.log", args=("--metrics-port", str(port)),
                          extra_env={"CONVMEM_METRICS_TOKEN": "worker-scrape"})
    try:
        url = f"http://127.0.0.1:{port}/metrics"
        assert httpx.get(url, timeout=10).status_code == 401
        assert httpx.get(url, headers={"Authorization": "Bearer nope"}, timeout=10).status_code == 401
        scraped = httpx.get(url, headers={"Authorization": "Bearer worker-scrape"}, timeout=10)
        assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain")
        assert 'convmem_jobs_pending{kind="embed"}' in scraped.text
        assert "convmem_ingest_delay_seconds_count" in scraped.text
    finally:
        stop_worker(worker)


def test_the_cli_offers_the_roles() -> None:
    runner = CliRunner()
    worker_help = runner.invoke(cli.app, ["worker", "--help"], terminal_width=200)
    assert worker_help.exit_code == 0
    assert "--concurrency" in worker_help.output and "--database-url" in worker_help.output
    assert "--no-jobs" in runner.invoke(cli.app, ["serve", "--help"], terminal_width=200).output


# ---- in process: the pieces ----------------------------------------------------------------

def test_no_wake_up_is_lost_between_several_waiting_threads() -> None:
    wakeup = queue.Wakeup()
    seen = wakeup.generation
    woken: list[int] = []
    waiters = [threading.Thread(target=lambda: woken.append(wakeup.wait(seen, 5))) for _ in range(4)]
    for waiter in waiters:
        waiter.start()
    time.sleep(0.05)
    started = time.monotonic()
    wakeup.set()
    for waiter in waiters:
        waiter.join(5)
    assert woken == [seen + 1] * 4 and time.monotonic() - started < 1
    # A wake-up that came before the wait is not missed either.
    assert wakeup.wait(seen, 5) == seen + 1


def test_stopping_releases_a_job_that_does_not_finish_in_time(private_db: Database) -> None:
    runtime = Runtime.build(Settings(job_poll_seconds=0.02, job_stop_timeout_seconds=0.2), db=private_db)
    started, release = threading.Event(), threading.Event()
    runtime.jobs.register("test.slow", lambda ctx: (started.set(), release.wait(10)))
    with private_db.write() as conn:
        job_id = queue.enqueue(conn, "test.slow", {})
    background = Background(runtime, jobs=True, timers=False, concurrency=2)
    background.start()
    try:
        assert started.wait(10)
        began = time.monotonic()
        assert background.stop() == 1
        assert time.monotonic() - began < 2
        with private_db.read() as conn:
            row = conn.execute(select(jobs).where(jobs.c.id == job_id)).one()
        assert (row.status, row.claimed_by) == ("PENDING", None)  # runnable at once by any worker
    finally:
        release.set()
    time.sleep(0.2)  # the released handler returns: its finish must not mark the job done
    with private_db.read() as conn:
        assert conn.execute(select(jobs.c.status).where(jobs.c.id == job_id)).scalar_one() == "PENDING"


def test_a_job_finishing_within_the_stop_timeout_is_finished(private_db: Database) -> None:
    runtime = Runtime.build(Settings(job_poll_seconds=0.02, job_stop_timeout_seconds=5), db=private_db)
    started = threading.Event()
    runtime.jobs.register("test.brief", lambda ctx: (started.set(), time.sleep(0.3)))
    with private_db.write() as conn:
        job_id = queue.enqueue(conn, "test.brief", {})
    background = Background(runtime, jobs=True, timers=False)
    background.start()
    assert started.wait(10)
    assert background.stop() == 0
    with private_db.read() as conn:
        assert conn.execute(select(jobs.c.status).where(jobs.c.id == job_id)).scalar_one() == "DONE"


@postgresql_only
def test_the_listener_wakes_workers_and_reconnects_after_its_connection_dies(private_db: Database) -> None:
    wakeup = queue.Wakeup()
    listener = NotificationListener(private_db.url, wakeup)
    listener.start()
    try:
        assert listener.wait_until_listening(10)
        seen = wakeup.generation
        _enqueue(private_db)  # another connection; the NOTIFY is delivered at its commit
        assert wakeup.wait(seen, 5) != seen and listener.notifications == 1
        with private_db.write() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE application_name = 'convmem-job-listener' AND datname = current_database()"))
        deadline = time.monotonic() + 5
        while listener.healthy and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not listener.healthy  # the workers poll meanwhile
        assert listener.wait_until_listening(10)  # and it came back by itself
        seen = wakeup.generation
        _enqueue(private_db)
        assert wakeup.wait(seen, 5) != seen and listener.notifications == 2
    finally:
        listener.stop()


@postgresql_only
def test_a_rolled_back_enqueue_wakes_no_other_process(private_db: Database) -> None:
    """NOTIFY is sent in the enqueuing transaction: a rollback takes it back with the job."""
    wakeup = queue.Wakeup()
    listener = NotificationListener(private_db.url, wakeup)
    listener.start()
    try:
        assert listener.wait_until_listening(10)
        seen = wakeup.generation
        with pytest.raises(RuntimeError), private_db.write() as conn:
            queue.enqueue(conn, NOOP[0], {})
            raise RuntimeError("rolled back")
        assert wakeup.wait(seen, 0.5) == seen and listener.notifications == 0
    finally:
        listener.stop()
