"""The lexical index behind a small interface; one implementation per database backend.

Documents are rows of ``memory_index`` (written by the repositories in the same transaction
as the item, so an item is lexically searchable the moment its write commits). The backend
module only knows how to *query* its dialect's full-text structure."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Connection


class LexicalIndex(Protocol):
    def search(self, conn: Connection, profile_id: str, query_terms: list[str], limit: int) -> dict[str, float]:
        """``item_id -> score`` (higher is better, > 0) for the profile's items matching any
        term, at most ``limit`` of the best."""
        ...


def for_dialect(dialect: str) -> LexicalIndex:
    if dialect == "sqlite":
        from convmem.search.sqlite_fts import SqliteFts

        return SqliteFts()
    from convmem.search.postgres_fts import PostgresFts

    return PostgresFts()
