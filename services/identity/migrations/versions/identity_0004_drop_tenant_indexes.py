"""drop the tenant_id indexes of source_record, match_key and link_audit: other indexes start with tenant_id or
serve every query of the table, and each costs an index entry per row written at intake (issue #2, ADR 0024)

Revision ID: identity_0004
Revises: identity_0003
Create Date: 2026-11-24 22:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "identity_0004"
down_revision: str | Sequence[str] | None = "identity_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_source_record_tenant_id", table_name="source_record")
    op.drop_index("ix_match_key_tenant_id", table_name="match_key")
    op.drop_index("ix_link_audit_tenant_id", table_name="link_audit")


def downgrade() -> None:
    op.create_index("ix_link_audit_tenant_id", "link_audit", ["tenant_id"], unique=False)
    op.create_index("ix_match_key_tenant_id", "match_key", ["tenant_id"], unique=False)
    op.create_index("ix_source_record_tenant_id", "source_record", ["tenant_id"], unique=False)
