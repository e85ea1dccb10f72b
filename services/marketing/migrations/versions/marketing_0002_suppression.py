"""suppression: hashes of erased people's e-mails and phones, never contacted again (R-SEC-5).

Revision ID: marketing_0002
Revises: marketing_0001
Create Date: 2026-11-24 16:40:02.311775
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.core.db

revision: str = 'marketing_0002'
down_revision: str | Sequence[str] | None = 'marketing_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('suppression',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('request_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', services.core.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'key_hash')
    )


def downgrade() -> None:
    op.drop_table('suppression')
