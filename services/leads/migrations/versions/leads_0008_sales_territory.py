"""sales_territory: the copy of sales' territories that assignment counts as its reps' coverage

Revision ID: leads_0008
Revises: leads_0007
Create Date: 2026-11-24 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.core.db

revision: str = 'leads_0008'
down_revision: str | Sequence[str] | None = 'leads_0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sales_territory',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('territory_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('industries', sa.JSON(), nullable=False),
    sa.Column('rep_ids', sa.JSON(), nullable=False),
    sa.Column('revision', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', services.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'territory_id')
    )


def downgrade() -> None:
    op.drop_table('sales_territory')
