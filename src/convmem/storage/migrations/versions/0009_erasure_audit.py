"""erasure audit trail (no personal data)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 09:20:00
Renumbered into one linear chain (formerly revision 0008);
old databases are translated to these numbers by convmem.storage.migrate.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from convmem.storage.types import UtcDateTime

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('erasure_audit',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('account_sid', sa.String(length=40), nullable=False),
    sa.Column('store_id', sa.String(length=40), nullable=True),
    sa.Column('object_kind', sa.String(length=32), nullable=False),
    sa.Column('erased_counts', sa.String(length=1024), nullable=False),
    sa.Column('credential_sid', sa.String(length=40), nullable=False),
    sa.Column('erased_at', UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_audit'))
    )
    op.create_index('ix_erasure_audit_account_sid_erased_at', 'erasure_audit', ['account_sid', 'erased_at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_erasure_audit_account_sid_erased_at', table_name='erasure_audit')
    op.drop_table('erasure_audit')
