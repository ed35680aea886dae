"""Okapi BM25 with per-profile statistics. The database's full-text index finds the profile's
documents that contain a query term; they are ranked here, identically on both backends
(FTS5's bm25() takes its statistics over every profile in the table, and PostgreSQL's ts_rank
has no inverse document frequency)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

K1 = 1.2
B = 0.4  # milder length normalisation than the textbook 0.75: observations are short


def score(postings: Mapping[str, tuple[np.ndarray, np.ndarray]], lengths: np.ndarray, query_terms: list[str],
          matched: np.ndarray, average_length: float) -> np.ndarray:
    """BM25 of every document of a collection (0 where no query term occurs).

    ``postings``: term -> (document positions, term frequencies); ``lengths``: terms per
    document; ``matched``: bool per document, the documents the full-text index matched
    (scores are kept only there). Document frequencies come from the postings, so they are
    exact for the whole collection."""
    total = len(lengths)
    out = np.zeros(total, dtype=np.float64)
    avgdl = average_length or 1.0
    for term in dict.fromkeys(query_terms):
        posting = postings.get(term)
        if posting is None:
            continue
        docs, tf = posting
        df = len(docs)
        idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
        norm = K1 * (1 - B + B * lengths[docs] / avgdl)
        out[docs] += idf * tf * (K1 + 1) / (tf + norm)
    out[~matched] = 0.0
    return out
