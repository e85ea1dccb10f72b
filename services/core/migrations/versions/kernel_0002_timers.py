"""kernel tables: durable timers

Revision ID: kernel_0002
Revises: kernel_0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.core.db

revision: str = "kernel_0002"
down_revision: str | Sequence[str] | None = "kernel_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crm_timer",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("due_at", services.core.db.UTCDateTime(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", services.core.db.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_crm_timer_due_at", "crm_timer", ["due_at"])


def downgrade() -> None:
    op.drop_index("ix_crm_timer_due_at", table_name="crm_timer")
    op.drop_table("crm_timer")
