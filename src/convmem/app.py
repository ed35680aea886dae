"""Builds the FastAPI application over a runtime: routers, middleware and error handlers."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from convmem import __version__, logs
from convmem.agent_tools.http import MCP_PATH, McpEndpoint
from convmem.api import (
    bulk,
    conversation_actions,
    conversation_communications,
    conversation_configurations,
    conversation_operations,
    conversation_participants,
    conversations,
    data_mappings,
    errors,
    health,
    identifiers,
    identity_settings,
    imports,
    lookup,
    observations,
    openapi_doc,
    operations,
    profiles,
    recall,
    stores,
    summaries,
    trait_groups,
    traits,
)
from convmem.api import metrics as metrics_endpoint
from convmem.api.deps import ServerContext
from convmem.api.gate import AuthenticationGate
from convmem.api.middleware import BodyScreenMiddleware, RequestContextMiddleware
from convmem.api.proxies import parse_networks
from convmem.auth.service import Authenticator
from convmem.background import Background
from convmem.config import Settings
from convmem.console import PREFIX as CONSOLE_PREFIX
from convmem.console import install as install_console
from convmem.domain.pagination import TokenCodec
from convmem.domain.rate_limit import FailureThrottle, RateLimiter, TokenBuckets
from convmem.runtime import Runtime
from convmem.services import erasure
from convmem.storage import accounts
from convmem.storage.db import Database
from convmem.storage.rate_limits import SharedTokenBuckets
from convmem.tracing import instrument_app

# Literal segments under /Profiles/ (Lookup, Bulk, Imports) come before /Profiles/{profileId}.
ROUTERS = (health, stores, identity_settings, trait_groups, data_mappings, operations,
           lookup, bulk, imports, profiles, traits, identifiers, observations, summaries, recall,
           conversation_configurations, conversation_operations, conversations, conversation_participants,
           conversation_communications, conversation_actions)
# Paths under these prefixes need credentials (the Memory v1 and Conversations v2 APIs, and the
# MCP endpoint for agents, agent_tools/http.py).
API_PREFIXES = ("/v1/", "/v2/", MCP_PATH)


def _rate_limiter(settings: Settings, db: Database) -> RateLimiter:
    """Buckets in PostgreSQL, shared by every process on the database; in memory on SQLite."""
    if db.is_sqlite:
        return TokenBuckets(settings.rate_limit_per_second, settings.rate_limit_burst)
    return SharedTokenBuckets(db, settings.rate_limit_per_second, settings.rate_limit_burst)


def build_context(runtime: Runtime) -> ServerContext:
    settings, db = runtime.settings, runtime.db
    with db.write() as conn:
        page_key = accounts.server_secret(conn, "page_token_key")
    return ServerContext(
        runtime=runtime,
        authenticator=Authenticator(db),
        limiter=_rate_limiter(settings, db),
        tokens=TokenCodec(bytes.fromhex(page_key)),
        auth_failures=FailureThrottle(settings.auth_failures_per_second, settings.auth_failure_burst),
        trusted_proxies=parse_networks(settings.trusted_proxies),
    )


def start_background(runtime: Runtime) -> Background | None:
    """This process's job workers and conversation timers (background.py), unless it serves
    HTTP only (``convmem serve --no-jobs``). Jobs that stopped processes on this host left
    running are taken back at once; other hosts' once their lease expires."""
    background = Background.for_settings(runtime)
    if background is not None:
        background.start()
    return background


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """The HTTP application over ``runtime`` (built from ``settings``, or from the environment,
    when not given: uvicorn's worker processes call this without arguments)."""
    if runtime is None:
        runtime = Runtime.build(settings or Settings())
    settings = runtime.settings
    logs.configure(settings.log_level)
    ctx = build_context(runtime)
    mcp = McpEndpoint(runtime)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        runtime.recall.queries.warm_up()  # the query model loads before the first request needs it
        # This process's watch for erasures made by other processes (their caches are dropped here).
        erasure.watch(runtime.db, runtime.recall)
        # What start-up built (modules, the app, models) lives as long as the process: keep it out
        # of the collector's full passes, which otherwise walk it all and show up in Recall's tail.
        gc.freeze()
        background = start_background(runtime)
        async with mcp.running():  # the MCP endpoint's session manager lives as long as the app
            yield
        # Timers stop first, then each running job gets job_stop_timeout_seconds to finish
        # before it is released for another worker (Background.stop).
        if background is not None:
            background.stop()
        runtime.close()

    app = FastAPI(
        lifespan=lifespan,
        title="convmem: Conversation Memory (Twilio Memory v1 compatible)",
        version=__version__,
        description="Self-hostable Conversation Memory server speaking Twilio's Memory v1 REST API.",
    )
    # No 307 "add/remove a trailing slash" redirects with empty bodies: an unknown path is a 404
    # in the API's error shape.
    app.router.redirect_slashes = False
    app.state.context = ctx
    # /mcp first: its requests are then matched at once, not after trying every API route.
    mcp.install(app)
    for module in ROUTERS:
        app.include_router(module.router)
    app.include_router(imports.upload_router)
    app.include_router(metrics_endpoint.router)  # outside API_PREFIXES: its own bearer token
    install_console(app)  # the web console (console/): its own sessions, over the same services
    errors.install(app)
    openapi_doc.install(app)
    # Every response may be gzipped when the client asks (header, or the official client's
    # Accept-Encoding query parameter, folded into the header by RequestContextMiddleware).
    app.add_middleware(GZipMiddleware, minimum_size=256)
    # The last added runs first: request id and log line, then credentials (before any body is
    # read), then the body screen. The CSV upload target takes raw bytes and is authorised by
    # the signature in its URL: neither Basic authentication nor JSON screening there. The MCP
    # endpoint parses and bounds its own JSON-RPC bodies, and refuses bad strings as tool errors.
    # Console forms are not JSON (console/ reads and bounds them itself).
    app.add_middleware(BodyScreenMiddleware, raw_body_paths=(imports.UPLOAD_PREFIX, MCP_PATH, f"{CONSOLE_PREFIX}/"))
    app.add_middleware(AuthenticationGate, protected=API_PREFIXES, public=(imports.UPLOAD_PREFIX,))
    app.add_middleware(RequestContextMiddleware, body_timeout=settings.body_timeout_seconds)
    # Outermost: every request is timed, refusals included (api/metrics.py).
    app.add_middleware(metrics_endpoint.RequestMetricsMiddleware, metrics=runtime.metrics)
    instrument_app(app, runtime)  # OpenTelemetry, when OTEL_* asks for it and it is installed
    return app
