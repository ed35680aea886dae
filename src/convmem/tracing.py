"""Optional OpenTelemetry tracing: spans for HTTP requests (FastAPI) and SQL statements
(SQLAlchemy), exported where the standard ``OTEL_*`` variables say.

Nothing happens unless both hold: the variables ask for traces (``OTEL_TRACES_EXPORTER`` other
than ``none``, or ``OTEL_EXPORTER_OTLP_ENDPOINT``; read by config.py), and the packages
``opentelemetry-instrumentation-fastapi`` and ``opentelemetry-instrumentation-sqlalchemy`` are
installed (they are not dependencies of convmem: ``pip install 'convmem[tracing]'``). When
``opentelemetry-sdk`` is installed too and no tracer provider was set up (e.g. by
``opentelemetry-instrument``), one is set up here with the exporters named by
``OTEL_TRACES_EXPORTER`` (default ``otlp``), found through their entry points; the SDK and the
exporters read the rest of their ``OTEL_*`` settings themselves."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from convmem.config import Settings
    from convmem.runtime import Runtime

log = logging.getLogger("convmem.tracing")

# Probes and scrapes would be most of the spans and tell nothing.
EXCLUDED_URLS = "/healthz,/readyz,/metrics"


@cache
def _suppressor() -> Any:
    try:
        from opentelemetry.instrumentation.utils import suppress_instrumentation
    except ImportError:
        return None
    return suppress_instrumentation


@contextmanager
def _suppressed(suppress: Any) -> Iterator[None]:
    with suppress():
        yield


def quiet() -> AbstractContextManager[None]:
    """No spans for what runs inside: an idle job worker polls many times a second, and its
    empty polls would otherwise be most of the traces."""
    suppress = _suppressor()
    return nullcontext() if suppress is None else _suppressed(suppress)


def _instrumentors() -> tuple[Any, Any] | None:
    try:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
    except ImportError:
        return None
    return FastAPIInstrumentor, SQLAlchemyInstrumentor


def _ensure_tracer_provider(settings: Settings) -> None:
    """Set up the SDK's tracer provider unless one is already there (or the SDK is missing:
    then the spans go to whatever provider the process has, the no-op one by default)."""
    from opentelemetry import trace

    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        log.warning("tracing: opentelemetry-sdk is not installed; spans go to the process's tracer provider")
        return
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return  # set up by the operator's tooling (opentelemetry-instrument)
    resource = Resource.create()  # OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, read by the SDK
    if str(resource.attributes.get("service.name", "")).startswith("unknown_service"):
        resource = resource.merge(Resource({"service.name": "convmem"}))
    provider = TracerProvider(resource=resource)
    for name in (settings.otel_traces_exporter or "otlp").split(","):
        name = name.strip()
        found = list(entry_points(group="opentelemetry_traces_exporter", name=name))
        if not found:
            log.warning("tracing: no installed exporter is called %r (OTEL_TRACES_EXPORTER)", name)
            continue
        provider.add_span_processor(BatchSpanProcessor(found[0].load()()))
    trace.set_tracer_provider(provider)


def _instrument_engine(runtime: Runtime, instrumentor: Any) -> None:
    # skip_dep_check: the instrumentation (0.66b) declares SQLAlchemy < 2.1 and would otherwise
    # do nothing on 2.1, with which its engine events work (checked with 2.1.9). It also patches
    # SQLAlchemy's asyncio module, which needs greenlet: without it, requests are still traced.
    try:
        instrumentor().instrument(engine=runtime.db.engine, skip_dep_check=True)
    except Exception as exc:
        log.warning("tracing: SQL statements are not traced (%s: %s)", type(exc).__name__, exc)


def instrument_app(app: FastAPI, runtime: Runtime) -> bool:
    """Trace the app's requests and the runtime's SQL when asked and installed; whether it did."""
    instrumentors = _instrumentors() if runtime.settings.tracing_requested() else None
    if instrumentors is None:
        if runtime.settings.tracing_requested():
            log.warning("tracing: OTEL_* asks for traces but opentelemetry-instrumentation-fastapi and "
                        "-sqlalchemy are not installed")
        return False
    fastapi_instrumentor, sqlalchemy_instrumentor = instrumentors
    _ensure_tracer_provider(runtime.settings)
    fastapi_instrumentor.instrument_app(app, excluded_urls=EXCLUDED_URLS)
    _instrument_engine(runtime, sqlalchemy_instrumentor)
    return True


def instrument_worker(runtime: Runtime) -> bool:
    """Trace a worker process's SQL (it serves no HTTP) when asked and installed."""
    instrumentors = _instrumentors() if runtime.settings.tracing_requested() else None
    if instrumentors is None:
        return False
    _ensure_tracer_provider(runtime.settings)
    _instrument_engine(runtime, instrumentors[1])
    return True
