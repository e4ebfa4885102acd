"""study app registrations: 学习强国 registrations per town and year, entered by the secretary

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:40:00
"""

from __future__ import annotations

import advanced_alchemy.types.datetime  # noqa: F401  (DateTimeUTC)
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('study_app_count',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('town_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('registrations', sa.Integer(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('entered_by_user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_user_id'], ['app_user.id'], name=op.f('fk_study_app_count_entered_by_user_id_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['town_id'], ['town.id'], name=op.f('fk_study_app_count_town_id_town'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_study_app_count')),
    sa.UniqueConstraint('town_id', 'year', name='uq_study_app_count_town_year')
    )
    with op.batch_alter_table('study_app_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_study_app_count_town_id'), ['town_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('study_app_count', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_study_app_count_town_id'))
    op.drop_table('study_app_count')
