"""The ``conversation.extract`` job: a conversation that went INACTIVE or CLOSED becomes memory.

For each resolved CUSTOMER participant the configured extractor (offline by default; the
OpenAI-compatible LLM backend when ``CONVMEM_EXTRACT_LLM_BASE_URL`` and ``..._MODEL`` are set)
turns the communications above the conversation's watermark into candidate observations; on
CLOSED it also writes one summary of the whole conversation. Candidates go through the GDPR
special-category screen once more (dropped and counted), are reconciled against the profile's
observations (observation_reconciliation.py: add, update with a revision, or discard), and are written
with their provenance (conversation id and communication ids, storage/memory_provenance.py).

Two phases, so that a slow extractor never holds the database's write lock: the transcript is
read and extracted (and the candidates embedded) outside any write transaction; then one write
transaction locks the conversation row, checks that nothing moved meanwhile (same watermark, same
new communications, same customers; otherwise it starts over), reconciles, writes, advances the
watermark and records the job's counts. Since results and watermark commit together, a crash
or a retry never extracts a communication twice, and two jobs of one conversation (in one
process or several) serialise on the row lock: the second finds the watermark moved and has
nothing left to do but, on CLOSED, the summary (written once per profile and conversation)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, select

from convmem.domain import reconciliation as rec
from convmem.domain.timefmt import utcnow
from convmem.extract import ExtractionRequest, ExtractiveSummary, Extractor
from convmem.extract.screening import screen, screen_many
from convmem.jobs import queue
from convmem.jobs.queue import JobContext
from convmem.search.embedding import Embedder
from convmem.services import conversation_memory, observations, summaries
from convmem.services import observation_reconciliation as reconciliation
from convmem.services.conversation_lifecycle import EXTRACTION_JOB_KIND
from convmem.services.observation_reconciliation import Candidate, candidates_of, reconcile_into
from convmem.storage import memory_provenance
from convmem.storage import profiles as profile_repo
from convmem.storage import stores as store_repo
from convmem.storage.memory_tables import summaries as summary_table

log = logging.getLogger("convmem.conversations.extraction")

KIND = EXTRACTION_JOB_KIND
SOURCE = "conversation-extraction"
_MAX_ROUNDS = 5  # read-extract-write rounds before giving up (the job is retried later)

@dataclass
class CustomerPlan:
    profile_id: str
    candidates: list[Candidate]
    summary: ExtractiveSummary | None


def _state(data: conversation_memory.ExtractionInput) -> tuple[Any, ...]:
    return (data.watermark, data.new_ids, len(data.transcript.communications),
            tuple(sorted((c.id, c.profile_id or "") for c in data.customers)))


def plan(data: conversation_memory.ExtractionInput, closed: bool, engine: Extractor, embedder: Embedder,
         counts: reconciliation.Counts) -> list[CustomerPlan]:
    """Run the extractor for every resolved customer and embed what it proposes (no database)."""
    plans: list[CustomerPlan] = []
    for customer in data.customers:
        if not data.new_ids and not closed:
            continue
        result = engine.extract(ExtractionRequest(data.transcript, customer, data.new_ids, want_summary=closed))
        counts.backends.add(result.backend)
        counts.fallbacks += result.counters.fallbacks
        counts.screened += result.counters.dropped_by_screening
        # One batched embedding of every proposal serves both the screen and reconciliation.
        vectors = embedder.embed_sorted([c.content for c in result.observations])
        verdicts = screen_many([c.content for c in result.observations], vectors)
        kept, kept_vectors = [], []
        for candidate, vector, verdict in zip(result.observations, vectors, verdicts, strict=True):
            # The extractors screen already; this is the guarantee at the point of writing.
            if verdict.sensitive:
                counts.screened += 1
            elif candidate.provenance.communication_ids:
                kept.append(candidate)
                kept_vectors.append(vector)
        summary = result.summary
        if summary is not None and screen(summary.content).sensitive:
            counts.screened += 1
            summary = None
        items = [observations.NewObservation(c.content, SOURCE, c.occurred_at, [data.transcript.conversation_id])
                 for c in kept]
        plans.append(CustomerPlan(str(customer.profile_id), candidates_of(
            items, [set(c.provenance.communication_ids) for c in kept], kept_vectors), summary))
        counts.candidates += len(kept)
    return plans


def canonical_profile(conn: Connection, store_id: str, profile_id: str) -> Any:
    """The profile row (locked), following a merge; None when it is gone."""
    row = profile_repo.get(conn, store_id, profile_id, for_update=True)
    if row is None:
        canonical = profile_repo.canonical_of_alias(conn, store_id, profile_id)
        row = profile_repo.get(conn, store_id, canonical, for_update=True) if canonical else None
    return row


def _has_summary(conn: Connection, profile_id: str, conversation_id: str) -> bool:
    t = summary_table.c
    return conn.execute(select(t.id).where(and_(t.profile_id == profile_id, t.conversation_id == conversation_id,
                                                t.source == SOURCE)).limit(1)).first() is not None


def write(conn: Connection, store_id: str, conversation_id: str, plans: Sequence[CustomerPlan],
          limits: rec.Thresholds, counts: reconciliation.Counts, embedder: Embedder) -> None:
    now = utcnow()
    for customer in plans:
        profile = canonical_profile(conn, store_id, customer.profile_id)
        if profile is None:
            continue
        touched = reconcile_into(conn, profile.id, customer.candidates, limits, counts, embedder)
        provenance = [(item, profile.id, conversation_id, sorted(c.communication_ids)) for item, c in touched]
        summary = customer.summary
        if summary is not None and not _has_summary(conn, profile.id, conversation_id):
            [summary_id] = summaries.insert_rows(conn, profile.id, [summaries.NewSummary(
                summary.content, conversation_id, summary.occurred_at, SOURCE)])
            provenance.append((summary_id, profile.id, conversation_id, list(summary.provenance.communication_ids)))
            counts.summaries += 1
        memory_provenance.record(conn, provenance, now)


def _store_usable(conn: Connection, account_sid: str, store_id: str | None) -> bool:
    if not store_id:
        return False
    store = store_repo.get(conn, account_sid, store_id)
    return store is not None and store.status == "ACTIVE"


def extract_conversation(ctx: JobContext) -> reconciliation.Counts:
    payload = ctx.payload
    conversation_id, account_sid, store_id = payload["conversationId"], payload["accountSid"], payload.get("storeId")
    closed = payload.get("transition") == "CLOSED"
    limits = reconciliation.thresholds(ctx.settings)
    engine, embedder = ctx.runtime.extractor, ctx.runtime.models.session()
    for _ in range(_MAX_ROUNDS):
        counts = reconciliation.Counts()
        with ctx.db.read() as conn:
            if not _store_usable(conn, account_sid, store_id):
                log.info("extraction of %s skipped: store %s is gone or not active", conversation_id, store_id)
                return counts
            data = conversation_memory.extraction_input(conn, conversation_id)
        if data is None:
            return counts  # deleted: nothing is extracted
        plans = plan(data, closed, engine, embedder, counts)
        ctx.renew()
        with ctx.db.write() as conn:
            if not _store_usable(conn, account_sid, store_id):
                return reconciliation.Counts()
            current = conversation_memory.extraction_input(conn, conversation_id)  # locks the conversation
            if current is None:
                return reconciliation.Counts()
            if _state(current) != _state(data):
                continue  # another job or new traffic got there first: start over from what is there now
            write(conn, str(store_id), conversation_id, plans, limits, counts, embedder)
            conversation_memory.advance_watermark(conn, conversation_id, current.watermark)
            queue.save_progress(conn, ctx.job_id, counts.as_progress())
            return counts
    raise RuntimeError(f"conversation {conversation_id} kept changing during extraction; will retry")


def handle(ctx: JobContext) -> None:
    extract_conversation(ctx)
