"""The lexical index behind a small interface; one implementation per database backend.

Documents are rows of ``memory_index`` (written by the repositories in the same transaction
as the item, so an item is lexically searchable the moment its write commits). A backend
module only finds the profile's documents containing a query term, through its dialect's
full-text index; ``search`` ranks them with BM25 over the profile's own statistics."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Connection

from convmem.search import bm25

MAX_MATCHES = 5000


class MatchFinder(Protocol):
    def matches(self, conn: Connection, profile_id: str, query_terms: list[str], cap: int) -> dict[str, list[str]]:
        """``item_id -> lexical terms`` of the profile's documents containing any term."""
        ...


class LexicalIndex:
    def __init__(self, finder: MatchFinder) -> None:
        self.finder = finder

    def search(self, conn: Connection, profile_id: str, query_terms: list[str], total_docs: int,
               average_length: float | None) -> dict[str, float]:
        """``item_id -> BM25`` (> 0) for the profile's documents matching any term."""
        if not query_terms:
            return {}
        docs = self.finder.matches(conn, profile_id, query_terms, MAX_MATCHES)
        return bm25.score(docs, query_terms, total_docs, average_length)


def for_dialect(dialect: str) -> LexicalIndex:
    if dialect == "sqlite":
        from convmem.search.sqlite_fts import SqliteFts

        return LexicalIndex(SqliteFts())
    from convmem.search.postgres_fts import PostgresFts

    return LexicalIndex(PostgresFts())
