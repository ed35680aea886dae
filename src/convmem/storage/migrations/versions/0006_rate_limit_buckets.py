"""rate limit buckets (shared by the server processes on PostgreSQL)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 20:53:00.343191
Renumbered into one linear chain (formerly revision 'rate_limit_buckets', a branch on 0002);
old databases are translated to these numbers by convmem.storage.migrate.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rate_limit_buckets',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('tokens', sa.Float(), nullable=False),
    sa.Column('refilled_at', sa.Float(), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_buckets'))
    )
    if op.get_bind().dialect.name == "postgresql":
        # Bucket state is disposable: no WAL, no fsync wait on the request path (see rate_limits.py).
        op.execute("ALTER TABLE rate_limit_buckets SET UNLOGGED")


def downgrade() -> None:
    op.drop_table('rate_limit_buckets')
