"""territory revision: the change counter territory.updated carries

Revision ID: sales_0006
Revises: sales_0005
Create Date: 2026-11-24 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'sales_0006'
down_revision: str | Sequence[str] | None = 'sales_0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('territory', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.BigInteger(), server_default=sa.text('0'), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('territory', schema=None) as batch_op:
        batch_op.drop_column('revision')
