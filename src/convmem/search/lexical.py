"""Lexical scores for Recall: BM25 over the documents the full-text index matched.

Which documents contain a query term comes from the database's full-text index
(``storage.fulltext``); the term statistics come from the profile's cached memories, built from
the same rows at the same version. No database code here."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from convmem.search import bm25
from convmem.search.vectors import ProfileMemories


def scores(mem: ProfileMemories, matched_doc_ids: Sequence[int], query_terms: list[str]) -> np.ndarray:
    """BM25 per item of ``mem`` (0 where the item is not among ``matched_doc_ids``)."""
    matched = np.zeros(len(mem.ids), dtype=bool)
    if not query_terms:
        return matched.astype(np.float64)
    matched[mem.positions_of(list(matched_doc_ids))] = True
    return bm25.score(mem.postings, mem.lengths, query_terms, matched, mem.average_length)
