"""the index behind the default order of lead lists

Revision ID: leads_0007
Revises: leads_0006
Create Date: 2026-11-24 17:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'leads_0007'
down_revision: str | Sequence[str] | None = 'leads_0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.create_index('ix_lead_tenant_created', ['tenant_id', 'created_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_tenant_created')
