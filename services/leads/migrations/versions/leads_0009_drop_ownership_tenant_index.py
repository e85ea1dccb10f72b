"""drop lead_ownership's tenant_id index: both of its other indexes start with tenant_id, and it costs an index
entry per assignment (issue #2, ADR 0024)

Revision ID: leads_0009
Revises: leads_0008
Create Date: 2026-11-24 22:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "leads_0009"
down_revision: str | Sequence[str] | None = "leads_0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_lead_ownership_tenant_id", table_name="lead_ownership")


def downgrade() -> None:
    op.create_index("ix_lead_ownership_tenant_id", "lead_ownership", ["tenant_id"], unique=False)
