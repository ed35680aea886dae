"""SQLite FTS5 (external content over ``memory_index``, kept in step by triggers; created by
migration 0004). The profile id is an indexed FTS column, so the profile restriction is part
of the full-text query itself."""

from __future__ import annotations

from sqlalchemy import Connection, text

# CROSS JOIN makes SQLite run the full-text query once and look the hits up by rowid; with a
# plain JOIN it may walk the profile's rows and re-evaluate the MATCH for each of them.
_MATCHES = text("""
SELECT m.item_id AS item_id, m.search_text AS search_text
FROM memory_fts CROSS JOIN memory_index m ON m.doc_id = memory_fts.rowid
WHERE memory_fts MATCH :match AND m.profile_id = :profile_id
LIMIT :cap
""")


def quote(term: str) -> str:
    """An FTS5 string literal: user input never reaches the query syntax unquoted."""
    return '"' + term.replace('"', '""') + '"'


def match_expression(profile_id: str, query_terms: list[str]) -> str:
    # The tokenizer splits "mem_profile_<suffix>" at the underscores; the suffix alone is a
    # unique token, so the profile restriction is one cheap term lookup.
    ors = " OR ".join(quote(t) for t in query_terms)
    return f"profile_id : {quote(profile_id.rsplit('_', 1)[-1])} AND search_text : ({ors})"


class SqliteFts:
    def matches(self, conn: Connection, profile_id: str, query_terms: list[str], cap: int) -> dict[str, list[str]]:
        if not query_terms:
            return {}
        rows = conn.execute(_MATCHES, {"match": match_expression(profile_id, query_terms),
                                       "profile_id": profile_id, "cap": cap}).all()
        return {r.item_id: r.search_text.split() for r in rows}
