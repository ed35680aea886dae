"""Okapi BM25 with per-profile statistics. The database's full-text index finds the profile's
documents that contain a query term; they are ranked here, identically on both backends
(FTS5's bm25() takes its statistics over every profile in the table, and PostgreSQL's ts_rank
has no inverse document frequency)."""

from __future__ import annotations

import math

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
    terms = list(dict.fromkeys(query_terms))
    # Term frequencies of the query terms only (list.count runs in C; documents are short).
    frequencies: dict[str, list[tuple[str, int]]] = {}
    for item, tokens in docs.items():
        found = [(term, tokens.count(term)) for term in terms if term in tokens]
        if found:
            frequencies[item] = found
    avgdl = average_length or (sum(len(t) for t in docs.values()) / len(docs)) or 1.0
    n = max(total_docs, len(docs))
    df: dict[str, int] = {}
    for found in frequencies.values():
        for term, _ in found:
            df[term] = df.get(term, 0) + 1
    idf = {term: math.log(1 + (n - d + 0.5) / (d + 0.5)) for term, d in df.items()}
    out: dict[str, float] = {}
    for item, found in frequencies.items():
        length_norm = K1 * (1 - B + B * len(docs[item]) / avgdl)
        out[item] = sum(idf[term] * f * (K1 + 1) / (f + length_norm) for term, f in found)
    return out
