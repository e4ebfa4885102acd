"""the town's photo stamp: photos taken in the record form get the time and place drawn on them (issue 11)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('town', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stamp_photos', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('town', schema=None) as batch_op:
        batch_op.drop_column('stamp_photos')
