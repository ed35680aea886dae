"""Okapi BM25 over a set of already tokenised documents: used where the database's own
ranking lacks it (PostgreSQL's ts_rank has no inverse document frequency)."""

from __future__ import annotations

import math
from collections import Counter

K1 = 1.2
B = 0.75


def score(docs: dict[str, list[str]], query_terms: list[str], total_docs: int) -> dict[str, float]:
    """BM25 of each document in ``docs``. ``docs`` must be every document that contains any
    query term (then document frequencies are exact); ``total_docs`` is the collection size.
    The average length is estimated from ``docs``."""
    if not docs:
        return {}
    counts = {item: Counter(tokens) for item, tokens in docs.items()}
    avgdl = sum(len(t) for t in docs.values()) / len(docs) or 1.0
    n = max(total_docs, len(docs))
    idf = {}
    for term in query_terms:
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
