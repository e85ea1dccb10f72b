"""activities (and meeting attendees), tasks, contacts' customer id, cancelled orders and the order list indexes

Revision ID: sales_0005
Revises: sales_0004
Create Date: 2026-12-10 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.core.db

revision: str = 'sales_0005'
down_revision: str | Sequence[str] | None = 'sales_0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = services.core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('activity',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('record_kind', sa.String(length=16), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('logged_by', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.String(length=10000), nullable=False),
    sa.Column('outcome', sa.String(length=200), nullable=False),
    sa.Column('occurred_at', WHEN, nullable=False),
    sa.Column('ends_at', WHEN, nullable=True),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('attendees', sa.JSON(), nullable=False),
    sa.Column('owner_id', sa.String(length=64), nullable=False),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('created_at', WHEN, nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index('ix_activity_account', ['tenant_id', 'account_id'], unique=False)
        batch_op.create_index('ix_activity_record', ['tenant_id', 'record_kind', 'record_id', 'occurred_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_activity_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('activity_attendee',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('activity_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('starts_at', WHEN, nullable=False),
    sa.Column('ends_at', WHEN, nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'activity_id', 'user_id')
    )
    with op.batch_alter_table('activity_attendee', schema=None) as batch_op:
        batch_op.create_index('ix_activity_attendee_calendar', ['tenant_id', 'user_id', 'starts_at'], unique=False)

    op.create_table('sales_task',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.String(length=4000), nullable=False),
    sa.Column('record_kind', sa.String(length=16), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('assignee_id', sa.String(length=64), nullable=False),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('priority', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('due_at', WHEN, nullable=False),
    sa.Column('remind_at', WHEN, nullable=False),
    sa.Column('reminded_at', WHEN, nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', WHEN, nullable=False),
    sa.Column('closed_by', sa.String(length=64), nullable=False),
    sa.Column('closed_at', WHEN, nullable=True),
    sa.Column('close_note', sa.String(length=1000), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sales_task', schema=None) as batch_op:
        batch_op.create_index('ix_sales_task_assignee', ['tenant_id', 'assignee_id', 'status', 'due_at'],
                              unique=False)
        batch_op.create_index('ix_sales_task_due', ['tenant_id', 'status', 'due_at'], unique=False)
        batch_op.create_index('ix_sales_task_record', ['tenant_id', 'record_kind', 'record_id'], unique=False)
        batch_op.create_index('ix_sales_task_team', ['tenant_id', 'team', 'status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_task_tenant_id'), ['tenant_id'], unique=False)

    # Existing contacts have no customer id yet; existing orders were never cancelled.
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer_id', sa.String(length=32), nullable=False, server_default=''))
        batch_op.create_index('ix_contact_customer', ['tenant_id', 'customer_id'], unique=False)
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('cancelled_at', WHEN, nullable=True))
        batch_op.create_index('ix_sales_order_placed', ['tenant_id', 'placed_at'], unique=False)
        batch_op.create_index('ix_sales_order_team', ['tenant_id', 'team', 'placed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_order_team')
        batch_op.drop_index('ix_sales_order_placed')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('cancel_reason')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_customer')
        batch_op.drop_column('customer_id')
    with op.batch_alter_table('sales_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_task_tenant_id'))
        batch_op.drop_index('ix_sales_task_team')
        batch_op.drop_index('ix_sales_task_record')
        batch_op.drop_index('ix_sales_task_due')
        batch_op.drop_index('ix_sales_task_assignee')
    op.drop_table('sales_task')
    with op.batch_alter_table('activity_attendee', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_attendee_calendar')
    op.drop_table('activity_attendee')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_tenant_id'))
        batch_op.drop_index('ix_activity_record')
        batch_op.drop_index('ix_activity_account')
    op.drop_table('activity')
