"""Recall: the profile's most relevant observations and summaries for a query.

Modes (contract §3.7.2): with a ``query``, hybrid ranking with scores; with neither a query nor
a ``conversationId``, most recent first without scores; with a ``conversationId`` only, the
query is inferred offline from the conversation's last 10 communications (recall_conversation.py),
and ``communicationsLimit`` returns that conversation's communications in Recall's shape.

Candidates are the profile's items with beginDate ≤ occurredAt < endDate. Dense scores come
from the cached float32 matrix (exact cosine), lexical scores (BM25) from the cached postings of
the same snapshot; items not embedded yet take part through their lexical score.

The profile's cached memories (search/vectors.py) are brought up to date, in the Recall's
snapshot, from the index rows changed since the version they hold (``_catch_up``): a write, in
this process or another, costs the next Recall one indexed query and the work of applying the
few items it changed. A removal or a merge, or a gap of more than ``_catch_up_limit`` items,
rebuilds them (``_load``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from convmem.domain.errors import InvalidRequest
from convmem.domain.memories import observation_wire, summary_wire
from convmem.domain.ranking import FusionWeights, diversify, pool_size, relevance, top_positions
from convmem.search import lexical as lexical_scores
from convmem.search import text as search_text
from convmem.search.embedding import QueryEmbeddings
from convmem.search.vectors import Item, ProfileCache, ProfileMemories, build, collector_paused
from convmem.services import recall_conversation
from convmem.services.common import require_store
from convmem.services.profile_scope import require_profile
from convmem.storage import memory_index
from convmem.storage.db import Database


@dataclass(frozen=True)
class RecallRequest:
    query: str | None = None
    conversation_id: str | None = None
    begin: datetime | None = None
    end: datetime | None = None
    communications_limit: int = 0
    observations_limit: int = 20
    summaries_limit: int = 5
    relevance_threshold: float = 0.0


@dataclass
class RecallResult:
    profile_id: str
    observations: list[dict[str, Any]] = field(default_factory=list)
    summaries: list[dict[str, Any]] = field(default_factory=list)
    communications: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class RecallEngine:
    """What Recall needs besides the database, built once per process."""

    queries: QueryEmbeddings
    cache: ProfileCache
    weights: FusionWeights


def validate(req: RecallRequest) -> None:
    if req.communications_limit > 0 and not req.conversation_id:
        raise InvalidRequest("conversation_id is required when communications_limit is greater than 0")
    if req.begin is not None and req.end is not None and req.end < req.begin:
        raise InvalidRequest("endDate must not be earlier than beginDate")


def _item(row: Any, is_summary: bool, occurred_at: datetime) -> Item:
    return (row.id, is_summary, occurred_at.timestamp(), row.embedding if row.fresh else None, row.search_text or "",
            row.doc_id)


def _load(conn: Any, profile_id: str, key: tuple[int, int]) -> ProfileMemories:
    # Only what scoring needs: the wire form of the few items a Recall returns is read with
    # them (``_render``), which keeps a rebuild of a large profile short.
    with collector_paused():
        obs, summ = memory_index.load_search_rows(conn, profile_id)
        items = [_item(r, False, r.occurred_at) for r in obs] + [_item(r, True, r.occurred_at) for r in summ]
        return build(key, items)


# Changes applied item by item up to this many (an eighth of the profile, at least 256); more,
# and rebuilding the profile costs about the same.
def _catch_up_limit(size: int) -> int:
    return max(256, size // 8)


def _catch_up(conn: Any, profile_id: str, mem: ProfileMemories, key: tuple[int, int]) -> ProfileMemories | None:
    """``mem`` brought to ``key`` from the profile's index rows changed since its version, or None
    (rebuild) when there are too many of them or they cannot be applied in place."""
    limit = _catch_up_limit(len(mem.ids))
    rows = memory_index.changes_since(conn, profile_id, mem.key[1], limit + 1)
    if len(rows) > limit:
        return None
    items = []
    for r in rows:
        is_summary = r.kind == memory_index.SUMMARY
        occurred_at = r.summarized_at if is_summary else r.observed_at
        if occurred_at is None:  # an index row without its item: not something to patch
            return None
        items.append(_item(r, is_summary, occurred_at))
    return mem.apply(items, key)


# What a Recall returns before its wire form is read: (item position, score or None), per list.
Picks = tuple[list[tuple[int, float | None]], list[tuple[int, float | None]]]


def _render(conn: Any, mem: ProfileMemories, picks: Picks, result: RecallResult, key: tuple[int, int]) -> None:
    observation_picks, summary_picks = picks
    missing = [n for n, _ in (*observation_picks, *summary_picks) if n not in mem.wire]
    read: dict[int, dict[str, Any]] = {}
    if missing:
        rows = memory_index.wire_rows(conn, [mem.ids[n] for n in missing if not mem.is_summary[n]],
                                      [mem.ids[n] for n in missing if mem.is_summary[n]])
        for n in missing:
            row = rows.get(mem.ids[n])
            if row is not None:  # always, within one snapshot; never fail a Recall over it
                read[n] = summary_wire(row) if mem.is_summary[n] else observation_wire(row)
        if mem.key == key:
            # Not into an entry newer than this Recall's snapshot (another request brought it up
            # to date meanwhile): what was read here may be older than the entry.
            mem.wire.update(read)
    for chosen, target in ((observation_picks, result.observations), (summary_picks, result.summaries)):
        for n, score in chosen:
            cached = read.get(n) or mem.wire.get(n)
            if cached is None:
                continue
            body = dict(cached)
            if score is not None:
                body["score"] = score
            target.append(body)


def _in_range(mem: ProfileMemories, req: RecallRequest) -> np.ndarray:
    keep = np.ones(len(mem.ids), dtype=bool)
    if req.begin is not None:
        keep &= mem.occurred >= req.begin.timestamp()
    if req.end is not None:
        keep &= mem.occurred < req.end.timestamp()
    return keep


def _recent(mem: ProfileMemories, keep: np.ndarray, req: RecallRequest) -> Picks:
    observations: list[tuple[int, float | None]] = []
    summaries: list[tuple[int, float | None]] = []
    for n in mem.recency:
        if not keep[n]:
            continue
        if mem.is_summary[n]:
            if len(summaries) < req.summaries_limit:
                summaries.append((int(n), None))
        elif len(observations) < req.observations_limit:
            observations.append((int(n), None))
        if len(summaries) >= req.summaries_limit and len(observations) >= req.observations_limit:
            break
    return observations, summaries


def _ranked(mem: ProfileMemories, keep: np.ndarray, query_vector: np.ndarray, lex: np.ndarray,
            req: RecallRequest, weights: FusionWeights) -> Picks:
    picks: Picks = ([], [])
    dense = mem.dense(query_vector)
    candidates = np.flatnonzero(keep & (~np.isnan(dense) | (lex > 0)))
    if candidates.size == 0:
        return picks
    scores = np.round(relevance(dense[candidates], lex[candidates], weights), 6)  # as sent
    for want_summary, target, limit in ((False, picks[0], req.observations_limit),
                                        (True, picks[1], req.summaries_limit)):
        if limit <= 0:
            continue
        eligible = (mem.is_summary[candidates] == want_summary) & (scores >= req.relevance_threshold)
        order = top_positions(scores, eligible, pool_size(limit, weights))
        for k in diversify(order, scores, lambda k: mem.vector(int(candidates[k])), limit, weights):
            target.append((int(candidates[k]), float(scores[k])))
    return picks


def recall(db: Database, engine: RecallEngine, account: str, store_id: str, profile_id: str,
           req: RecallRequest) -> RecallResult:
    validate(req)
    query = (req.query or "").strip()
    terms = search_text.query_terms(query) if query else []
    wants_items = req.observations_limit > 0 or req.summaries_limit > 0
    with db.read() as conn:
        require_store(conn, account, store_id)
        profile = require_profile(conn, store_id, profile_id)
        result = RecallResult(profile_id=profile.id)
        if req.conversation_id and req.communications_limit > 0:
            result.communications = recall_conversation.recall_communications(
                conn, account, store_id, req.conversation_id, req.communications_limit)
        if not wants_items:
            return result
        if not query and req.conversation_id:
            inferred = recall_conversation.inferred_query(conn, account, store_id, req.conversation_id)
            if inferred is not None:
                query, terms = inferred.text, inferred.terms
        key = memory_index.cache_key(conn, profile.id)
        mem = engine.cache.get(profile.id, key, lambda: _load(conn, profile.id, key),
                               lambda cached: _catch_up(conn, profile.id, cached, key))
        keep = _in_range(mem, req)
        if not query:
            # Neither a query nor a conversation to infer one from: recency order.
            picks = _recent(mem, keep, req)
        else:
            lexical = lexical_scores.scores(mem, terms)
            query_vector = engine.queries.get(query) if len(mem.vector_rows) else np.zeros(0, dtype=np.float32)
            picks = _ranked(mem, keep, query_vector, lexical, req, engine.weights)
        _render(conn, mem, picks, result, key)  # in the same snapshot as the cache key
    return result
