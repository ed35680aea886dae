"""The ``embed`` job: vectors for newly written or changed memory items, computed off the
request path. Every write enqueues one job naming its items; the handler embeds those and,
in the same model call, any other items still waiting (up to a batch), so a burst of writes is
embedded in large batches whatever the queue's claim size. Idempotent: items embedded at their
current content version, or deleted since, are skipped."""

from __future__ import annotations

from typing import TYPE_CHECKING

from convmem.jobs.queue import JobContext
from convmem.search.embedding import Embedder, to_bytes
from convmem.storage import memory_index, monitoring
from convmem.storage.db import Database

if TYPE_CHECKING:
    from convmem.metrics import Metrics

KIND = "embed"
BATCH = 128


def payload(item_ids: list[str]) -> dict[str, list[str]]:
    return {"items": item_ids}


def merge(payloads: list[dict[str, list[str]]]) -> dict[str, list[str]]:
    """The items of several embed jobs, claimed together, in one payload."""
    return payload(list(dict.fromkeys(item for p in payloads for item in p.get("items", []))))


def embed_pending(db: Database, embedder: Embedder, item_ids: list[str], metrics: Metrics | None = None) -> int:
    """Embed ``item_ids`` (if still needed) plus other waiting items; the number stored. With
    ``metrics``, each item's delay from its write to its vector is observed (the ingest delay)."""
    with db.read() as conn:
        rows = memory_index.pending_embeddings(conn, item_ids, BATCH)
        written = monitoring.written_at(conn, [r.item_id for r in rows]) if metrics is not None and rows else []
    if not rows:
        return 0
    vectors = embedder.embed_sorted([r.content for r in rows])
    with db.write() as conn:
        fresh = [(r.item_id, r.content_version, to_bytes(v)) for r, v in zip(rows, vectors, strict=True)]
        stored = memory_index.store_embeddings(conn, fresh)
        for profile_id in sorted(set(stored)):
            memory_index.bump(conn, profile_id)
    if metrics is not None:
        metrics.observe_ingest(written)  # searchable by vector from this commit on
    return len(stored)


# Claimed up to 16 at a time: a write of up to 10 items enqueues one job, so a claim covers
# about one model pass of BATCH items (more would delay the first of them being searchable).
CLAIM_BATCH = 16


def handle(ctx: JobContext) -> None:
    embedder = ctx.runtime.models.session(ctx.settings.embedding_threads)
    embed_pending(ctx.db, embedder, list(ctx.payload.get("items", [])), ctx.runtime.metrics)
