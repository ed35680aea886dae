"""Okapi BM25 with per-profile statistics, from the profile's own postings: identical on both
backends (FTS5's bm25() takes its statistics over every profile in the table, and PostgreSQL's
ts_rank has no inverse document frequency)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TypeVar

import numpy as np

K = TypeVar("K")
Postings = dict[str, tuple[np.ndarray, np.ndarray]]
K1 = 1.2
B = 0.4  # milder length normalisation than the textbook 0.75: observations are short


def index(documents: Sequence[Sequence[str]]) -> tuple[Postings, np.ndarray]:
    """Postings (term -> (document positions, ascending; term frequencies)) and lengths of
    tokenised documents. Vectorised: Recall builds a profile's index when it first loads it
    (and after a removal), and counting term by term in Python took a third of a second at
    10,000 documents; writes are added to a built index (search/profile_index.py)."""
    lengths = np.array([len(d) for d in documents], dtype=np.int64)
    vocabulary: dict[str, int] = {}
    term_ids = np.fromiter((vocabulary.setdefault(t, len(vocabulary)) for d in documents for t in d),
                           dtype=np.int64, count=int(lengths.sum()))
    if not vocabulary:
        return {}, lengths.astype(np.float64)
    doc_of = np.repeat(np.arange(len(documents), dtype=np.int64), lengths)
    # One sort of (term, document) keys gives every posting in order with its frequency.
    keys, counts = np.unique(term_ids * len(documents) + doc_of, return_counts=True)
    terms, docs = np.divmod(keys, len(documents))
    starts = np.flatnonzero(np.r_[True, terms[1:] != terms[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    names = list(vocabulary)
    frequencies = counts.astype(np.float64)
    postings = {names[terms[a]]: (docs[a:b], frequencies[a:b]) for a, b in zip(starts.tolist(), ends.tolist(),
                                                                                strict=True)}
    return postings, lengths.astype(np.float64)


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


def score_documents(documents: Mapping[K, Sequence[str]], query_terms: list[str]) -> dict[K, float]:
    """BM25 over a whole collection of tokenised documents (key -> score, matching ones only)."""
    keys = list(documents)
    postings, lengths = index([documents[k] for k in keys])
    average = float(lengths.mean()) if len(keys) else 1.0
    scores = score(postings, lengths, query_terms, np.ones(len(keys), dtype=bool), average)
    return {keys[n]: float(scores[n]) for n in np.flatnonzero(scores > 0)}
