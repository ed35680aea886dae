"""SQLite FTS5 (external content over ``memory_index``, kept in step by triggers; created by
migration 0004). Ranked with FTS5's built-in BM25."""

from __future__ import annotations

from sqlalchemy import Connection, text

# bm25() weights per FTS column: the profile id column only filters, it must not score.
_SEARCH = text("""
SELECT m.item_id AS item_id, -bm25(memory_fts, 0.0, 1.0) AS score
FROM memory_fts JOIN memory_index m ON m.doc_id = memory_fts.rowid
WHERE memory_fts MATCH :match AND m.profile_id = :profile_id
ORDER BY bm25(memory_fts, 0.0, 1.0) LIMIT :limit
""")


def quote(term: str) -> str:
    """An FTS5 string literal: user input never reaches the query syntax unquoted."""
    return '"' + term.replace('"', '""') + '"'


def match_expression(profile_id: str, query_terms: list[str]) -> str:
    ors = " OR ".join(quote(t) for t in query_terms)
    return f"profile_id : {quote(profile_id)} AND search_text : ({ors})"


class SqliteFts:
    def search(self, conn: Connection, profile_id: str, query_terms: list[str], limit: int) -> dict[str, float]:
        if not query_terms:
            return {}
        rows = conn.execute(_SEARCH, {"match": match_expression(profile_id, query_terms),
                                      "profile_id": profile_id, "limit": limit}).all()
        return {r.item_id: float(r.score) for r in rows if r.score > 0}
