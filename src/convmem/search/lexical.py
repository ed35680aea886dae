"""The lexical index behind a small interface; one implementation per database backend.

Documents are rows of ``memory_index`` (written by the repositories in the same transaction
as the item, so an item is lexically searchable the moment its write commits). A backend
module only finds the profile's documents containing a query term, through its dialect's
full-text index; ``search`` ranks them with BM25 over the profile's own statistics."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from sqlalchemy import Connection

from convmem.search import bm25
from convmem.search.vectors import ProfileMemories

MAX_MATCHES = 5000


class MatchFinder(Protocol):
    def matches(self, conn: Connection, profile_id: str, query_terms: list[str], cap: int) -> list[int]:
        """Document ids (``memory_index.doc_id``) of the profile's documents containing any term."""
        ...


class LexicalIndex:
    def __init__(self, finder: MatchFinder) -> None:
        self.finder = finder

    def search(self, conn: Connection, mem: ProfileMemories, profile_id: str,
               query_terms: list[str]) -> np.ndarray:
        """BM25 per item of ``mem`` (0 where the item does not match). The full-text index says
        which documents match; their term statistics come from the profile's cached memories,
        built from the same rows at the same version."""
        matched = np.zeros(len(mem.ids), dtype=bool)
        if not query_terms:
            return matched.astype(np.float64)
        matched[mem.positions_of(self.finder.matches(conn, profile_id, query_terms, MAX_MATCHES))] = True
        return bm25.score(mem.postings, mem.lengths, query_terms, matched, mem.average_length)


def for_dialect(dialect: str) -> LexicalIndex:
    if dialect == "sqlite":
        from convmem.search.sqlite_fts import SqliteFts

        return LexicalIndex(SqliteFts())
    from convmem.search.postgres_fts import PostgresFts

    return LexicalIndex(PostgresFts())
