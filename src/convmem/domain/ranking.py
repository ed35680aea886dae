"""Hybrid relevance: fusing dense (cosine) and lexical (BM25) evidence into one score in [0, 1].

Measured on LoCoMo (RETRIEVAL-NOTES.md): reciprocal-rank fusion gives the weaker, tie-heavy
BM25 list equal say and loses to dense alone, while a per-query min-max normalised convex
combination, ``dense + ~0.3 * bm25``, beats both. That is what ``hybrid_scores`` computes.
Min-max makes the best candidate score near 1 whatever its absolute quality, so part of the
score can be given to the absolute cosine (``absolute_weight``) to keep ``relevanceThreshold``
meaningful: an unrelated query then scores low everywhere."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FusionWeights:
    lexical: float = 0.3
    absolute: float = 0.0


def _minmax(values: np.ndarray) -> np.ndarray:
    if values.size == 0:
        return values
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 1e-9:
        return np.ones_like(values)
    return (values - lo) / (hi - lo)


def hybrid_scores(dense: np.ndarray, lexical: np.ndarray, weights: FusionWeights = FusionWeights()) -> np.ndarray:
    """Scores in [0, 1] for candidates with cosine ``dense`` (NaN where an item is not embedded
    yet) and BM25 ``lexical`` (0 where it does not match). An item without a vector is judged
    on its lexical evidence alone, so a fresh write is findable before it is embedded."""
    dense = np.asarray(dense, dtype=np.float64)
    lexical = np.asarray(lexical, dtype=np.float64)
    has_dense = ~np.isnan(dense)
    top_lexical = float(lexical.max()) if lexical.size else 0.0
    lexical_norm = lexical / top_lexical if top_lexical > 0 else np.zeros_like(lexical)
    dense_norm = lexical_norm.copy()
    dense_norm[has_dense] = _minmax(dense[has_dense])
    fused = (dense_norm + weights.lexical * lexical_norm) / (1.0 + weights.lexical)
    if weights.absolute > 0:
        absolute = lexical_norm * 0.5
        absolute[has_dense] = np.clip(dense[has_dense], 0.0, 1.0)
        fused = (1.0 - weights.absolute) * fused + weights.absolute * absolute
    return np.clip(fused, 0.0, 1.0)
