"""uploaded CSV files kept in the database, in chunks, with retryable upload attempts

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 09:20:00
Renumbered into one linear chain (formerly revision 0007);
old databases are translated to these numbers by convmem.storage.migrate.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from convmem.storage.types import UtcDateTime

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing imports start at attempt 0 (the next PUT is attempt 1); their URL expiry is
    # unknown (NULL), which housekeeping reads as created_at + the configured TTL.
    op.add_column('profile_imports', sa.Column('upload_attempt', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('profile_imports', sa.Column('upload_expires_at', UtcDateTime(timezone=True), nullable=True))
    op.create_table('import_upload_chunks',
    sa.Column('import_id', sa.String(length=40), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['profile_imports.id'],
                            name=op.f('fk_import_upload_chunks_import_id_profile_imports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('import_id', 'attempt', 'seq', name=op.f('pk_import_upload_chunks'))
    )


def downgrade() -> None:
    op.drop_table('import_upload_chunks')
    # SQLite cannot drop a column in place: batch mode rebuilds the table there.
    with op.batch_alter_table('profile_imports', schema=None) as batch_op:
        batch_op.drop_column('upload_expires_at')
        batch_op.drop_column('upload_attempt')
