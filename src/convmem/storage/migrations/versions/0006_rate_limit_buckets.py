"""rate limit buckets (shared by the server processes on PostgreSQL)

Revision ID: rate_limit_buckets
Revises: 0002
Create Date: 2026-11-28 20:53:00.343191
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'rate_limit_buckets'
down_revision = '0002'
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
