"""PostgreSQL full-text search over ``memory_index.search_tsv`` (a generated tsvector of the
already stemmed text, ``simple`` configuration, GIN-indexed; created by migration 0004)."""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

_SAFE = re.compile(r"^[^\W_]+$", re.UNICODE)

_MATCHES = text("""
SELECT doc_id FROM memory_index
WHERE profile_id = :profile_id AND search_tsv @@ to_tsquery('simple', :query)
LIMIT :cap
""")


def tsquery(query_terms: list[str]) -> str:
    """An OR of the terms, each quoted as a tsquery lexeme, so no input is read as syntax."""
    return " | ".join("'" + t.replace("'", "''") + "'" for t in query_terms if _SAFE.match(t))


class PostgresFts:
    def matches(self, conn: Connection, profile_id: str, query_terms: list[str], cap: int) -> list[int]:
        query = tsquery(query_terms)
        if not query:
            return []
        rows = conn.execute(_MATCHES, {"query": query, "profile_id": profile_id, "cap": cap}).all()
        return [r.doc_id for r in rows]
