"""Okapi BM25 with per-profile statistics. The database's full-text index finds the profile's
documents that contain a query term; they are ranked here, identically on both backends
(FTS5's bm25() takes its statistics over every profile in the table, and PostgreSQL's ts_rank
has no inverse document frequency)."""

from __future__ import annotations

import math
from collections import Counter

K1 = 1.2
B = 0.4  # milder length normalisation than the textbook 0.75: observations are short


def score(docs: dict[str, list[str]], query_terms: list[str], total_docs: int,
          average_length: float | None = None) -> dict[str, float]:
    """BM25 of each document in ``docs``, which must be every document of the collection that
    contains any query term (then document frequencies are exact). ``total_docs`` is the
    collection size and ``average_length`` its mean length in terms (estimated from ``docs``
    when not given)."""
    if not docs:
        return {}
    counts = {item: Counter(tokens) for item, tokens in docs.items()}
    avgdl = average_length or (sum(len(t) for t in docs.values()) / len(docs)) or 1.0
    n = max(total_docs, len(docs))
    idf = {}
    for term in dict.fromkeys(query_terms):
        df = sum(1 for c in counts.values() if term in c)
        if df:
            idf[term] = math.log(1 + (n - df + 0.5) / (df + 0.5))
    out: dict[str, float] = {}
    for item, tf in counts.items():
        length_norm = K1 * (1 - B + B * len(docs[item]) / avgdl)
        total = 0.0
        for term, weight in idf.items():
            f = tf.get(term, 0)
            if f:
                total += weight * f * (K1 + 1) / (f + length_norm)
        if total > 0:
            out[item] = total
    return out
