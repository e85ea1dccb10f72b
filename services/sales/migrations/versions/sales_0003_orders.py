"""orders

Revision ID: sales_0003
Revises: sales_0002
Create Date: 2026-11-25 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.core.db

revision: str = 'sales_0003'
down_revision: str | Sequence[str] | None = 'sales_0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(precision=18, scale=4)


def upgrade() -> None:
    op.create_table('sales_order',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('request_id', sa.String(length=100), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('opportunity_id', sa.String(length=36), nullable=False),
    sa.Column('price_list_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('list_total', MONEY, nullable=False),
    sa.Column('discount_total', MONEY, nullable=False),
    sa.Column('net_total', MONEY, nullable=False),
    sa.Column('tax_total', MONEY, nullable=False),
    sa.Column('total', MONEY, nullable=False),
    sa.Column('owner_id', sa.String(length=64), nullable=False),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('payment_reference', sa.String(length=100), nullable=False),
    sa.Column('tracking_number', sa.String(length=100), nullable=False),
    sa.Column('refund_reason', sa.String(length=500), nullable=False),
    sa.Column('placed_at', services.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('paid_at', services.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('shipped_at', services.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('received_at', services.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('refunded_at', services.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'request_id', name='uq_sales_order_request')
    )
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.create_index('ix_sales_order_account', ['tenant_id', 'account_id', 'placed_at'], unique=False)
        batch_op.create_index('ix_sales_order_owner', ['tenant_id', 'owner_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_order_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('sales_order_line',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.String(length=36), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('quantity', MONEY, nullable=False),
    sa.Column('unit_price', MONEY, nullable=False),
    sa.Column('discount_percent', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.Column('tax_rate', sa.Numeric(precision=6, scale=4), nullable=False),
    sa.Column('list_amount', MONEY, nullable=False),
    sa.Column('net_amount', MONEY, nullable=False),
    sa.Column('tax_amount', MONEY, nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'order_id', 'position')
    )


def downgrade() -> None:
    op.drop_table('sales_order_line')
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_order_tenant_id'))
        batch_op.drop_index('ix_sales_order_owner')
        batch_op.drop_index('ix_sales_order_account')

    op.drop_table('sales_order')
