"""opportunities quotes contracts

Revision ID: sales_0002
Revises: sales_0001
Create Date: 2026-11-24 15:11:44.381608
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.core.db

revision: str = 'sales_0002'
down_revision: str | Sequence[str] | None = 'sales_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Row ids of the big history table: BIGINT in PostgreSQL, INTEGER (the rowid alias) in SQLite.
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('approval_step',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('contract_id', sa.String(length=36), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('duty', sa.String(length=32), nullable=False),
    sa.Column('condition', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('expected_working_days', sa.Integer(), nullable=False),
    sa.Column('started_at', services.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('due_at', services.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=False),
    sa.Column('decided_at', services.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'contract_id', 'round', 'position', name='uq_approval_step')
    )
    with op.batch_alter_table('approval_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_step_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_approval_step_waiting', ['tenant_id', 'duty', 'state'], unique=False)

    op.create_table('contact',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.Column('created_at', services.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('contract',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('opportunity_id', sa.String(length=36), nullable=False),
    sa.Column('quote_id', sa.String(length=36), nullable=False),
    sa.Column('template_id', sa.String(length=36), nullable=False),
    sa.Column('body', sa.String(length=40000), nullable=False),
    sa.Column('special_terms', sa.String(length=2000), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('total', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('discount_percent', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.Column('rejection_reason', sa.String(length=1000), nullable=False),
    sa.Column('owner_id', sa.String(length=64), nullable=False),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('signed_by', sa.String(length=64), nullable=False),
    sa.Column('signed_at', services.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', services.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('contract_template',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('body', sa.String(length=20000), nullable=False),
    sa.Column('created_at', services.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contract_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_template_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('funnel_day',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('stage', sa.String(length=4), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('reached', sa.BigInteger(), nullable=False),
    sa.Column('exits', sa.BigInteger(), nullable=False),
    sa.Column('dwell_seconds', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'day', 'team', 'stage', 'reason')
    )
    with op.batch_alter_table('funnel_day', schema=None) as batch_op:
        batch_op.create_index('ix_funnel_day_period', ['tenant_id', 'day'], unique=False,
            postgresql_include=['stage', 'reason', 'reached', 'exits', 'dwell_seconds'])
        batch_op.create_index('ix_funnel_day_team', ['tenant_id', 'team', 'day'], unique=False,
            postgresql_include=['stage', 'reason', 'reached', 'exits', 'dwell_seconds'])

    op.create_table('opportunity',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('contact_id', sa.String(length=36), nullable=False),
    sa.Column('lead_id', sa.String(length=36), nullable=True),
    sa.Column('stage', sa.String(length=4), nullable=False),
    sa.Column('max_rank', sa.Integer(), nullable=False),
    sa.Column('stage_entered_at', services.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lost_reason', sa.String(length=16), nullable=False),
    sa.Column('lost_note', sa.String(length=500), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('close_date', sa.Date(), nullable=True),
    sa.Column('owner_id', sa.String(length=64), nullable=False),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('region', sa.String(length=100), nullable=False),
    sa.Column('channel', sa.String(length=100), nullable=False),
    sa.Column('created_at', services.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', services.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'lead_id', name='uq_opportunity_lead')
    )
    with op.batch_alter_table('opportunity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opportunity_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_opportunity_forecast', ['tenant_id', 'close_date'], unique=False,
            postgresql_include=['stage', 'amount', 'currency', 'owner_id', 'team', 'region'],
            postgresql_where=sa.text("stage <> 'lost'"))
        batch_op.create_index('ix_opportunity_owner', ['tenant_id', 'owner_id', 'stage'], unique=False)
        batch_op.create_index('ix_opportunity_team', ['tenant_id', 'team', 'stage'], unique=False)
        batch_op.create_index(batch_op.f('ix_opportunity_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('opportunity_stage_change',
    sa.Column('id', ROW_ID, autoincrement=True, nullable=False),
    sa.Column('opportunity_id', sa.String(length=36), nullable=False),
    sa.Column('from_stage', sa.String(length=4), nullable=False),
    sa.Column('to_stage', sa.String(length=4), nullable=False),
    sa.Column('at', services.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('dwell_seconds', sa.BigInteger(), nullable=False),
    sa.Column('reached_low', sa.Integer(), nullable=False),
    sa.Column('reached_high', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('owner_id', sa.String(length=64), nullable=False),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('region', sa.String(length=100), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('opportunity_stage_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opportunity_stage_change_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_stage_change_opportunity', ['tenant_id', 'opportunity_id', 'at'], unique=False)
        batch_op.create_index('ix_stage_change_owner', ['tenant_id', 'owner_id', 'at'], unique=False,
            postgresql_include=['from_stage', 'to_stage', 'dwell_seconds', 'reached_low', 'reached_high', 'reason'])

    op.create_table('price_list',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('created_at', services.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('price_list', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_price_list_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('price_list_item',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('price_list_id', sa.String(length=36), nullable=False),
    sa.Column('product_id', sa.String(length=36), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'price_list_id', 'product_id')
    )
    op.create_table('product',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('tax_rate', sa.Numeric(precision=6, scale=4), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', services.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'sku', name='uq_product_sku')
    )
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('quote',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('opportunity_id', sa.String(length=36), nullable=False),
    sa.Column('price_list_id', sa.String(length=36), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('list_total', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('discount_total', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('net_total', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('tax_total', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('total', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('owner_id', sa.String(length=64), nullable=False),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', services.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('quote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quote_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quote_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('quote_line',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('quote_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.String(length=36), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('discount_percent', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.Column('tax_rate', sa.Numeric(precision=6, scale=4), nullable=False),
    sa.Column('list_amount', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('net_amount', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('tax_amount', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'quote_id', 'position')
    )
    op.create_table('sales_member',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('region', sa.String(length=100), nullable=False),
    sa.Column('duties', sa.JSON(), nullable=False),
    sa.Column('updated_at', services.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'user_id')
    )
    with op.batch_alter_table('sales_member', schema=None) as batch_op:
        batch_op.create_index('ix_sales_member_team', ['tenant_id', 'team'], unique=False)

    op.create_table('sales_settings',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', services.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id')
    )


def downgrade() -> None:
    op.drop_table('sales_settings')
    with op.batch_alter_table('sales_member', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_member_team')

    op.drop_table('sales_member')
    op.drop_table('quote_line')
    with op.batch_alter_table('quote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quote_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_quote_opportunity_id'))

    op.drop_table('quote')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_tenant_id'))

    op.drop_table('product')
    op.drop_table('price_list_item')
    with op.batch_alter_table('price_list', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_price_list_tenant_id'))

    op.drop_table('price_list')
    with op.batch_alter_table('opportunity_stage_change', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_change_owner',
            postgresql_include=['from_stage', 'to_stage', 'dwell_seconds', 'reached_low', 'reached_high', 'reason'])
        batch_op.drop_index('ix_stage_change_opportunity')
        batch_op.drop_index(batch_op.f('ix_opportunity_stage_change_tenant_id'))

    op.drop_table('opportunity_stage_change')
    with op.batch_alter_table('opportunity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opportunity_tenant_id'))
        batch_op.drop_index('ix_opportunity_team')
        batch_op.drop_index('ix_opportunity_owner')
        batch_op.drop_index('ix_opportunity_forecast',
            postgresql_include=['stage', 'amount', 'currency', 'owner_id', 'team', 'region'],
            postgresql_where=sa.text("stage <> 'lost'"))
        batch_op.drop_index(batch_op.f('ix_opportunity_account_id'))

    op.drop_table('opportunity')
    with op.batch_alter_table('funnel_day', schema=None) as batch_op:
        batch_op.drop_index('ix_funnel_day_team',
            postgresql_include=['stage', 'reason', 'reached', 'exits', 'dwell_seconds'])
        batch_op.drop_index('ix_funnel_day_period',
            postgresql_include=['stage', 'reason', 'reached', 'exits', 'dwell_seconds'])

    op.drop_table('funnel_day')
    with op.batch_alter_table('contract_template', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_template_tenant_id'))

    op.drop_table('contract_template')
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_contract_opportunity_id'))

    op.drop_table('contract')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_contact_account_id'))

    op.drop_table('contact')
    with op.batch_alter_table('approval_step', schema=None) as batch_op:
        batch_op.drop_index('ix_approval_step_waiting')
        batch_op.drop_index(batch_op.f('ix_approval_step_tenant_id'))

    op.drop_table('approval_step')
