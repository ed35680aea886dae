"""Server settings, read from ``CONVMEM_*`` environment variables (the CLI sets them, so that
every uvicorn worker process sees the same configuration)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONVMEM_", extra="ignore")

    data_dir: Path = Path("./convmem-data")
    database_url: str | None = None
    sqlite_synchronous: str = "FULL"
    db_pool_size: int = Field(default=10, ge=1, le=200)
    # Connections a process may open beyond db_pool_size under a burst (closed again when
    # returned); default twice the pool size. Each process holds at most pool + overflow, so on
    # PostgreSQL (processes x (pool + overflow) + one LISTEN connection per job-running process)
    # must stay under the server's max_connections.
    db_max_overflow: int | None = Field(default=None, ge=0, le=1000)
    # How long a request waits for a free connection once all pool + overflow are in use; then it
    # is answered 503 with Retry-After (the server is saturated: shedding beats queueing). Default
    # 10 s on PostgreSQL, 60 s on SQLite, whose writers already queue on the database lock (up
    # to its 30 s busy timeout) while holding their connection.
    db_pool_timeout_seconds: float | None = Field(default=None, gt=0)

    # Bootstrap account, created or updated at start-up when both are set.
    account_sid: str | None = None
    auth_token: str | None = None

    store_quota: int = Field(default=15, ge=1)
    # Per-account token bucket: sustained requests per second and burst size; 0 disables.
    rate_limit_per_second: float = Field(default=200.0, ge=0)
    rate_limit_burst: int = Field(default=400, ge=1)

    operation_retention_days: int = Field(default=7, ge=1)

    # Profiles: national phone numbers without a country code are read in this region.
    default_phone_region: str = Field(default="US", min_length=2, max_length=2)
    # CSV imports: lifetime of the signed upload URL, and rows committed per transaction.
    import_upload_ttl_seconds: int = Field(default=1800, ge=1)
    import_batch_rows: int = Field(default=500, ge=1, le=10000)
    # Background jobs (bulk upserts, imports): a RUNNING job whose worker stopped renewing its
    # lease for this long is taken over by another worker (or by this one after a restart).
    # The lease is renewed every quarter period while the job runs, and a restarted server takes
    # back at once the jobs its stopped predecessor on the same host left RUNNING.
    job_lease_seconds: float = Field(default=20.0, gt=0)
    # How an idle worker learns of new jobs. On PostgreSQL the enqueuing transaction sends a
    # NOTIFY that each job-running process LISTENs for (jobs/listener.py), so a worker wakes
    # within milliseconds of the commit, and it only polls every job_listen_poll_seconds (for
    # leases that ran out, and as a safety net). Without a listener (SQLite, or while the LISTEN
    # connection is down) it polls every job_poll_seconds: 50 ms keeps the wake-up under 100 ms
    # (measured on SQLite: median 25 ms, max 53 ms) for little (an idle poll is one indexed read:
    # an idle worker thread used 2.3% of a core, against 0.3% polling every 0.5 s). Measured on
    # PostgreSQL with LISTEN: median 4 ms, p95 10 ms; an idle worker 0.4% of a core.
    job_poll_seconds: float = Field(default=0.05, gt=0)
    job_listen_poll_seconds: float = Field(default=1.0, gt=0)
    # Worker threads per process (`convmem worker --concurrency` overrides it; each is a worker
    # of its own in the jobs table). On shutdown each gets job_stop_timeout_seconds to finish its
    # job; a job still running then is released for another worker (handlers are idempotent).
    job_concurrency: int = Field(default=1, ge=1, le=64)
    job_stop_timeout_seconds: float = Field(default=10.0, ge=0)
    # Whether this process runs the job workers and the conversation timers: `convmem serve
    # --no-jobs` turns both off (an API-only process; `convmem worker` processes run them).
    run_jobs: bool = True
    # Conversations v2 lifecycle timers: how often the scheduler looks for expired timers, and
    # how many seconds a configured timeout "minute" lasts. Leave the minute at 60; only tests
    # shorten it, so that lifecycle tests do not wait for real minutes.
    conversation_timer_interval_seconds: float = Field(default=5.0, gt=0)
    conversation_minute_seconds: float = Field(default=60.0, gt=0)
    run_conversation_timers: bool = True
    # Recall's ranking (see domain/ranking.py): weight of the standardised BM25 evidence next
    # to the standardised cosine, and the diversity share of the MMR re-ranking (0 = off).
    recall_lexical_weight: float = Field(default=0.3, ge=0)
    recall_diversity: float = Field(default=0.3, ge=0, lt=1)
    # Intra-op threads of the embedding worker's model session (without spinning, so they yield
    # the cores to requests when idle). With the quantized model two sustain 389 observations/s
    # against 272/s for one on this 2-core machine, even with another process busy (bench/ingest.py).
    embedding_threads: int = Field(default=2, ge=1, le=64)
    # The embedding model: "dynamic-int8" (default; the packaged model re-quantized for integer
    # kernels, twice as fast, same Recall quality; search/quantized_model.py) or "packaged" (the
    # package's file as shipped). The derived model is built once into model_cache_dir
    # (default: $XDG_CACHE_HOME/convmem/models, else ~/.cache/convmem/models).
    embedding_model: Literal["dynamic-int8", "packaged"] = "dynamic-int8"
    model_cache_dir: Path | None = None
    # Intra-op threads for embedding a Recall query (its own model session). One: the quantized
    # model embeds a question in about 2.6 ms on one thread, and a second thread only added
    # contention on this 2-core machine (in-process Recall p95 8.6 ms with one, 14.9 with two).
    query_embedding_threads: int = Field(default=1, ge=1, le=64)
    # Conversation extraction's reconciliation of candidates against a profile's observations
    # (domain/reconciliation.py): cosine of MiniLM embeddings and share of content words.
    reconcile_discard_cosine: float = Field(default=0.97, ge=0, le=1)
    reconcile_update_cosine: float = Field(default=0.80, ge=0, le=1)
    reconcile_discard_overlap: float = Field(default=0.85, ge=0, le=1)
    reconcile_update_overlap: float = Field(default=0.5, ge=0, le=1)
    # Directly POSTed observations are stored as sent (not reconciled) unless this is on, in which
    # case each goes through the same add/update/discard rules as extracted ones (server-wide).
    reconcile_direct_observations: bool = False
    # Conversation extraction backend: an OpenAI-compatible chat-completions server when both the
    # base URL (e.g. http://127.0.0.1:8000/v1) and the model are set, with the offline extractor
    # as its fallback; the offline extractor alone otherwise.
    extract_llm_base_url: str | None = None
    extract_llm_model: str | None = None
    extract_llm_api_key: str | None = None
    extract_llm_timeout: float = Field(default=30.0, gt=0)
    extract_llm_retries: int = Field(default=2, ge=0, le=10)
    log_level: str = "INFO"

    # --- Edge protection (see README, "Security and operations") ---
    # Addresses or networks of reverse proxies whose X-Forwarded-For/-Host/-Proto are believed,
    # comma-separated (e.g. "10.0.0.0/8,127.0.0.1"). Default: none, the headers are ignored.
    trusted_proxies: str = ""
    # Failed authentications per client address: a burst, then this many per second. Past it,
    # 429 with Retry-After, without checking the credentials (or reading the body).
    auth_failure_burst: int = Field(default=20, ge=1)
    auth_failures_per_second: float = Field(default=1.0, gt=0)
    # Connections: the request head (line and headers) must arrive within header_timeout_seconds
    # and be at most max_header_bytes (else 431); a body may pause at most body_timeout_seconds
    # between chunks (else 408); an idle keep-alive connection is closed after keep_alive_seconds;
    # past max_connections, idle keep-alive connections are closed to make room, oldest first.
    header_timeout_seconds: float = Field(default=10.0, gt=0)
    body_timeout_seconds: float = Field(default=30.0, gt=0)
    keep_alive_seconds: float = Field(default=5.0, gt=0)
    max_header_bytes: int = Field(default=65536, ge=4096)
    max_connections: int = Field(default=1000, ge=1)
    # /readyz reports not ready while the data directory's volume has less free space than this.
    min_free_disk_mb: int = Field(default=256, ge=0)

    # --- Observability (see README, "Metrics and tracing") ---
    # /metrics (Prometheus text format) is open unless this is set; then it needs
    # "Authorization: Bearer <token>" (401 otherwise).
    metrics_token: str | None = None
    # prometheus-client's multi-process directory: set (by `convmem serve --workers N`, or by the
    # operator) when several processes must be reported as one. Read under its standard name.
    prometheus_multiproc_dir: Path | None = Field(
        default=None, validation_alias=AliasChoices("prometheus_multiproc_dir", "PROMETHEUS_MULTIPROC_DIR"))
    # OpenTelemetry tracing is on when the standard OTEL_* variables ask for it (an exporter or
    # an OTLP endpoint) and the instrumentation packages are installed (tracing.py).
    otel_traces_exporter: str | None = Field(
        default=None, validation_alias=AliasChoices("otel_traces_exporter", "OTEL_TRACES_EXPORTER"))
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None, validation_alias=AliasChoices("otel_exporter_otlp_endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT",
                                                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
    otel_sdk_disabled: bool = Field(
        default=False, validation_alias=AliasChoices("otel_sdk_disabled", "OTEL_SDK_DISABLED"))

    def tracing_requested(self) -> bool:
        """Whether the OTEL_* variables ask for traces (an exporter other than "none", or an
        OTLP endpoint, which implies the default "otlp" exporter)."""
        if self.otel_sdk_disabled or (self.otel_traces_exporter or "").strip().lower() == "none":
            return False
        return bool(self.otel_traces_exporter or self.otel_exporter_otlp_endpoint)

    def resolved_model_cache_dir(self) -> Path:
        if self.model_cache_dir is not None:
            return self.model_cache_dir
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "convmem" / "models"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'convmem.db').resolve()}"
