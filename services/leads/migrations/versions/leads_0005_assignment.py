"""reps, assignment rules and the public pool

Revision ID: leads_0005
Revises: leads_0004
Create Date: 2026-11-24 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.core.db

revision: str = 'leads_0005'
down_revision: str | Sequence[str] | None = 'leads_0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Partial (see models): an unowned lead, e.g. an imported one, adds no entry.
    op.create_index('ix_lead_tenant_owner_status', 'lead', ['tenant_id', 'owner_id', 'status'], unique=False,
                    postgresql_where=sa.text("owner_id <> ''"), sqlite_where=sa.text("owner_id <> ''"))

    op.create_table('rep',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('takes_leads', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('absent_from', services.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('absent_until', services.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('industries', sa.JSON(), nullable=False),
    sa.Column('daily_cap', sa.Integer(), nullable=False),
    sa.Column('holding_limit', sa.Integer(), nullable=False),
    sa.Column('last_assigned_at', services.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', services.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', services.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'user_id')
    )
    with op.batch_alter_table('rep', schema=None) as batch_op:
        batch_op.create_index('ix_rep_tenant_team', ['tenant_id', 'team'], unique=False)

    op.create_table('assignment_settings',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('pool', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', services.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id')
    )

    op.create_table('lead_ownership',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('lead_id', sa.String(length=36), nullable=False),
    sa.Column('from_owner', sa.String(length=64), nullable=False),
    sa.Column('to_owner', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('at', services.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('lead_ownership', schema=None) as batch_op:
        batch_op.create_index('ix_lead_ownership_lead', ['tenant_id', 'lead_id', 'at'], unique=False)
        batch_op.create_index('ix_lead_ownership_to_owner', ['tenant_id', 'to_owner', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_ownership_tenant_id'), ['tenant_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lead_ownership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_ownership_tenant_id'))
        batch_op.drop_index('ix_lead_ownership_to_owner')
        batch_op.drop_index('ix_lead_ownership_lead')
    op.drop_table('lead_ownership')
    op.drop_table('assignment_settings')
    with op.batch_alter_table('rep', schema=None) as batch_op:
        batch_op.drop_index('ix_rep_tenant_team')
    op.drop_table('rep')
    op.drop_index('ix_lead_tenant_owner_status', 'lead')
