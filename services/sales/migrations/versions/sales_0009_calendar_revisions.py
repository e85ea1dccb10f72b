"""sequence and revised_at on activities and tasks: the iCalendar SEQUENCE and LAST-MODIFIED of edited items

Revision ID: sales_0009
Revises: sales_0008
Create Date: 2026-11-24 20:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.core.db

revision: str = 'sales_0009'
down_revision: str | Sequence[str] | None = 'sales_0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('activity', 'sales_task')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('sequence', sa.Integer(), server_default=sa.text('0'), nullable=False))
            batch_op.add_column(sa.Column('revised_at', services.core.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('revised_at')
            batch_op.drop_column('sequence')
