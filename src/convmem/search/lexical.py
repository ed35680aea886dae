"""Lexical scores for Recall: BM25 from the profile's cached postings.

The postings are built from the same ``memory_index`` text the database's full-text index holds,
at the version Recall just caught up to, so asking the database which documents match would
only repeat them. It also cost the most of any step of Recall on a large PostgreSQL table (a
match over the whole shared index: 31 of 44 ms per Recall on a 10,000-observation profile
among 5,000,000 rows, docs/scaling.md). No database code here."""

from __future__ import annotations

import numpy as np

from convmem.search import bm25
from convmem.search.vectors import ProfileMemories


def scores(mem: ProfileMemories, query_terms: list[str]) -> np.ndarray:
    """BM25 per item of ``mem`` (0 where no query term occurs)."""
    everything = np.ones(len(mem.ids), dtype=bool)
    return bm25.score(mem.postings, mem.lengths, query_terms, everything, mem.average_length)
