"""The worker thread: claims jobs of every registered kind and runs their handlers.

Handlers are registered by kind (``register("embed", handle_embed, batch=64)``) so that other
features (bulk imports, extraction, timers) can reuse the same queue. A handler gets a list of
jobs and handles them together (batching is what makes embedding fast); if it raises, each of
those jobs is retried later."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from convmem.jobs import queue
from convmem.jobs.queue import Job
from convmem.storage.db import Database

log = logging.getLogger("convmem.jobs")

Handler = Callable[[Database, list[Job]], None]


@dataclass(frozen=True)
class Registration:
    handler: Handler
    batch: int


_registry: dict[str, Registration] = {}


def register(kind: str, handler: Handler, *, batch: int = 1) -> None:
    _registry[kind] = Registration(handler, batch)


def registered_kinds() -> list[str]:
    return sorted(_registry)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_once(db: Database) -> int:
    """Claim and handle one batch of each kind; the number of jobs handled."""
    handled = 0
    for kind, reg in list(_registry.items()):
        batch = queue.claim(db, kind, reg.batch, worker_name())
        if not batch:
            continue
        try:
            reg.handler(db, batch)
        except Exception as exc:  # a failing handler must not stop the worker
            log.exception("job handler %s failed for %d jobs", kind, len(batch))
            for job in batch:
                queue.fail(db, job, f"{type(exc).__name__}: {exc}")
        else:
            queue.complete(db, [job.id for job in batch])
        handled += len(batch)
    return handled


class Worker:
    """One background thread per server process."""

    def __init__(self, db: Database, *, idle_poll: float = 0.5) -> None:
        self.db = db
        self.idle_poll = idle_poll
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="convmem-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        queue.notify()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        last_prune = 0.0
        while not self._stop.is_set():
            try:
                handled = run_once(self.db)
                if time.monotonic() - last_prune > 60:
                    queue.prune_done(self.db, timedelta(hours=1))
                    last_prune = time.monotonic()
            except Exception:  # database briefly unavailable, etc.: back off and retry
                log.exception("job worker iteration failed")
                handled = 0
                self._stop.wait(1.0)
            if not handled:
                queue.wait_for_work(self.idle_poll)
