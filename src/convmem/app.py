"""Builds the FastAPI application: routers, middleware and error handlers."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from convmem import __version__, logs
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
from convmem.api.deps import ServerContext
from convmem.api.gate import AuthenticationGate
from convmem.api.middleware import BodyScreenMiddleware, RequestContextMiddleware
from convmem.api.proxies import parse_networks
from convmem.auth.service import Authenticator
from convmem.config import Settings
from convmem.domain.pagination import TokenCodec
from convmem.domain.ranking import FusionWeights
from convmem.domain.rate_limit import FailureThrottle, RateLimiter, TokenBuckets
from convmem.jobs.worker import JobWorker
from convmem.search import embed_jobs, embedding, lexical
from convmem.search.embedding import QueryEmbeddings, get_embedder
from convmem.search.vectors import ProfileCache
from convmem.services import conversation_extraction, erasure
from convmem.services.conversation_lifecycle import Clock, Scheduler
from convmem.services.recall import RecallEngine
from convmem.storage import accounts
from convmem.storage.db import Database
from convmem.storage.rate_limits import SharedTokenBuckets

# Literal segments under /Profiles/ (Lookup, Bulk, Imports) come before /Profiles/{profileId}.
ROUTERS = (health, stores, identity_settings, trait_groups, data_mappings, operations,
           lookup, bulk, imports, profiles, traits, identifiers, observations, summaries, recall,
           conversation_configurations, conversation_operations, conversations, conversation_participants,
           conversation_communications, conversation_actions)
# Paths under these prefixes need credentials (the Memory v1 and Conversations v2 APIs).
API_PREFIXES = ("/v1/", "/v2/")


def _rate_limiter(settings: Settings, db: Database) -> RateLimiter:
    """Buckets in PostgreSQL, shared by every process on the database; in memory on SQLite."""
    if db.is_sqlite:
        return TokenBuckets(settings.rate_limit_per_second, settings.rate_limit_burst)
    return SharedTokenBuckets(db, settings.rate_limit_per_second, settings.rate_limit_burst)


def build_context(settings: Settings) -> ServerContext:
    db = Database(settings.resolved_database_url(), sqlite_synchronous=settings.sqlite_synchronous,
                  pool_size=settings.db_pool_size)
    with db.write() as conn:
        page_key = accounts.server_secret(conn, "page_token_key")
    return ServerContext(
        settings=settings,
        db=db,
        authenticator=Authenticator(db),
        limiter=_rate_limiter(settings, db),
        tokens=TokenCodec(bytes.fromhex(page_key)),
        auth_failures=FailureThrottle(settings.auth_failures_per_second, settings.auth_failure_burst),
        trusted_proxies=parse_networks(settings.trusted_proxies),
    )


def start_conversation_timers(ctx: ServerContext) -> Scheduler | None:
    """The durable scheduler of conversation lifecycle timers (every server process runs one;
    they never apply a transition twice)."""
    if not ctx.settings.run_conversation_timers:
        return None
    clock = Clock(minute=timedelta(seconds=ctx.settings.conversation_minute_seconds))
    scheduler = Scheduler(ctx.db, clock, ctx.settings.conversation_timer_interval_seconds)
    scheduler.start()
    return scheduler


def start_jobs(ctx: ServerContext) -> JobWorker | None:
    """The background job worker of this process (embedding, and whatever else registered a
    handler). Jobs left running by a crashed process are taken over once their lease expires."""
    embed_jobs.register()
    conversation_extraction.register()
    erasure.register(ctx.db)  # the erasure reclaim job, and this process's watch for erasures
    if not ctx.settings.run_jobs:
        return None
    worker = JobWorker(ctx.db, ctx.settings)
    worker.start()
    return worker


def recall_engine(settings: Settings, db: Database) -> RecallEngine:
    return RecallEngine(lexical=lexical.for_dialect(db.dialect),
                        queries=QueryEmbeddings(threads=settings.query_embedding_threads), cache=ProfileCache(),
                        weights=FusionWeights(lexical=settings.recall_lexical_weight,
                                              diversity=settings.recall_diversity))


def create_app(settings: Settings | None = None, context: ServerContext | None = None) -> FastAPI:
    settings = settings or Settings()
    logs.configure(settings.log_level)
    embedding.configure(settings.embedding_model, settings.model_cache_dir)
    ctx = context or build_context(settings)
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        timers = start_conversation_timers(ctx)
        get_embedder(ctx.settings.query_embedding_threads, embedding.QUERY)  # loaded before the first request needs it
        # What start-up built (modules, the app, models) lives as long as the process: keep it out
        # of the collector's full passes, which otherwise walk it all and show up in Recall's tail.
        gc.freeze()
        jobs = start_jobs(ctx)
        yield
        # Timers first: a shutdown waits for a running job (up to its stop timeout), and the
        # scheduler must not apply transitions meanwhile; the next server to start does.
        if timers is not None:
            timers.stop()
        if jobs is not None:
            jobs.stop()
        ctx.db.dispose()

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
    app.state.recall_engine = recall_engine(settings, ctx.db)
    for module in ROUTERS:
        app.include_router(module.router)
    app.include_router(imports.upload_router)
    errors.install(app)
    openapi_doc.install(app)
    # Every response may be gzipped when the client asks (header, or the official client's
    # Accept-Encoding query parameter, folded into the header by RequestContextMiddleware).
    app.add_middleware(GZipMiddleware, minimum_size=256)
    # The last added runs first: request id and log line, then credentials (before any body is
    # read), then the body screen. The CSV upload target takes raw bytes and is authorised by
    # the signature in its URL: neither Basic authentication nor JSON screening there.
    app.add_middleware(BodyScreenMiddleware, raw_body_paths=(imports.UPLOAD_PREFIX,))
    app.add_middleware(AuthenticationGate, protected=API_PREFIXES, public=(imports.UPLOAD_PREFIX,))
    app.add_middleware(RequestContextMiddleware, body_timeout=settings.body_timeout_seconds)
    return app
