"""drop the database full-text index of memory_index (FTS5 on SQLite, tsvector + GIN on PostgreSQL)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 01:30:00

Recall scores words from each profile's cached postings, built from ``memory_index.search_text``
(search/lexical.py), so nothing reads the database's own full-text index any more. Keeping it
cost every write a trigger (SQLite) or a generated column and GIN entries (PostgreSQL), bytes
per observation, and erasure a purge or a ``REINDEX`` to make erased words leave it.

The downgrade recreates both as migration 0004 made them and fills them from the rows.
"""

from __future__ import annotations

from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = ('memory_index_ai', 'memory_index_ad', 'memory_index_au')


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for trigger in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        # secure_delete is on for convmem's connections: the freed pages are zeroed.
        op.execute("DROP TABLE IF EXISTS memory_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_memory_index_search_tsv")
        op.execute("ALTER TABLE memory_index DROP COLUMN IF EXISTS search_tsv")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("CREATE VIRTUAL TABLE memory_fts USING fts5(profile_id, search_text, "
                   "content='memory_index', content_rowid='doc_id', tokenize='unicode61')")
        op.execute("INSERT INTO memory_fts(memory_fts) VALUES ('rebuild')")
        op.execute("CREATE TRIGGER memory_index_ai AFTER INSERT ON memory_index BEGIN "
                   "INSERT INTO memory_fts(rowid, profile_id, search_text) "
                   "VALUES (new.doc_id, new.profile_id, new.search_text); END")
        op.execute("CREATE TRIGGER memory_index_ad AFTER DELETE ON memory_index BEGIN "
                   "INSERT INTO memory_fts(memory_fts, rowid, profile_id, search_text) "
                   "VALUES ('delete', old.doc_id, old.profile_id, old.search_text); END")
        op.execute("CREATE TRIGGER memory_index_au AFTER UPDATE OF profile_id, search_text ON memory_index BEGIN "
                   "INSERT INTO memory_fts(memory_fts, rowid, profile_id, search_text) "
                   "VALUES ('delete', old.doc_id, old.profile_id, old.search_text); "
                   "INSERT INTO memory_fts(rowid, profile_id, search_text) "
                   "VALUES (new.doc_id, new.profile_id, new.search_text); END")
    else:
        op.execute("ALTER TABLE memory_index ADD COLUMN search_tsv tsvector "
                   "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED")
        op.execute("CREATE INDEX ix_memory_index_search_tsv ON memory_index USING gin (search_tsv) "
                   "WITH (gin_pending_list_limit = 64)")
