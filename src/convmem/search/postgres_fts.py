"""PostgreSQL full-text search over ``memory_index.search_tsv`` (a generated tsvector of the
already stemmed text, ``simple`` configuration, GIN-indexed; created by migration 0004).

The GIN index finds the profile's matching documents; they are ranked with BM25 computed here
(exact document frequencies, because every document containing a query term is fetched),
since ts_rank has no inverse document frequency and ranks noticeably worse."""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

from convmem.search import bm25

_SAFE = re.compile(r"^[^\W_]+$", re.UNICODE)
_MAX_MATCHES = 5000

_MATCHES = text("""
SELECT item_id, search_text FROM memory_index
WHERE profile_id = :profile_id AND search_tsv @@ to_tsquery('simple', :query)
LIMIT :cap
""")
_COUNT = text("SELECT count(*) FROM memory_index WHERE profile_id = :profile_id")


def tsquery(query_terms: list[str]) -> str:
    """An OR of the terms; each is quoted as a tsquery lexeme, so no input is read as syntax."""
    lexemes = []
    for term in query_terms:
        if _SAFE.match(term):
            lexemes.append("'" + term.replace("'", "''") + "'")
    return " | ".join(lexemes)


class PostgresFts:
    def search(self, conn: Connection, profile_id: str, query_terms: list[str], limit: int) -> dict[str, float]:
        query = tsquery(query_terms)
        if not query:
            return {}
        rows = conn.execute(_MATCHES, {"query": query, "profile_id": profile_id, "cap": _MAX_MATCHES}).all()
        if not rows:
            return {}
        total = int(conn.execute(_COUNT, {"profile_id": profile_id}).scalar() or 0)
        scores = bm25.score({r.item_id: r.search_text.split() for r in rows}, query_terms, total)
        best = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:limit]
        return dict(best)
