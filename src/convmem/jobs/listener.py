"""PostgreSQL LISTEN for the job queue: how a worker learns within milliseconds that another
process enqueued a job.

``queue.enqueue`` sends ``NOTIFY convmem_jobs`` in the enqueuing transaction; PostgreSQL
delivers it to every listening session when (and only if) that transaction commits. Each
job-running process keeps one connection of its own (outside the pool: it sits idle in LISTEN
for the life of the process) in a thread that turns every notification into a wake-up of the
process's workers (``queue.wakeup``).

While the connection is down (a database restart, a network cut) the workers fall back to
polling every ``job_poll_seconds`` (they ask ``healthy``); the thread reconnects with a growing
pause, and wakes the workers once it listens again, since jobs may have been enqueued
meanwhile. A silently dead connection is found by a ping every few seconds."""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.engine import URL

from convmem.jobs import queue

log = logging.getLogger("convmem.jobs.listener")

_WAIT_SECONDS = 0.5  # how long one wait for notifications lasts: the bound on stop() latency
_PING_SECONDS = 5.0  # a connection cut without a FIN is only noticed when we send something
_RECONNECT_FIRST, _RECONNECT_MAX = 0.5, 10.0
_CONNECT_TIMEOUT = 5


def conninfo(url: URL) -> str:
    """A libpq connection URI for psycopg from the engine's SQLAlchemy URL."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class NotificationListener:
    """The LISTEN thread of one process (started by ``background.Background`` on PostgreSQL)."""

    def __init__(self, url: URL, wakeup: queue.Wakeup | None = None, channel: str = queue.CHANNEL) -> None:
        self._conninfo = conninfo(url)
        self._where = url.render_as_string(hide_password=True)
        self._wakeup = wakeup or queue.wakeup
        self._channel = channel
        self._stop = threading.Event()
        self._healthy = threading.Event()
        self._thread = threading.Thread(target=self._run, name="convmem-job-listener", daemon=True)
        self.notifications = 0  # received since start (for tests and logs)

    @property
    def healthy(self) -> bool:
        """Listening now: the workers may poll rarely."""
        return self._healthy.is_set()

    def wait_until_listening(self, timeout: float) -> bool:
        return self._healthy.wait(timeout)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        pause = _RECONNECT_FIRST
        while not self._stop.is_set():
            try:
                self._listen()
                pause = _RECONNECT_FIRST
            except Exception as exc:  # any failure: fall back to polling and reconnect
                if not self._stop.is_set():
                    log.warning("job notifications from %s interrupted (%s: %s); polling until reconnected",
                                self._where, type(exc).__name__, exc)
            finally:
                if self._healthy.is_set():
                    self._healthy.clear()
                    self._wakeup.set()  # waiting workers switch to the short poll at once
            if self._stop.wait(pause):
                return
            pause = min(pause * 2, _RECONNECT_MAX)

    def _listen(self) -> None:
        import psycopg  # the PostgreSQL driver; only imported where PostgreSQL is used

        with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=_CONNECT_TIMEOUT,
                             application_name="convmem-job-listener") as conn:
            conn.execute(f"LISTEN {self._channel}")
            self._healthy.set()
            # Jobs enqueued while nobody listened (start-up, a reconnect) would otherwise wait
            # for the next poll.
            self._wakeup.set()
            next_ping = time.monotonic() + _PING_SECONDS
            while not self._stop.is_set():
                for _ in conn.notifies(timeout=_WAIT_SECONDS):
                    self.notifications += 1
                    self._wakeup.set()
                    if self._stop.is_set():
                        return
                if time.monotonic() >= next_ping:
                    conn.execute("SELECT 1")
                    next_ping = time.monotonic() + _PING_SECONDS
