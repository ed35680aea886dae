"""``/metrics`` (issue 15): Prometheus text format, route templates (never raw paths), the
bearer token, several server processes reported as one; a saturated connection pool answered
with 503 and Retry-After; optional OpenTelemetry tracing."""

from __future__ import annotations

import importlib.util
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from convmem.config import Settings
from convmem.metrics import OUTCOMES, Metrics, authorized
from convmem.runtime import Runtime
from convmem.storage.db import Database
from convmem.tracing import instrument_app
from tests.support.credentials import new_account
from tests.support.inprocess import AppServer, serve_in_process
from tests.support.live import start_server, stop_server
from tests.support.wire import assert_error, create_store
from tests.test_observations import new_profile, obs

HTTP = "convmem_http_request_duration_seconds"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client: httpx.Client, **headers: str) -> Samples:
    resp = client.get("/metrics", headers=headers)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/plain; version=")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(resp.text) for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def requests_seen(samples: Samples, method: str, route: str, status: int) -> float:
    return value(samples, f"{HTTP}_count", method=method, route=route, status=str(status))


@pytest.fixture
def own(private_database: str, tmp_path: Path) -> Iterator[AppServer]:
    """A server with a database of its own: the session's other servers (an e2e tier's `convmem serve`
    on the session database) would otherwise take its embedding jobs and observe their metrics."""
    with serve_in_process(private_database, tmp_path) as app:
        yield app


def test_metrics_report_requests_recall_and_the_queue(own: AppServer) -> None:
    creds = new_account(own.runtime.db)
    with own.http(creds) as http, own.http() as anon:
        _report_requests_recall_and_the_queue(http, anon, own.runtime.db, create_store(http))


def _report_requests_recall_and_the_queue(http: httpx.Client, anon: httpx.Client, db: Database,
                                          store_id: str) -> None:
    profile_id = new_profile(db, store_id)
    profile_route = "/v1/Stores/{storeId}/Profiles/{profileId}"
    before = scrape(anon)
    assert http.get(f"/v1/Stores/{store_id}/Profiles/{profile_id}").status_code == 200
    resp = http.post(f"/v1/Stores/{store_id}/Profiles/{profile_id}/Observations",
                     json={"observations": [obs("Prefers window seats on long flights")]})
    assert resp.status_code == 202, resp.text
    assert http.post(f"/v1/Stores/{store_id}/Profiles/{profile_id}/Recall", json={"query": "seats"}).status_code == 200
    assert anon.get("/v1/ControlPlane/Stores").status_code == 401  # refused at the gate, before routing
    assert anon.get(f"/no/such/{profile_id}").status_code == 404

    deadline = time.monotonic() + 30  # the embedding job reports the ingest delay
    while (after := scrape(anon)) and value(after, "convmem_ingest_delay_seconds_count") <= \
            value(before, "convmem_ingest_delay_seconds_count"):
        assert time.monotonic() < deadline, "the embedding job observed no ingest delay"
        time.sleep(0.1)

    def delta(method: str, route: str, status: int) -> float:
        return requests_seen(after, method, route, status) - requests_seen(before, method, route, status)

    assert delta("GET", profile_route, 200) == 1
    assert delta("POST", profile_route + "/Observations", 202) == 1
    assert delta("POST", profile_route + "/Recall", 200) == 1
    assert delta("GET", "/v1/ControlPlane/Stores", 401) == 1
    assert delta("GET", "unmatched", 404) == 1
    recalls = "convmem_recall_duration_seconds_count"
    assert value(after, recalls) > value(before, recalls)
    routes = {dict(labels).get("route", "") for name, labels in after if name.startswith(HTTP)}
    assert not [r for r in routes if store_id in r or profile_id in r]  # templates only, never ids

    kinds = {dict(labels)["kind"] for name, labels in after if name == "convmem_jobs_pending"}
    assert {"embed", "profiles.bulk", "conversation.extract", "erasure.reclaim"} <= kinds
    assert ("convmem_embedding_backlog", ()) in after
    assert {dict(labels)["outcome"] for name, labels in after
            if name == "convmem_extraction_outcomes_total"} == set(OUTCOMES)
    assert value(after, "convmem_db_pool_connections_max") == 30  # pool 10 + overflow 20 (defaults)
    assert ("convmem_db_pool_connections_in_use", ()) in after
    assert value(after, "convmem_metrics_database_up") == 1


@pytest.fixture
def guarded(private_database: str, tmp_path: Path) -> Iterator[AppServer]:
    with serve_in_process(private_database, tmp_path, metrics_token="s3cret-scrape-token", run_jobs=False,
                          run_conversation_timers=False) as server:
        yield server


def test_a_metrics_token_is_required_when_configured(guarded: AppServer) -> None:
    creds = new_account(guarded.runtime.db)
    with guarded.http() as anon, guarded.http(creds) as basic:
        for refused in (anon.get("/metrics"), anon.get("/metrics", headers={"Authorization": "Bearer wrong"}),
                        basic.get("/metrics")):  # an account's Basic credentials are not the token
            assert_error(refused, 401, 20003, "CONVMEM_METRICS_TOKEN")
            assert refused.headers["WWW-Authenticate"].startswith("Bearer")
        samples = scrape(anon, Authorization="Bearer s3cret-scrape-token")
        assert requests_seen(samples, "GET", "/metrics", 401) == 3


def test_the_token_comparison() -> None:
    assert authorized(None, None) and authorized("Basic eDp5", "")
    assert authorized("Bearer t0ken", "t0ken") and authorized("bearer  t0ken", "t0ken")
    assert not authorized(None, "t0ken") and not authorized("Bearer t0ke", "t0ken")
    assert not authorized("Basic t0ken", "t0ken")


def test_extraction_outcomes_and_ingest_delays_are_counted() -> None:
    metrics = Metrics()
    metrics.count_extraction({"added": 2, "updated": 1, "discarded": 0, "screened": 3, "withheld": 1})
    now = datetime.now(UTC)
    metrics.observe_ingest([now - timedelta(seconds=0.3), now - timedelta(seconds=40)], embedded_at=now)
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(metrics.exposition().decode()) for s in family.samples}
    counted = {o: value(samples, "convmem_extraction_outcomes_total", outcome=o) for o in OUTCOMES}
    assert counted == {"added": 2, "updated": 1, "discarded": 0, "screened": 3, "withheld": 1}
    assert value(samples, "convmem_ingest_delay_seconds_bucket", le="0.5") == 1
    assert value(samples, "convmem_ingest_delay_seconds_bucket", le="60.0") == 2
    assert value(samples, "convmem_ingest_delay_seconds_sum") == pytest.approx(40.3)


@pytest.fixture
def small_pool(private_database: str, tmp_path: Path) -> Iterator[AppServer]:
    with serve_in_process(private_database, tmp_path, db_pool_size=1, db_max_overflow=0, db_pool_timeout_seconds=0.3,
                          run_jobs=False, run_conversation_timers=False) as server:
        yield server


def test_an_exhausted_connection_pool_is_answered_503_with_retry_after(small_pool: AppServer) -> None:
    db = small_pool.runtime.db
    known, unknown = new_account(db), new_account(db)
    with small_pool.http(known) as http, small_pool.http(unknown) as first_time, small_pool.http() as anon:
        assert http.get("/v1/ControlPlane/Stores").status_code == 200  # its credentials are now cached
        held = db.engine.connect()  # the pool's only connection
        try:
            for resp in (http.get("/v1/ControlPlane/Stores"),  # in the route
                         first_time.get("/v1/ControlPlane/Stores")):  # at the gate, checking credentials
                assert_error(resp, 503, 20503, "database connection")
                assert resp.headers["Retry-After"] == "1"
            samples = scrape(anon)  # still answers: the database part reports itself down
            assert value(samples, "convmem_db_pool_connections_in_use") == 1
            assert value(samples, "convmem_db_pool_connections_max") == 1
            assert value(samples, "convmem_metrics_database_up") == 0
        finally:
            held.close()
        assert http.get("/v1/ControlPlane/Stores").status_code == 200


@pytest.mark.e2e
def test_the_processes_of_serve_with_workers_are_reported_as_one(private_database: str, tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    assert env == dict(os.environ), "the test expects no operator multi-process directory"
    live = start_server(private_database, tmp_path / "server.log", workers=2)
    try:
        made = list(Path("/tmp").glob(f"convmem-metrics-{live.process.pid}-*"))
        assert len(made) == 1 and made[0].is_dir()
        for _ in range(30):  # a connection each, so that both processes serve some
            assert httpx.get(f"{live.url}/healthz", timeout=10).status_code == 200
        for _ in range(4):  # whichever process answers the scrape reports both
            with httpx.Client(base_url=live.url, timeout=10) as client:
                samples = scrape(client)
            assert requests_seen(samples, "GET", "/healthz", 200) == 30
            assert value(samples, "convmem_db_pool_connections_max") == 2 * 30  # two live pools of 30
    finally:
        stop_server(live)
    assert not made[0].exists()  # removed with the server


# ---- optional tracing ----------------------------------------------------------------------

def test_tracing_stays_off_unless_otel_variables_ask_for_it(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'trace.db'}", run_jobs=False,
                        run_conversation_timers=False)
    assert not settings.tracing_requested()
    assert not Settings(otel_traces_exporter="none", otel_exporter_otlp_endpoint="http://x").tracing_requested()
    assert not Settings(otel_exporter_otlp_endpoint="http://x", otel_sdk_disabled=True).tracing_requested()
    assert Settings(otel_exporter_otlp_endpoint="http://127.0.0.1:4318").tracing_requested()
    runtime = Runtime.build(settings)
    try:
        assert instrument_app(FastAPI(), runtime) is False
    finally:
        runtime.close()


def test_tracing_instruments_requests_and_sql_when_installed(tmp_path: Path) -> None:
    pytest.importorskip("opentelemetry.instrumentation.fastapi")
    pytest.importorskip("opentelemetry.instrumentation.sqlalchemy")
    sdk_trace: Any = pytest.importorskip("opentelemetry.sdk.trace")
    from opentelemetry import trace
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    spans = InMemorySpanExporter()
    provider = sdk_trace.TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    trace.set_tracer_provider(provider)  # as opentelemetry-instrument would have: kept by convmem
    with serve_in_process(f"sqlite:///{tmp_path / 'traced.db'}", tmp_path, otel_traces_exporter="console",
                          run_jobs=False, run_conversation_timers=False) as server:
        creds = new_account(server.runtime.db)
        spans.clear()
        with server.http() as anon, server.http(creds) as http:
            assert anon.get("/readyz").status_code == 200  # excluded: a probe
            assert http.get("/v1/ControlPlane/Stores").status_code == 200
    names = [span.name for span in spans.get_finished_spans()]
    assert "GET /v1/ControlPlane/Stores" in names, names
    assert not any("/readyz" in name for name in names)
    if importlib.util.find_spec("greenlet") is not None:  # else only requests are traced (tracing.py)
        assert any(name.split()[0].upper() == "SELECT" for name in names), names
