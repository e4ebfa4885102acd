"""reserved for roster edits in the pages (issue 12); filled in by that work

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 23:50:00
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
