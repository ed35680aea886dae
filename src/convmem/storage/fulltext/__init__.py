"""The full-text index over ``memory_index``: which of a profile's documents contain a query term.
One module per database backend; Recall ranks what they find with BM25 (``search.lexical``)."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Connection

# A cap on the documents one query may match: BM25 over more than this many adds nothing a
# user would see in the top results, and bounds the work of a query made of common words.
MAX_MATCHES = 5000


class MatchFinder(Protocol):
    def matches(self, conn: Connection, profile_id: str, query_terms: list[str], cap: int) -> list[int]:
        """Document ids (``memory_index.doc_id``) of the profile's documents containing any term."""
        ...


def for_dialect(dialect: str) -> MatchFinder:
    if dialect == "sqlite":
        from convmem.storage.fulltext.sqlite import SqliteFts

        return SqliteFts()
    from convmem.storage.fulltext.postgresql import PostgresFts

    return PostgresFts()
