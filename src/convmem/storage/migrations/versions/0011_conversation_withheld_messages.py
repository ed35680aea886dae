"""conversations record the customer messages the injection guard withheld from memory

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 13:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Ids of the communications withheld (never their text): null until extraction withholds one.
    with op.batch_alter_table('conversations') as batch:
        batch.add_column(sa.Column('memory_withheld', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conversations') as batch:
        batch.drop_column('memory_withheld')
