"""import jobs and row errors

Revision ID: leads_0003
Revises: leads_0002
Create Date: 2026-11-24 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import services.core.db  # noqa: F401

revision: str = 'leads_0003'
down_revision: str | Sequence[str] | None = 'leads_0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
