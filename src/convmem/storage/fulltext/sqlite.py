"""SQLite FTS5 (external content over ``memory_index``, kept in step by triggers; created by
migration 0004). The profile id is an indexed FTS column, so the profile restriction is part
of the full-text query itself."""

from __future__ import annotations

from sqlalchemy import Connection, text

# Only rowids (= memory_index.doc_id), straight from the full-text index: the profile
# restriction is a term of the MATCH itself, and the caller maps rowids to the profile's items.
_MATCHES = text("SELECT rowid FROM memory_fts WHERE memory_fts MATCH :match LIMIT :cap")


def quote(term: str) -> str:
    """An FTS5 string literal: user input never reaches the query syntax unquoted."""
    return '"' + term.replace('"', '""') + '"'


def match_expression(profile_id: str, query_terms: list[str]) -> str:
    # The tokenizer splits "mem_profile_<suffix>" at the underscores; the suffix alone is a
    # unique token, so the profile restriction is one cheap term lookup.
    ors = " OR ".join(quote(t) for t in query_terms)
    return f"profile_id : {quote(profile_id.rsplit('_', 1)[-1])} AND search_text : ({ors})"


class SqliteFts:
    def matches(self, conn: Connection, profile_id: str, query_terms: list[str], cap: int) -> list[int]:
        if not query_terms:
            return []
        match = match_expression(profile_id, query_terms)
        return list(conn.execute(_MATCHES, {"match": match, "cap": cap}).scalars())
