"""follow-ups and reminders

Revision ID: leads_0006
Revises: leads_0005
Create Date: 2026-11-24 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.core.db

revision: str = 'leads_0006'
down_revision: str | Sequence[str] | None = 'leads_0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'follow_up',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('lead_id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('content', sa.String(length=4000), nullable=False),
        sa.Column('objection', sa.String(length=1000), nullable=False),
        sa.Column('budget_cycle', sa.String(length=200), nullable=False),
        sa.Column('next_step', sa.String(length=1000), nullable=False),
        sa.Column('occurred_at', services.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('author_id', sa.String(length=64), nullable=False),
        sa.Column('created_at', services.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('tenant_id', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_follow_up_lead', 'follow_up', ['tenant_id', 'lead_id', 'occurred_at'])
    op.create_index(op.f('ix_follow_up_tenant_id'), 'follow_up', ['tenant_id'])
    op.create_table(
        'reminder',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('lead_id', sa.String(length=36), nullable=False),
        sa.Column('follow_up_id', sa.String(length=36), nullable=False),
        sa.Column('recipient_id', sa.String(length=64), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('remind_at', services.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('anchor', sa.String(length=64), nullable=False),
        sa.Column('note', sa.String(length=1000), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('fired_at', services.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('cancelled_at', services.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', services.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('tenant_id', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_reminder_recipient', 'reminder', ['tenant_id', 'recipient_id', 'status', 'remind_at'])
    op.create_index('ix_reminder_lead', 'reminder', ['tenant_id', 'lead_id', 'remind_at'])
    op.create_index(op.f('ix_reminder_tenant_id'), 'reminder', ['tenant_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_reminder_tenant_id'), table_name='reminder')
    op.drop_index('ix_reminder_lead', table_name='reminder')
    op.drop_index('ix_reminder_recipient', table_name='reminder')
    op.drop_table('reminder')
    op.drop_index(op.f('ix_follow_up_tenant_id'), table_name='follow_up')
    op.drop_index('ix_follow_up_lead', table_name='follow_up')
    op.drop_table('follow_up')
