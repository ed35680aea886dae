"""conversations record the communications with a sentence the special-category screen dropped

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Ids only, never text: null until extraction screens something out of the conversation.
    with op.batch_alter_table('conversations') as batch:
        batch.add_column(sa.Column('memory_screened', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conversations') as batch:
        batch.drop_column('memory_screened')
