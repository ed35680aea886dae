"""The operator's metrics, in the Prometheus text format (prometheus-client).

One ``Metrics`` per runtime (``Runtime.metrics``), holding its own registry: nothing is
registered in prometheus-client's global registry, so two runtimes in one process (tests, tools)
do not collide. What is measured:

- ``convmem_http_request_duration_seconds{method, route, status}``: every HTTP request, by route
  template (``/v1/Stores/{storeId}/...``, never the raw path: ids would make a series per
  customer), observed by ``api.metrics.RequestMetricsMiddleware``;
- ``convmem_recall_duration_seconds``: Recall on the server (api/recall.py);
- ``convmem_ingest_delay_seconds``: from an observation or summary being written to its vector
  being stored (the embedding job, services/embeddings.py); ``convmem_embedding_backlog``: items
  waiting for a vector;
- ``convmem_extraction_outcomes_total{outcome}``: what conversation extraction did with its
  candidates (added, updated, discarded, screened) and how many customer messages the injection
  guard withheld (withheld);
- ``convmem_jobs_pending{kind}`` and ``convmem_jobs_running{kind}``: the job queue;
- ``convmem_db_pool_connections_in_use`` and ``..._max``: this server's database connections.

The queue and backlog gauges are read from the database when scraped (one indexed aggregate
each, cached for two seconds so that a flood of scrapes cannot become a flood of queries).

Several processes (``convmem serve --workers N``) are reported as one through prometheus-client's
multi-process mode: each process writes its samples to files in ``PROMETHEUS_MULTIPROC_DIR``
(the CLI creates one for ``serve --workers N``) and a scrape of any process reads them all.
prometheus-client picks the mode when it is imported, from that environment variable; the CLI
sets it before any process imports it."""

from __future__ import annotations

import hmac
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import values as prometheus_values
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import event

from convmem.storage import monitoring
from convmem.storage.db import Database

log = logging.getLogger("convmem.metrics")

CONTENT_TYPE = CONTENT_TYPE_LATEST
OUTCOMES = ("added", "updated", "discarded", "withheld", "screened")
# Seconds; the HTTP buckets resolve both a 5 ms lookup and a slow import upload, Recall's the
# 5-50 ms range its targets live in, the ingest delay's seconds to half an hour of backlog.
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
RECALL_BUCKETS = (0.005, 0.01, 0.015, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5)
INGEST_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0)
_SCRAPE_CACHE_SECONDS = 2.0


def multiprocess_active() -> bool:
    """Whether prometheus-client writes samples to the multi-process directory (decided from
    the environment when it was imported)."""
    return bool(getattr(prometheus_values.ValueClass, "_multiprocess", False))


class DatabaseGauges(Collector):
    """The gauges read from the database at scrape time: jobs by kind, the embedding backlog,
    and whether the database answered (``convmem_metrics_database_up``)."""

    def __init__(self, db: Database, kinds: Iterable[str]) -> None:
        self._db = db
        self._kinds = sorted(kinds)
        self._lock = threading.Lock()
        self._cached: tuple[float, list[Metric]] | None = None

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            if self._cached is None or time.monotonic() - self._cached[0] > _SCRAPE_CACHE_SECONDS:
                self._cached = (time.monotonic(), self._read())
            families = self._cached[1]
        yield from families

    def _read(self) -> list[Metric]:
        up = GaugeMetricFamily("convmem_metrics_database_up",
                               "1 when the database answered this scrape's queries, else 0")
        try:
            with self._db.read() as conn:
                live = monitoring.live_jobs(conn)
                backlog = monitoring.embedding_backlog(conn)
        except Exception as exc:  # the rest of the scrape is still worth having
            log.warning("metrics: the database did not answer (%s)", type(exc).__name__)
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        families: list[Metric] = [up]
        kinds = sorted(set(self._kinds) | {kind for _, kind in live})
        for status, name, help_text in (("PENDING", "convmem_jobs_pending", "Jobs waiting for a worker"),
                                        ("RUNNING", "convmem_jobs_running", "Jobs a worker is running")):
            family = GaugeMetricFamily(name, help_text, labels=["kind"])
            for kind in kinds:
                family.add_metric([kind], live.get((status, kind), 0))
            families.append(family)
        waiting = GaugeMetricFamily("convmem_embedding_backlog",
                                    "Observations and summaries whose current content has no vector yet")
        waiting.add_metric([], backlog)
        families.append(waiting)
        return families


class Metrics:
    """The metrics of one runtime. ``multiprocess_dir``: the directory of multi-process mode
    (``Settings.prometheus_multiproc_dir``), or None for one process."""

    def __init__(self, multiprocess_dir: Path | None = None) -> None:
        self.registry = CollectorRegistry()
        self.multiprocess_dir = multiprocess_dir if multiprocess_active() else None
        if multiprocess_dir is not None and self.multiprocess_dir is None:
            log.warning("PROMETHEUS_MULTIPROC_DIR was set after prometheus-client was imported: "
                        "this process reports only its own metrics")
        registry = self.registry
        self.http_duration = Histogram(
            "convmem_http_request_duration_seconds", "HTTP requests by method, route template and status",
            ["method", "route", "status"], buckets=HTTP_BUCKETS, registry=registry)
        self.recall_duration = Histogram(
            "convmem_recall_duration_seconds", "Recall requests answered by the server",
            buckets=RECALL_BUCKETS, registry=registry)
        self.ingest_delay = Histogram(
            "convmem_ingest_delay_seconds", "From an observation or summary being written to its vector being stored",
            buckets=INGEST_BUCKETS, registry=registry)
        self.extraction_outcomes = Counter(
            "convmem_extraction_outcomes", "Conversation extraction: candidates added, updated (revised), "
            "discarded (duplicates), screened out (special-category data), and customer messages withheld "
            "(prompt injection)", ["outcome"], registry=registry)
        for outcome in OUTCOMES:
            self.extraction_outcomes.labels(outcome)  # every series exists from the start, at 0
        # livesum: with several processes, the sum over those alive.
        self.pool_in_use = Gauge("convmem_db_pool_connections_in_use", "Database connections checked out of "
                                 "the pool", registry=registry, multiprocess_mode="livesum")
        self.pool_max = Gauge("convmem_db_pool_connections_max", "Database connections the pool may open "
                              "(pool size + overflow)", registry=registry, multiprocess_mode="livesum")
        if self.multiprocess_dir is None:
            ProcessCollector(registry=registry)  # CPU, memory, open files (not in multi-process mode)
        self._database: DatabaseGauges | None = None

    # ---- wiring (Runtime.build) ----

    def watch_database(self, db: Database, kinds: Iterable[str], *, pool: bool = True) -> None:
        """Report the queue and backlog of ``db`` (at scrape time) and, with ``pool``, its pool
        (on every checkout and checkin). The pool is only watched by the runtime that owns the
        database: listeners stay on an engine for its whole life."""
        self._database = DatabaseGauges(db, kinds)
        self.registry.register(self._database)
        if not pool:
            return
        self.pool_max.set(db.pool_capacity)
        # A checkout is always followed by exactly one checkin (also for a connection that was
        # invalidated meanwhile), so counting both keeps the gauge exact.
        event.listen(db.engine, "checkout", lambda *_: self.pool_in_use.inc())
        event.listen(db.engine, "checkin", lambda *_: self.pool_in_use.dec())

    # ---- observations ----

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.http_duration.labels(method, route, str(status)).observe(seconds)

    def observe_recall(self, seconds: float) -> None:
        self.recall_duration.observe(seconds)

    def observe_ingest(self, written: Iterable[datetime], embedded_at: datetime | None = None) -> None:
        now = embedded_at or datetime.now(UTC)
        for at in written:
            self.ingest_delay.observe(max(0.0, (now - at).total_seconds()))

    def count_extraction(self, outcomes: Mapping[str, int]) -> None:
        for outcome in OUTCOMES:
            if outcomes.get(outcome):
                self.extraction_outcomes.labels(outcome).inc(outcomes[outcome])

    # ---- exposition ----

    def exposition(self) -> bytes:
        """The text a scrape returns: this process's registry, or in multi-process mode every
        process's samples from the directory plus the database gauges read now."""
        if self.multiprocess_dir is None:
            return generate_latest(self.registry)
        forget_dead_processes(self.multiprocess_dir)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(self.multiprocess_dir))  # type: ignore[no-untyped-call]
        if self._database is not None:
            registry.register(self._database)
        return generate_latest(registry)


def authorized(header: str | None, token: str | None) -> bool:
    """Whether a scrape may read the metrics: always without a token, else only with
    ``Authorization: Bearer <token>`` (compared in constant time)."""
    if not token:
        return True
    scheme, _, given = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


# ---- the multi-process directory ----

def _pid_of(path: Path) -> int | None:
    """The pid in a prometheus-client file name (``counter_1234.db``, ``gauge_livesum_1234.db``)."""
    tail = path.stem.rpartition("_")[2]
    return int(tail) if tail.isdigit() else None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def forget_dead_processes(directory: Path) -> None:
    """Drop the live gauges (pool in use) of processes that are gone, e.g. a uvicorn worker that
    was restarted; their counters and histograms stay, so totals never go backwards."""
    for pid in {p for p in map(_pid_of, directory.glob("gauge_live*_*.db")) if p is not None}:
        if not pid_alive(pid):
            mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]


def clean_directory(directory: Path) -> int:
    """Empty ``directory`` of the files of processes that no longer run (a previous server's),
    as prometheus-client requires at start-up; files of live processes (a worker sharing the
    directory) stay. Returns how many files were removed."""
    removed = 0
    for path in directory.glob("*.db"):
        pid = _pid_of(path)
        if pid is None or not pid_alive(pid):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


# ---- a /metrics listener for processes without HTTP (convmem worker --metrics-port) ----

def serve_metrics(metrics: Metrics, host: str, port: int, token: str | None) -> ThreadingHTTPServer:
    """Serve ``GET /metrics`` on ``host:port`` in a daemon thread (with the same bearer token
    as the API's); ``shutdown()`` the returned server to stop it."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?", 1)[0] != "/metrics":
                self._reply(404, b"not found\n", "text/plain")
            elif not authorized(self.headers.get("Authorization"), token):
                self._reply(401, b"a bearer token is required\n", "text/plain",
                            {"WWW-Authenticate": 'Bearer realm="convmem-metrics"'})
            else:
                self._reply(200, metrics.exposition(), CONTENT_TYPE)

        def _reply(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # scrapes are not worth a log line
            return

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="convmem-metrics", daemon=True).start()
    return server
