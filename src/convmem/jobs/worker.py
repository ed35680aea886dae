"""A job worker: a thread that claims and runs jobs (``background.Background`` starts one or
more per process: in ``convmem serve`` unless ``--no-jobs``, and in ``convmem worker``)."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from convmem import tracing
from convmem.domain.timefmt import utcnow
from convmem.jobs import queue
from convmem.storage import operations

if TYPE_CHECKING:
    from convmem.jobs.listener import NotificationListener
    from convmem.runtime import Runtime

log = logging.getLogger("convmem.jobs")
_QUICK_RETRIES = 20
_QUICK_RETRY_SECONDS = 0.01
_HOUSEKEEPING_SECONDS = 600.0
_DONE_JOBS_KEPT = timedelta(hours=1)


def worker_identity(host: str, pid: int) -> str:
    """``host:pid:nonce``: the host and process let a restarted server on the same host tell
    its dead predecessor's claims from live ones (``queue.release_orphans``); the nonce tells
    two incarnations with the same pid apart (a container restarted as pid 1)."""
    return f"{host}:{pid}:{uuid.uuid4().hex[:12]}"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's live process
        return True
    return True


class JobWorker:
    """Claims and runs the jobs of the runtime's registry, in a thread of its own. With a
    ``listener`` (PostgreSQL) that is up, an idle worker waits for its notifications and polls
    only every ``job_listen_poll_seconds``; otherwise it polls every ``job_poll_seconds``."""

    def __init__(self, runtime: Runtime, listener: NotificationListener | None = None) -> None:
        self._runtime = runtime
        self._listener = listener
        self._db = runtime.db
        self._settings = runtime.settings
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._heartbeat: threading.Thread | None = None
        self._running_jobs: list[str] = []
        self._running_lock = threading.Lock()
        # claimed_by holds 64 characters: host (at most 40), pid and nonce.
        self.host, self.pid = socket.gethostname()[:40], os.getpid()
        self.worker_id = worker_identity(self.host, self.pid)

    def take_back_orphans(self) -> int:
        """Release the jobs that stopped processes on this host left RUNNING (a claim of this
        process's own pid under another nonce is a previous incarnation's)."""
        return queue.release_orphans(self._db, self.host, self.worker_id,
                                     lambda pid: pid != self.pid and pid_alive(pid))

    def start(self, *, take_back: bool = True) -> None:
        """Start the threads; first (``take_back``) release what stopped processes on this host
        left running. A process starting several workers does that once, before any of them
        claims (a sibling's claim carries this process's pid under another nonce)."""
        if take_back:
            try:
                released = self.take_back_orphans()
            except Exception:
                log.exception("could not release the jobs of a previous process on this host")
            else:
                if released:
                    log.warning("took back %s job(s) left running by a stopped process on this host", released)
        self._thread = threading.Thread(target=self._run, name="convmem-jobs", daemon=True)
        self._thread.start()
        self._heartbeat = threading.Thread(target=self._renew_leases, name="convmem-job-leases", daemon=True)
        self._heartbeat.start()

    def request_stop(self) -> None:
        """Claim nothing more; the job in hand goes on (``stop`` waits for it)."""
        self._stop.set()
        queue.wakeup.set()

    def stop(self, timeout: float = 10.0) -> int:
        """Stop claiming, give the running job up to ``timeout`` seconds to finish, and release
        it if it has not (another worker runs it again; handlers are idempotent). Returns how
        many jobs were released."""
        self.request_stop()
        if self._thread is not None:
            self._thread.join(timeout)
        released = 0
        if self._thread is not None and self._thread.is_alive():
            with self._running_lock:
                running = list(self._running_jobs)
            try:
                released = queue.release(self._db, running, self.worker_id)
            except Exception:
                log.exception("could not release job(s) %s; their lease will run out", running)
            if released:
                log.warning("released %s unfinished job(s) on shutdown: %s", released, running)
        if self._heartbeat is not None:
            self._heartbeat.join(1.0)
        return released

    def join(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the thread to end; whether it still runs."""
        if self._thread is None:
            return False
        self._thread.join(timeout)
        return self._thread.is_alive()

    def _renew_leases(self) -> None:
        """Renew the lease of the running job a few times per lease period, whatever its handler
        is doing: the lease can then be short (a crashed worker's job is taken over within one
        lease) without a slow handler step losing its job to another worker."""
        interval = self._settings.job_lease_seconds / 4
        while not self._stop.wait(interval):
            with self._running_lock:
                running = list(self._running_jobs)
            if not running:
                continue
            try:
                queue.renew(self._db, running, self.worker_id)
            except Exception:
                log.warning("could not renew the lease of job(s) %s", running, exc_info=True)

    def run_once(self) -> bool:
        """Claim and run one job (or one batch of a batching kind). False when there was nothing to do."""
        with tracing.quiet():  # the claim, not the job: mostly empty polls
            claimed = queue.claim(self._db, self.worker_id, self._settings.job_lease_seconds, self._runtime.jobs)
        if not claimed:
            return False
        job, job_ids = claimed[0], [row.id for row in claimed]
        registration = self._runtime.jobs.get(job.kind)
        if registration is None:
            queue.finish(self._db, job_ids, error=f"no handler for job kind {job.kind!r}", worker_id=self.worker_id)
            return True
        payload = (registration.merge([dict(row.payload) for row in claimed]) if registration.merge is not None
                   else dict(job.payload))
        ctx = queue.JobContext(self._runtime, job.id, payload,
                               renew=lambda: queue.renew(self._db, job_ids, self.worker_id),
                               attempt=max(row.attempts for row in claimed) + 1)
        with self._running_lock:
            self._running_jobs = job_ids
        try:
            registration.handler(ctx)
        except Exception as exc:
            log.exception("job %s (%s) failed, attempt %s", job.id, job.kind, ctx.attempt)
            retry = ctx.attempt < queue.MAX_ATTEMPTS
            queue.finish(self._db, job_ids, error=f"{type(exc).__name__}: {exc}"[:2000], retry=retry,
                         worker_id=self.worker_id)
        else:
            queue.finish(self._db, job_ids, worker_id=self.worker_id)
        finally:
            with self._running_lock:
                self._running_jobs = []
        return True

    def housekeep(self) -> None:
        """Drop what nobody may read any more: finished jobs, expired operations, and import
        uploads that expired unfinished or whose import finished. Idempotent, so every process
        may run it."""
        # Imported here: the imports service pulls in the profile services, which the job queue
        # itself does not need.
        from convmem.services import imports

        retention = timedelta(days=self._settings.operation_retention_days)
        now = utcnow()
        with self._db.write() as conn:
            queue.purge_finished(conn, done_before=now - _DONE_JOBS_KEPT, kept_before=now - retention)
            operations.purge_older_than(conn, self._settings.operation_retention_days)
        # In short transactions of their own (one per import), after the purge above committed.
        imports.clean_up_uploads(self._db, ttl_seconds=self._settings.import_upload_ttl_seconds,
                                 data_dir=self._settings.data_dir, now=now)

    def _poll_seconds(self) -> float:
        if self._listener is not None and self._listener.healthy:
            return self._settings.job_listen_poll_seconds
        return self._settings.job_poll_seconds

    def _run(self) -> None:
        # A wake-up by this process's enqueue arrives before the enqueuing transaction commits
        # (and, on PostgreSQL, a claim does not wait for it): after one, retry quickly for a
        # short while before going back to waiting.
        quick_retries = 0
        next_housekeeping = time.monotonic()
        while not self._stop.is_set():
            # Read before looking for work: a wake-up that comes while we look is not lost.
            seen = queue.wakeup.generation
            if time.monotonic() >= next_housekeeping:
                next_housekeeping = time.monotonic() + _HOUSEKEEPING_SECONDS
                try:
                    self.housekeep()
                except Exception:
                    log.exception("housekeeping failed")
            try:
                busy = self.run_once()
            except Exception:
                log.exception("job worker pass failed")
                busy = False
            if busy:
                continue
            if quick_retries > 0:
                quick_retries -= 1
                self._stop.wait(_QUICK_RETRY_SECONDS)
                continue
            if queue.wakeup.wait(seen, self._poll_seconds()) != seen:
                quick_retries = _QUICK_RETRIES
