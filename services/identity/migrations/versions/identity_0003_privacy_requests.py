"""privacy requests: privacy_request and privacy_step, the saga that exports or erases one person's data across
services (R-SEC-5).

Revision ID: identity_0003
Revises: identity_0002
Create Date: 2026-11-24 16:37:36.692174
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.core.db

revision: str = 'identity_0003'
down_revision: str | Sequence[str] | None = 'identity_0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('privacy_request',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('customer_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('requested_by', sa.String(length=100), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', services.core.db.UTCDateTime(), nullable=False),
    sa.Column('completed_at', services.core.db.UTCDateTime(), nullable=True),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'request_id', name='uq_privacy_request_client')
    )
    with op.batch_alter_table('privacy_request', schema=None) as batch_op:
        batch_op.create_index('ix_privacy_request_created', ['tenant_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_privacy_request_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_privacy_request_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('privacy_step',
    sa.Column('request_id', sa.String(length=36), nullable=False),
    sa.Column('service', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('export', sa.JSON(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=False),
    sa.Column('finished_at', services.core.db.UTCDateTime(), nullable=True),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('request_id', 'service')
    )
    with op.batch_alter_table('privacy_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacy_step_tenant_id'), ['tenant_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('privacy_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacy_step_tenant_id'))

    op.drop_table('privacy_step')
    with op.batch_alter_table('privacy_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacy_request_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_privacy_request_customer_id'))
        batch_op.drop_index('ix_privacy_request_created')

    op.drop_table('privacy_request')
