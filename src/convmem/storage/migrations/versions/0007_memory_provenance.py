"""memory provenance (conversation extraction)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 21:20:00
Renumbered into one linear chain (formerly revision 0006, the merge of the four branches on 0002);
old databases are translated to these numbers by convmem.storage.migrate.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from convmem.storage.types import UtcDateTime

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('memory_provenance',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('item_id', sa.String(length=48), nullable=False),
    sa.Column('profile_id', sa.String(length=40), nullable=False),
    sa.Column('conversation_id', sa.String(length=64), nullable=False),
    sa.Column('communication_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['profile_id'], ['profiles.id'], name=op.f('fk_memory_provenance_profile_id_profiles'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_memory_provenance'))
    )
    op.create_index('ix_memory_provenance_conversation_id', 'memory_provenance', ['conversation_id'], unique=False)
    op.create_index('ix_memory_provenance_item_id', 'memory_provenance', ['item_id'], unique=False)
    op.create_index('ix_memory_provenance_profile_id', 'memory_provenance', ['profile_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_memory_provenance_profile_id', table_name='memory_provenance')
    op.drop_index('ix_memory_provenance_item_id', table_name='memory_provenance')
    op.drop_index('ix_memory_provenance_conversation_id', table_name='memory_provenance')
    op.drop_table('memory_provenance')
