"""Writing candidate observations through reconciliation (domain/reconciliation.py): each one is
added, folded into an existing observation (same id, new content, previous state kept as a
revision, both indexes updated through the observations service), or discarded.

Used inside the conversation extraction job's transaction, and by direct POSTs of observations
when the server opts in (``CONVMEM_RECONCILE_DIRECT_OBSERVATIONS=true``; off by default, so that
posted observations are stored as sent, as the contract describes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection

from convmem.domain import reconciliation as rec
from convmem.search import text as search_text
from convmem.search.embedding import Embedder, to_bytes
from convmem.services import observations
from convmem.services.common import require_store
from convmem.services.profile_scope import require_profile
from convmem.storage import memory_index
from convmem.storage.db import Database


def thresholds(settings: Any) -> rec.Thresholds:
    return rec.Thresholds(discard_cosine=settings.reconcile_discard_cosine,
                          update_cosine=settings.reconcile_update_cosine,
                          discard_overlap=settings.reconcile_discard_overlap,
                          update_overlap=settings.reconcile_update_overlap)


def words_of(content: str) -> frozenset[str]:
    return rec.content_words(search_text.terms(content))


@dataclass
class Candidate:
    content: str
    occurred_at: datetime
    source: str
    conversation_ids: list[str]
    vector: np.ndarray
    words: frozenset[str]
    communication_ids: set[str] = field(default_factory=set)


def candidates_of(items: Sequence[observations.NewObservation], communications: Sequence[set[str]] | None = None,
                  vectors: Sequence[np.ndarray] | np.ndarray | None = None,
                  embedder: Embedder | None = None) -> list[Candidate]:
    """Embed new observations (outside any transaction: the model is the slow part), unless the
    caller already has their vectors (one per item: a sequence of them or a 2-D array's rows)."""
    if vectors is None:
        if embedder is None:
            raise ValueError("candidates_of needs either the vectors or an embedder")
        vectors = embedder.embed_sorted([i.content for i in items]) if items else []
    comms = communications or [set() for _ in items]
    return [Candidate(i.content, i.occurred_at, i.source, list(i.conversation_ids), v, words_of(i.content), set(c))
            for i, v, c in zip(items, vectors, comms, strict=True)]


@dataclass
class Counts:
    candidates: int = 0
    added: int = 0
    updated: int = 0
    discarded: int = 0
    screened: int = 0  # special-category candidates dropped (by the extractor or the job)
    summaries: int = 0
    fallbacks: int = 0
    backends: set[str] = field(default_factory=set)
    # Customer communications the prompt-injection guard withheld (extract/guarded.py): their ids
    # are recorded so that an operator can look at them; none of their text reaches memory.
    withheld_communication_ids: set[str] = field(default_factory=set)
    withheld_outputs: int = 0  # extracted sentences the guard dropped on the way out
    # Communications with a sentence the special-category screen dropped (ids only).
    screened_communication_ids: set[str] = field(default_factory=set)

    def as_progress(self) -> dict[str, Any]:
        return {"candidates": self.candidates, "added": self.added, "updated": self.updated,
                "discarded": self.discarded, "screened": self.screened, "summaries": self.summaries,
                "fallbacks": self.fallbacks, "backends": sorted(self.backends),
                "withheld": len(self.withheld_communication_ids),
                "withheldCommunicationIds": sorted(self.withheld_communication_ids),
                "withheldOutputs": self.withheld_outputs,
                "screenedCommunicationIds": sorted(self.screened_communication_ids)}


@dataclass
class _Pool:
    """The profile's observations as reconciliation sees them, plus what this write adds."""

    memories: list[rec.Memory]
    rows: dict[str, Any]  # existing observation id -> row
    pending: dict[str, Candidate]  # "new:N" -> candidate to insert


def _pool(conn: Connection, profile_id: str, embedder: Embedder) -> _Pool:
    rows = memory_index.observations_with_vectors(conn, profile_id)
    stale = [r for r in rows if not (r.fresh and r.embedding)]
    computed = dict(zip([r.id for r in stale], embedder.embed_sorted([r.content for r in stale]) if stale
                        else [], strict=True))
    memories = [rec.Memory(r.id, computed[r.id] if r.id in computed else np.frombuffer(r.embedding, dtype="<f4"),
                           words_of(r.content)) for r in rows]
    return _Pool(memories, {r.id: r for r in rows}, {})


def _replace(pool: _Pool, key: str, candidate: Candidate) -> None:
    pool.memories = [rec.Memory(key, candidate.vector, candidate.words) if m.key == key else m for m in pool.memories]


def _merge_ids(current: Sequence[str], added: Sequence[str]) -> list[str]:
    ids = list(current)
    for conversation_id in added:
        ids = rec.merged_conversation_ids(ids, conversation_id)
    return ids


def reconcile_into(conn: Connection, profile_id: str, candidates: Sequence[Candidate], limits: rec.Thresholds,
                   counts: Counts, embedder: Embedder) -> list[tuple[str, Candidate]]:
    """Reconcile and write ``candidates`` for one (locked) profile. Returns (observation id,
    candidate) for every observation written, updated or vouched for by a discarded candidate."""
    # Stored observations not yet embedded are embedded here, with the model the candidates used.
    pool = _pool(conn, profile_id, embedder)
    touched: list[tuple[str, Candidate]] = []
    for candidate in candidates:
        decision = rec.decide(rec.Memory("candidate", candidate.vector, candidate.words), pool.memories, limits)
        target = decision.target or ""
        if decision.outcome == rec.Outcome.ADD:
            key = f"new:{len(pool.pending)}"
            pool.pending[key] = candidate
            pool.memories.append(rec.Memory(key, candidate.vector, candidate.words))
            counts.added += 1
        elif decision.outcome == rec.Outcome.UPDATE:
            counts.updated += 1
            if target in pool.pending:  # refines something this write adds: fold it in
                earlier = pool.pending[target]
                candidate.communication_ids |= earlier.communication_ids
                candidate.conversation_ids = _merge_ids(earlier.conversation_ids, candidate.conversation_ids)
                pool.pending[target] = candidate
            else:
                current = pool.rows[target]
                observations.apply_changes(conn, current, {
                    "content": candidate.content, "source": candidate.source,
                    "conversation_ids": _merge_ids(current.conversation_ids, candidate.conversation_ids),
                    "occurred_at": max(current.occurred_at, candidate.occurred_at)})
                touched.append((target, candidate))
            _replace(pool, target, candidate)
        else:
            counts.discarded += 1
            if target in pool.pending:
                pool.pending[target].communication_ids |= candidate.communication_ids
            else:
                # Nothing new to store, but the existing observation also stands for these turns.
                touched.append((target, candidate))
    pending = list(pool.pending.values())
    if pending:
        new_ids = observations.insert_rows(conn, profile_id, [observations.NewObservation(
            c.content, c.source, c.occurred_at, c.conversation_ids) for c in pending])
        # Embedded already: searchable by meaning at once (the embed job then skips them).
        memory_index.store_embeddings(conn, [(item_id, 1, to_bytes(c.vector))
                                             for item_id, c in zip(new_ids, pending, strict=True)])
        touched.extend(zip(new_ids, pending, strict=True))
        memory_index.bump(conn, profile_id)
    return touched


def create_reconciled(db: Database, embedder: Embedder, account: str, store_id: str, profile_id: str,
                      items: list[observations.NewObservation], settings: Any) -> Counts:
    """A direct POST of observations, reconciled (the server-wide opt-in)."""
    candidates = candidates_of(items, embedder=embedder)
    counts = Counts(candidates=len(candidates))
    with db.write() as conn:
        require_store(conn, account, store_id)
        profile = require_profile(conn, store_id, profile_id, for_update=True)
        reconcile_into(conn, profile.id, candidates, thresholds(settings), counts, embedder)
    return counts
