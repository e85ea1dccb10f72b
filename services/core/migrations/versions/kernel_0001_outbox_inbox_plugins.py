"""kernel tables: outbox, inbox, plugin choices

Revision ID: kernel_0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.core.db

revision: str = "kernel_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("kernel",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crm_outbox",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", services.core.db.UTCDateTime(), nullable=False),
    )
    op.create_table(
        "crm_inbox",
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("processed_at", services.core.db.UTCDateTime(), nullable=False),
    )
    op.create_table(
        "crm_plugin_choice",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("hook", sa.String(100), primary_key=True),
        sa.Column("plugin", sa.String(100), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("updated_at", services.core.db.UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("crm_plugin_choice")
    op.drop_table("crm_inbox")
    op.drop_table("crm_outbox")
