"""commission plan versions: commission_plan gains effective_from in its primary key (ADR 0022)

Every existing plan becomes the version of its scope and subject in force from 1970-01-01: until now a plan paid
every won deal whatever its date, so the commissions computed before the upgrade stay what they were.

Revision ID: sales_0008
Revises: sales_0007
Create Date: 2026-11-24 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.core.db

revision: str = 'sales_0008'
down_revision: str | Sequence[str] | None = 'sales_0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = ['tenant_id', 'scope', 'subject']


def _shape(*key: str) -> sa.Table:
    """commission_plan (with effective_from) and the primary key `key`: SQLite's batch mode copies the table into
    this shape (it cannot alter a primary key in place)."""
    return sa.Table(
        'commission_plan', sa.MetaData(),
        sa.Column('tenant_id', sa.String(length=64), nullable=False),
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('subject', sa.String(length=100), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('rules', sa.JSON(), nullable=False),
        sa.Column('set_by', sa.String(length=64), nullable=False),
        sa.Column('updated_at', services.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint(*key, name='commission_plan_pkey'),
    )


def _set_primary_key(*key: str) -> None:
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('commission_plan', copy_from=_shape(*key), recreate='always'):
            pass
    else:
        op.drop_constraint('commission_plan_pkey', 'commission_plan', type_='primary')
        op.create_primary_key('commission_plan_pkey', 'commission_plan', list(key))


def upgrade() -> None:
    with op.batch_alter_table('commission_plan', schema=None) as batch_op:
        # The server default fills the existing rows only (a new version always names its date): dropped below.
        batch_op.add_column(sa.Column('effective_from', sa.Date(), nullable=False, server_default='1970-01-01'))
    if op.get_bind().dialect.name != 'sqlite':  # the copy of SQLite's batch mode has no server default
        op.alter_column('commission_plan', 'effective_from', existing_type=sa.Date(), existing_nullable=False,
                        server_default=None)
    _set_primary_key(*KEY, 'effective_from')


def downgrade() -> None:
    # Back to one plan per scope and subject: the newest version of each is kept.
    plans = sa.table('commission_plan', sa.column('tenant_id'), sa.column('scope'), sa.column('subject'),
                     sa.column('effective_from', sa.Date()))
    newer = plans.alias('newer')
    op.execute(plans.delete().where(sa.exists().where(
        newer.c.tenant_id == plans.c.tenant_id, newer.c.scope == plans.c.scope,
        newer.c.subject == plans.c.subject, newer.c.effective_from > plans.c.effective_from)))
    _set_primary_key(*KEY)
    with op.batch_alter_table('commission_plan', schema=None) as batch_op:
        batch_op.drop_column('effective_from')
