"""hand-over and commitments, targets, commission plans, territories, exchange rates, product category

Revision ID: sales_0004
Revises: sales_0003
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.core.db

revision: str = 'sales_0004'
down_revision: str | Sequence[str] | None = 'sales_0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(precision=18, scale=4)
WHEN = services.core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('commitment',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('opportunity_id', sa.String(length=36), nullable=False),
    sa.Column('contract_id', sa.String(length=36), nullable=False),
    sa.Column('handover_id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('due_in_days', sa.Integer(), nullable=True),
    sa.Column('working_days', sa.Boolean(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('due_at', WHEN, nullable=True),
    sa.Column('at_risk_at', WHEN, nullable=True),
    sa.Column('owner_id', sa.String(length=64), nullable=False),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', WHEN, nullable=False),
    sa.Column('completed_by', sa.String(length=64), nullable=False),
    sa.Column('completed_at', WHEN, nullable=True),
    sa.Column('completion_note', sa.String(length=1000), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.create_index('ix_commitment_handover', ['tenant_id', 'handover_id'], unique=False)
        batch_op.create_index('ix_commitment_opportunity', ['tenant_id', 'opportunity_id'], unique=False)
        batch_op.create_index('ix_commitment_status', ['tenant_id', 'status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitment_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('handover',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('contract_id', sa.String(length=36), nullable=False),
    sa.Column('opportunity_id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('owner_id', sa.String(length=64), nullable=False),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('package', sa.JSON(), nullable=False),
    sa.Column('created_at', WHEN, nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'contract_id', name='uq_handover_contract')
    )
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('sales_target',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('amount', MONEY, nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('set_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', WHEN, nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'scope', 'subject', 'period', name='uq_sales_target')
    )
    with op.batch_alter_table('sales_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_target_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('commission_plan',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('set_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', WHEN, nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'scope', 'subject')
    )

    op.create_table('territory',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('industries', sa.JSON(), nullable=False),
    sa.Column('manager_id', sa.String(length=64), nullable=False),
    sa.Column('reps', sa.JSON(), nullable=False),
    sa.Column('updated_at', WHEN, nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'name', name='uq_territory_name')
    )
    with op.batch_alter_table('territory', schema=None) as batch_op:
        batch_op.create_index('ix_territory_manager', ['tenant_id', 'manager_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_territory_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('exchange_rate',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('base', sa.String(length=3), nullable=False),
    sa.Column('quote', sa.String(length=3), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('rate', sa.Numeric(precision=18, scale=8), nullable=False),
    sa.Column('set_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', WHEN, nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'base', 'quote', 'day')
    )

    # Existing products get no category.
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=64), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_column('category')
    op.drop_table('exchange_rate')
    with op.batch_alter_table('territory', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_territory_tenant_id'))
        batch_op.drop_index('ix_territory_manager')
    op.drop_table('territory')
    op.drop_table('commission_plan')
    with op.batch_alter_table('sales_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_target_tenant_id'))
    op.drop_table('sales_target')
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_handover_opportunity_id'))
    op.drop_table('handover')
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitment_tenant_id'))
        batch_op.drop_index('ix_commitment_status')
        batch_op.drop_index('ix_commitment_opportunity')
        batch_op.drop_index('ix_commitment_handover')
    op.drop_table('commitment')
