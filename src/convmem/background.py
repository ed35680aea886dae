"""The background work of a process: job workers, the PostgreSQL job listener and the
conversation lifecycle timers.

Two roles run it. ``convmem serve`` runs it beside HTTP (the embedded default; ``--no-jobs``
turns it off for an API-only process), from the app's lifespan (app.py). ``convmem worker``
runs only this, with ``--concurrency`` worker threads (``run_worker``), until SIGTERM or SIGINT.
Any number of either share one database: jobs are claimed with ``SKIP LOCKED`` (jobs/queue.py)
and timers are applied under row locks (services/conversations/lifecycle.py), so each runs once."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Protocol

from convmem.domain.conversations.lifecycle import Clock
from convmem.jobs.listener import NotificationListener
from convmem.jobs.worker import JobWorker
from convmem.runtime import Runtime
from convmem.services.conversations.lifecycle import Scheduler

log = logging.getLogger("convmem.background")

# Start-up steps, reported to ``on_step`` (the CLI's progress display) as they begin.
Step = Callable[[str], None]


class StartupReport(Protocol):
    """What ``run_worker`` tells a progress display (progress.StartupSteps) while it starts."""

    def expect(self, total: int) -> None: ...

    def step(self, name: str) -> None: ...

    def close(self, summary: str) -> None: ...


class Background:
    """``concurrency`` job workers (each its own identity in the jobs table) and, when asked,
    the lifecycle timers' scheduler; on PostgreSQL one LISTEN connection wakes them all."""

    def __init__(self, runtime: Runtime, *, jobs: bool = True, timers: bool = True, concurrency: int = 1) -> None:
        self.runtime = runtime
        settings = runtime.settings
        self.listener = (NotificationListener(runtime.db.url) if jobs and not runtime.db.is_sqlite else None)
        self.workers = [JobWorker(runtime, self.listener) for _ in range(concurrency)] if jobs else []
        self.scheduler = (Scheduler(runtime.db, Clock.with_minute(settings.conversation_minute_seconds),
                                    settings.conversation_timer_interval_seconds) if timers else None)
        self.taken_back = 0

    @classmethod
    def for_settings(cls, runtime: Runtime) -> Background | None:
        """What ``convmem serve`` runs beside HTTP: per ``run_jobs``/``run_conversation_timers``
        (``--no-jobs`` turns both off) and ``job_concurrency``; None when nothing."""
        settings = runtime.settings
        if not settings.run_jobs and not settings.run_conversation_timers:
            return None
        return cls(runtime, jobs=settings.run_jobs, timers=settings.run_conversation_timers,
                   concurrency=settings.job_concurrency)

    @property
    def startup_steps(self) -> int:
        """How many steps ``start`` reports."""
        return (2 if self.workers else 0) + (self.listener is not None) + (self.scheduler is not None)

    def start(self, on_step: Step | None = None) -> None:
        step = on_step or (lambda _: None)
        if self.workers:
            step("taking back the jobs of stopped processes on this host")
            try:
                self.taken_back = self.workers[0].take_back_orphans()
            except Exception:
                log.exception("could not release the jobs of a previous process on this host")
            if self.taken_back:
                log.warning("took back %s job(s) left running by a stopped process on this host", self.taken_back)
        if self.listener is not None:
            step("listening for new jobs (PostgreSQL LISTEN)")
            self.listener.start()
            # Not waited for long: until it listens the workers poll, which is correct, only slower.
            self.listener.wait_until_listening(2.0)
        if self.workers:
            step(f"starting {len(self.workers)} job worker(s)")
            for worker in self.workers:
                worker.start(take_back=False)
        if self.scheduler is not None:
            step("starting the conversation timers")
            self.scheduler.start()

    def stop(self, timeout: float | None = None, abort: threading.Event | None = None) -> int:
        """Timers first (the next process to start applies what is due), then the workers:
        they stop claiming at once, and each running job gets ``timeout`` seconds (default
        ``job_stop_timeout_seconds``; cut short when ``abort`` is set) to finish before it is
        released for another worker. Returns how many jobs were released."""
        if self.scheduler is not None:
            self.scheduler.stop()
        for worker in self.workers:
            worker.request_stop()
        limit = self.runtime.settings.job_stop_timeout_seconds if timeout is None else timeout
        deadline = time.monotonic() + limit
        for worker in self.workers:
            # In slices, so that ``abort`` (a second signal) is heeded within 50 ms.
            while worker.join(0.05) and time.monotonic() < deadline and not (abort is not None and abort.is_set()):
                pass
        released = sum(worker.stop(timeout=0) for worker in self.workers)
        if self.listener is not None:
            self.listener.stop()
        return released


def run_worker(runtime: Runtime, concurrency: int, report: StartupReport | None = None,
               stopping: threading.Event | None = None) -> int:
    """``convmem worker``: run the background work until SIGTERM or SIGINT (or ``stopping`` is
    set), then stop cleanly: a second signal releases running jobs at once instead of waiting.
    Returns the exit status."""
    stop = stopping or threading.Event()
    abort = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            abort.set()
            return
        log.info("stopping on %s", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    background = Background(runtime, jobs=True, timers=runtime.settings.run_conversation_timers,
                            concurrency=concurrency)
    try:
        if report is not None:
            report.expect(background.startup_steps)
        background.start(report.step if report is not None else None)
        if report is not None:
            report.close(f"worker running: {concurrency} thread(s), "
                         f"{background.taken_back} job(s) taken back from stopped processes")
        log.info("worker started", extra={"fields": {
            "concurrency": concurrency, "listening": background.listener is not None,
            "timers": background.scheduler is not None, "taken_back": background.taken_back}})
        # Short waits: the main thread must come back to Python for the signal handler to run.
        while not stop.wait(0.5):
            pass
        released = background.stop(abort=abort)
        log.info("worker stopped", extra={"fields": {"released": released}})
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
