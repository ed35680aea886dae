"""observations, revisions, summaries and the search index (FTS5 / tsvector)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 20:50:00
Renumbered into one linear chain (formerly a branch on 0002);
old databases are translated to these numbers by convmem.storage.migrate.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import convmem.storage.types

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _profile_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['profile_id'], ['profiles.id'], name=op.f(f'fk_{table}_profile_id_profiles'),
                                   ondelete='CASCADE')


def upgrade() -> None:
    ts = convmem.storage.types.UtcDateTime(timezone=True)
    op.create_table('observations',
    sa.Column('id', sa.String(length=48), nullable=False),
    sa.Column('profile_id', sa.String(length=40), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('occurred_at', ts, nullable=False),
    sa.Column('conversation_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', ts, nullable=False),
    sa.Column('updated_at', ts, nullable=False),
    _profile_fk('observations'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observations'))
    )
    op.create_index('ix_observations_profile_id_id', 'observations', ['profile_id', 'id'], unique=False)

    op.create_table('observation_revisions',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('observation_id', sa.String(length=48), nullable=False),
    sa.Column('profile_id', sa.String(length=40), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('occurred_at', ts, nullable=False),
    sa.Column('conversation_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', ts, nullable=False),
    sa.Column('updated_at', ts, nullable=False),
    sa.ForeignKeyConstraint(['observation_id'], ['observations.id'],
                            name=op.f('fk_observation_revisions_observation_id_observations'), ondelete='CASCADE'),
    _profile_fk('observation_revisions'),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_observation_revisions'))
    )
    op.create_index('ix_observation_revisions_observation_id_seq', 'observation_revisions',
                    ['observation_id', 'seq'], unique=False)
    op.create_index('ix_observation_revisions_profile_id', 'observation_revisions', ['profile_id'], unique=False)

    op.create_table('summaries',
    sa.Column('id', sa.String(length=48), nullable=False),
    sa.Column('profile_id', sa.String(length=40), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=True),
    sa.Column('occurred_at', ts, nullable=False),
    sa.Column('conversation_id', sa.String(length=48), nullable=False),
    sa.Column('created_at', ts, nullable=False),
    sa.Column('updated_at', ts, nullable=False),
    _profile_fk('summaries'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_summaries'))
    )
    op.create_index('ix_summaries_profile_id_id', 'summaries', ['profile_id', 'id'], unique=False)
    op.create_index('ix_summaries_profile_id_conversation_id', 'summaries', ['profile_id', 'conversation_id'],
                    unique=False)

    op.create_table('memory_index',
    sa.Column('doc_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('item_id', sa.String(length=48), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('profile_id', sa.String(length=40), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('content_version', sa.Integer(), nullable=False),
    sa.Column('embedding', sa.LargeBinary(), nullable=True),
    sa.Column('embedded_version', sa.Integer(), nullable=True),
    sa.Column('needs_embedding', sa.Boolean(), nullable=False),
    _profile_fk('memory_index'),
    sa.PrimaryKeyConstraint('doc_id', name=op.f('pk_memory_index')),
    sa.UniqueConstraint('item_id', name=op.f('uq_memory_index_item_id'))
    )
    op.create_index('ix_memory_index_profile_id', 'memory_index', ['profile_id'], unique=False)
    op.create_index('ix_memory_index_needs_embedding', 'memory_index', ['needs_embedding'], unique=False)

    op.create_table('memory_index_state',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('profile_id', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    _profile_fk('memory_index_state'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memory_index_state'))
    )
    op.create_index('ix_memory_index_state_profile_id', 'memory_index_state', ['profile_id'], unique=False)

    if op.get_bind().dialect.name == 'sqlite':
        # External-content FTS5 over memory_index; the profile column only filters (bm25 weight 0).
        op.execute("CREATE VIRTUAL TABLE memory_fts USING fts5(profile_id, search_text, "
                   "content='memory_index', content_rowid='doc_id', tokenize='unicode61')")
        op.execute("CREATE TRIGGER memory_index_ai AFTER INSERT ON memory_index BEGIN "
                   "INSERT INTO memory_fts(rowid, profile_id, search_text) "
                   "VALUES (new.doc_id, new.profile_id, new.search_text); END")
        op.execute("CREATE TRIGGER memory_index_ad AFTER DELETE ON memory_index BEGIN "
                   "INSERT INTO memory_fts(memory_fts, rowid, profile_id, search_text) "
                   "VALUES ('delete', old.doc_id, old.profile_id, old.search_text); END")
        # Only when indexed columns change (embedding updates must not churn the FTS index).
        op.execute("CREATE TRIGGER memory_index_au AFTER UPDATE OF profile_id, search_text ON memory_index BEGIN "
                   "INSERT INTO memory_fts(memory_fts, rowid, profile_id, search_text) "
                   "VALUES ('delete', old.doc_id, old.profile_id, old.search_text); "
                   "INSERT INTO memory_fts(rowid, profile_id, search_text) "
                   "VALUES (new.doc_id, new.profile_id, new.search_text); END")
    else:
        op.execute("ALTER TABLE memory_index ADD COLUMN search_tsv tsvector "
                   "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED")
        op.execute("CREATE INDEX ix_memory_index_search_tsv ON memory_index USING gin (search_tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for trigger in ('memory_index_ai', 'memory_index_ad', 'memory_index_au'):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS memory_fts")
    op.drop_table('memory_index_state')
    op.drop_table('memory_index')
    op.drop_table('summaries')
    op.drop_table('observation_revisions')
    op.drop_table('observations')
