"""Hybrid relevance: fusing dense (cosine) and lexical (BM25) evidence, then diversifying.

Measured on the LoCoMo development split (RETRIEVAL-NOTES.md and bench/recall_quality.py):
reciprocal-rank fusion gives the weaker, tie-heavy BM25 list equal say and loses to dense
alone; a score-normalised convex combination beats both. Standardising each signal over the
query's candidates (z-scores) and adding 0.3 times the lexical one did best, and a light
maximal-marginal-relevance pass (near-duplicate observations otherwise crowd the top ten) added
about half a point more.

``relevance`` maps the fused value to [0, 1]: min-max over the candidates, times a per-query
confidence from the best absolute cosine (so an unrelated query scores low everywhere and
``relevanceThreshold`` means something). Both factors preserve the order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

CONFIDENT_COSINE = 0.5  # a best match this similar (MiniLM cosine) gets full confidence


@dataclass(frozen=True)
class FusionWeights:
    lexical: float = 0.3
    diversity: float = 0.3  # 1 - lambda of MMR; 0 turns diversification off
    pool: int = 40  # MMR looks at this many top candidates (at least twice the limit)


def _standardise(values: np.ndarray) -> np.ndarray:
    if values.size == 0:
        return values
    spread = float(values.std())
    return (values - float(values.mean())) / spread if spread > 1e-12 else np.zeros_like(values)


def relevance(dense: np.ndarray, lexical: np.ndarray, weights: FusionWeights = FusionWeights()) -> np.ndarray:
    """Scores in [0, 1] for candidates with cosine ``dense`` (NaN where an item has no vector
    yet) and BM25 ``lexical`` (0 where it does not match). An item without a vector is judged
    on its lexical evidence alone, so a fresh write is findable before it is embedded."""
    dense = np.asarray(dense, dtype=np.float64)
    lexical = np.asarray(lexical, dtype=np.float64)
    if dense.size == 0:
        return dense
    has_dense = ~np.isnan(dense)
    lexical_z = _standardise(lexical)
    dense_z = lexical_z.copy()  # stands in for the missing dense evidence
    dense_z[has_dense] = _standardise(dense[has_dense]) if has_dense.sum() > 1 else 0.0
    fused = dense_z + weights.lexical * lexical_z
    lo, hi = float(fused.min()), float(fused.max())
    scaled = (fused - lo) / (hi - lo) if hi - lo > 1e-12 else np.ones_like(fused)
    confidence = 1.0
    if has_dense.any():
        confidence = float(np.clip(np.max(dense[has_dense]) / CONFIDENT_COSINE, 0.0, 1.0))
    return np.clip(scaled * confidence, 0.0, 1.0)


def top_positions(scores: np.ndarray, eligible: np.ndarray, count: int) -> np.ndarray:
    """Positions of the ``count`` best eligible scores, best first (ties: lower position first)."""
    positions = np.flatnonzero(eligible)
    if positions.size > count:
        positions = positions[np.argpartition(-scores[positions], count - 1)[:count]]
    return positions[np.lexsort((positions, -scores[positions]))]


def diversify(order: np.ndarray, scores: np.ndarray, vector_at: Callable[[int], np.ndarray | None], limit: int,
              weights: FusionWeights = FusionWeights()) -> list[int]:
    """Maximal marginal relevance over the best candidates: ``order`` (positions, best first,
    at least ``pool_size(limit)`` of them when there are that many) re-ranked so that an item
    nearly identical to one already chosen gives way to the next different one. Items without
    a vector (``vector_at`` gives None) are never considered redundant."""
    if weights.diversity <= 0 or len(order) <= 1 or limit <= 1:
        return [int(p) for p in order[:limit]]
    pool = [int(p) for p in order[:pool_size(limit, weights)]]
    rel = scores[pool].astype(np.float64)
    lo, hi = float(rel.min()), float(rel.max())
    rel = (rel - lo) / (hi - lo) if hi - lo > 1e-12 else np.ones_like(rel)
    lam = 1.0 - weights.diversity
    pool_vectors = [vector_at(p) for p in pool]
    dims = next((v.shape[0] for v in pool_vectors if v is not None), 0)
    matrix = np.zeros((len(pool), dims), dtype=np.float32)
    for row, vec in enumerate(pool_vectors):
        if vec is not None:
            matrix[row] = vec  # items without a vector keep a zero row: never redundant
    similarity = np.einsum("ik,jk->ij", matrix, matrix)  # not BLAS: see services/recall.py
    redundancy = np.full(len(pool), -np.inf)
    available = np.ones(len(pool), dtype=bool)
    chosen: list[int] = []
    while len(chosen) < min(limit, len(pool)):
        if chosen:
            value = np.where(available, lam * rel - (1.0 - lam) * redundancy, -np.inf)
            best = int(np.argmax(value))
        else:
            best = 0
        available[best] = False
        chosen.append(pool[best])
        redundancy = np.maximum(redundancy, similarity[:, best])
    return chosen


def pool_size(limit: int, weights: FusionWeights = FusionWeights()) -> int:
    return max(weights.pool, 2 * limit)
