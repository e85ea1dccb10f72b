"""audit log: audit_entry, append-only (R-SEC-3, ADR 0015)

Revision ID: analytics_0002
Revises: analytics_0001
Create Date: 2026-12-01 09:00:00.000000

Triggers refuse UPDATE and DELETE of audit_entry rows (and TRUNCATE on PostgreSQL), so that neither the service
nor anyone with its database role can rewrite the log through SQL. Dropping the triggers needs a migration (or
the table's owner), which is reviewed and visible.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'analytics_0002'
down_revision: str | Sequence[str] | None = 'analytics_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "audit_entry is append-only"


def upgrade() -> None:
    op.create_table('audit_entry',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('actor_kind', sa.String(length=16), nullable=False),
    sa.Column('service', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('correlation_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'event_id', 'position', name='uq_audit_entry_event')
    )
    op.create_index('ix_audit_entry_actor', 'audit_entry', ['tenant_id', 'actor', 'occurred_at'], unique=False)
    op.create_index('ix_audit_entry_record', 'audit_entry', ['tenant_id', 'entity', 'record_id', 'occurred_at'],
                    unique=False)
    op.create_index('ix_audit_entry_time', 'audit_entry', ['tenant_id', 'occurred_at', 'id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
            END
            $$
        """)
        op.execute("CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry"
                   " FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()")
        op.execute("CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry"
                   " FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()")
    else:
        for statement in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_entry_no_{statement.lower()} BEFORE {statement} ON audit_entry"
                       f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entry_no_truncate ON audit_entry")
        op.execute("DROP TRIGGER audit_entry_no_change ON audit_entry")
        op.execute("DROP FUNCTION audit_entry_append_only()")
    else:
        op.execute("DROP TRIGGER audit_entry_no_update")
        op.execute("DROP TRIGGER audit_entry_no_delete")
    op.drop_index('ix_audit_entry_time', table_name='audit_entry')
    op.drop_index('ix_audit_entry_record', table_name='audit_entry')
    op.drop_index('ix_audit_entry_actor', table_name='audit_entry')
    op.drop_table('audit_entry')
