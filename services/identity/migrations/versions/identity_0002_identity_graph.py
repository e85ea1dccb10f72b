"""identity graph: source records, match keys, the matching model, merges, link audit, review pairs, dedup jobs,
survivorship rules; golden fields and tombstones on customer.

Existing links are copied, never dropped: each record_link row becomes a source_record row. The raw values of
old records were not kept, except by the record that created its customer (the customer's fields came from it),
so that record gets them and the others start empty. Features and match keys of the copied records are computed
with the matching engine at upgrade time, so intake keeps finding the customers that existed before.

Revision ID: identity_0002
Revises: identity_0001
Create Date: 2026-11-24 12:24:46.420389
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.core.db

revision: str = 'identity_0002'
down_revision: str | Sequence[str] | None = 'identity_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIELDS = ('name', 'company', 'phone', 'email', 'city', 'address', 'credit_code')


def upgrade() -> None:
    op.create_table('customer_merge',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('survivor_id', sa.String(length=32), nullable=False),
    sa.Column('absorbed_id', sa.String(length=32), nullable=False),
    sa.Column('record_ids', sa.JSON(), nullable=False),
    sa.Column('survivor_before', sa.JSON(), nullable=False),
    sa.Column('absorbed_before', sa.JSON(), nullable=False),
    sa.Column('merged_by', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('merged_at', services.core.db.UTCDateTime(), nullable=False),
    sa.Column('undone_at', services.core.db.UTCDateTime(), nullable=True),
    sa.Column('undone_by', sa.String(length=100), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('customer_merge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_merge_absorbed_id'), ['absorbed_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_merge_survivor_id'), ['survivor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_merge_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('dedup_job',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('auto_merge', sa.Boolean(), nullable=False),
    sa.Column('requested_by', sa.String(length=100), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('pairs_scored', sa.Integer(), nullable=False),
    sa.Column('duplicate_clusters', sa.Integer(), nullable=False),
    sa.Column('duplicate_records', sa.Integer(), nullable=False),
    sa.Column('review_pairs_opened', sa.Integer(), nullable=False),
    sa.Column('merges', sa.Integer(), nullable=False),
    sa.Column('clusters', sa.JSON(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=False),
    sa.Column('created_at', services.core.db.UTCDateTime(), nullable=False),
    sa.Column('started_at', services.core.db.UTCDateTime(), nullable=True),
    sa.Column('finished_at', services.core.db.UTCDateTime(), nullable=True),
    sa.Column('heartbeat_at', services.core.db.UTCDateTime(), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('dedup_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dedup_job_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('link_audit',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('source_record_id', sa.Integer(), nullable=False),
    sa.Column('from_customer_id', sa.String(length=32), nullable=False),
    sa.Column('to_customer_id', sa.String(length=32), nullable=False),
    sa.Column('merge_id', sa.String(length=36), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('at', services.core.db.UTCDateTime(), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('link_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_link_audit_merge_id'), ['merge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_audit_source_record_id'), ['source_record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_audit_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('match_key',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('value', sa.String(length=254), nullable=False),
    sa.Column('source_record_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('match_key', schema=None) as batch_op:
        batch_op.create_index('ix_match_key_lookup', ['tenant_id', 'kind', 'value'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_key_source_record_id'), ['source_record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_key_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('match_model',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('updated_at', services.core.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id')
    )
    op.create_table('review_pair',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('source_record_id', sa.Integer(), nullable=False),
    sa.Column('record_customer_id', sa.String(length=32), nullable=False),
    sa.Column('candidate_customer_id', sa.String(length=32), nullable=False),
    sa.Column('candidate_record_id', sa.Integer(), nullable=False),
    sa.Column('probability', sa.Float(), nullable=False),
    sa.Column('match_weight', sa.Float(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('origin', sa.String(length=40), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=False),
    sa.Column('decided_at', services.core.db.UTCDateTime(), nullable=True),
    sa.Column('merge_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', services.core.db.UTCDateTime(), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('review_pair', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_pair_candidate_customer_id'), ['candidate_customer_id'],
                              unique=False)
        batch_op.create_index('ix_review_pair_queue', ['tenant_id', 'status', 'probability'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_pair_source_record_id'), ['source_record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_pair_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('source_record',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('service', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('customer_id', sa.String(length=32), nullable=False),
    sa.Column('owner_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('company', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('credit_code', sa.String(length=32), nullable=False),
    sa.Column('features', sa.JSON(), nullable=False),
    sa.Column('observed_at', services.core.db.UTCDateTime(), nullable=False),
    sa.Column('linked_at', services.core.db.UTCDateTime(), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'service', 'kind', 'record_id', name='uq_source_record')
    )
    with op.batch_alter_table('source_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_record_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_source_record_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('survivorship_rules',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('source_priority', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', services.core.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id')
    )
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('city', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('address', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('credit_code', sa.String(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('merged_into', sa.String(length=32), nullable=False, server_default=''))

    _copy_record_links()

    with op.batch_alter_table('identity_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_key_customer_id'))
        batch_op.drop_index(batch_op.f('ix_identity_key_tenant_id'))
    op.drop_table('identity_key')
    with op.batch_alter_table('record_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_link_customer_id'))
        batch_op.drop_index(batch_op.f('ix_record_link_tenant_id'))
    op.drop_table('record_link')


def _copy_record_links() -> None:
    """record_link -> source_record (+ match keys), in id order, so ids keep their order."""
    connection = op.get_bind()
    links = sa.table('record_link', *(sa.column(name) for name in (
        'id', 'tenant_id', 'service', 'kind', 'record_id', 'customer_id', 'owner_id', 'linked_at')))
    customers = sa.table('customer', *(sa.column(name) for name in ('tenant_id', 'id', 'name', 'company', 'email',
                                                                    'phone')))
    records = sa.table('source_record', *(sa.column(name) for name in (
        'id', 'tenant_id', 'service', 'kind', 'record_id', 'customer_id', 'owner_id', *FIELDS, 'observed_at',
        'linked_at')), sa.column('features', sa.JSON()))
    keys = sa.table('match_key', *(sa.column(name) for name in ('tenant_id', 'kind', 'value', 'source_record_id')))
    rows = connection.execute(sa.select(links).order_by(links.c.id)).mappings().all()
    if not rows:
        return
    from services.identity.matching.features import features_of
    from services.identity.matching.realtime import match_keys

    golden = {(c['tenant_id'], c['id']): c for c in connection.execute(sa.select(customers)).mappings()}
    first: dict[tuple[str, str], int] = {}
    for row in rows:  # in id order: the first link of each customer is the record that created it
        first.setdefault((row['tenant_id'], row['customer_id']), row['id'])
    creators = set(first.values())
    for row in rows:
        values = dict.fromkeys(FIELDS, '')
        customer = golden.get((row['tenant_id'], row['customer_id']))
        if row['id'] in creators and customer is not None:
            values.update({name: customer[name] or '' for name in ('name', 'company', 'email', 'phone')})
        features = dict(features_of(values))
        inserted = connection.execute(records.insert().values(
            tenant_id=row['tenant_id'], service=row['service'], kind=row['kind'], record_id=row['record_id'],
            customer_id=row['customer_id'], owner_id=row['owner_id'], features=features,
            observed_at=row['linked_at'], linked_at=row['linked_at'], **values,
        ).returning(records.c.id)).scalar_one()
        pairs = {(kind, value) for kind, value in match_keys(features) if value}
        if pairs:
            connection.execute(keys.insert(), [
                {'tenant_id': row['tenant_id'], 'kind': kind, 'value': value[:254], 'source_record_id': inserted}
                for kind, value in sorted(pairs)
            ])


def downgrade() -> None:
    op.create_table('record_link',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('service', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('customer_id', sa.String(length=32), nullable=False),
    sa.Column('owner_id', sa.String(length=64), nullable=False),
    sa.Column('linked_at', services.core.db.UTCDateTime(), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'service', 'kind', 'record_id', name='uq_record_link')
    )
    with op.batch_alter_table('record_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_link_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_record_link_tenant_id'), ['tenant_id'], unique=False)
    op.create_table('identity_key',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('value', sa.String(length=254), nullable=False),
    sa.Column('customer_id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'kind', 'value', name='uq_identity_key')
    )
    with op.batch_alter_table('identity_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_key_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_identity_key_tenant_id'), ['tenant_id'], unique=False)

    # Links survive the downgrade; exact e-mail / phone keys are rebuilt from the records (first record wins).
    op.execute(
        'INSERT INTO record_link (service, kind, record_id, customer_id, owner_id, linked_at, tenant_id) '
        'SELECT service, kind, record_id, customer_id, owner_id, linked_at, tenant_id FROM source_record ORDER BY id'
    )
    from services.identity.normalize import email_key, phone_key

    connection = op.get_bind()
    records = sa.table('source_record', *(sa.column(name) for name in ('id', 'tenant_id', 'customer_id', 'email',
                                                                       'phone')))
    keys, seen = [], set()
    for row in connection.execute(sa.select(records).order_by(records.c.id)).mappings():
        for kind, value in (('email', email_key(row['email'] or '')), ('phone', phone_key(row['phone'] or ''))):
            if value and (row['tenant_id'], kind, value) not in seen:
                seen.add((row['tenant_id'], kind, value))
                keys.append({'tenant_id': row['tenant_id'], 'kind': kind, 'value': value,
                             'customer_id': row['customer_id']})
    if keys:
        connection.execute(sa.table('identity_key', *(sa.column(n) for n in ('tenant_id', 'kind', 'value',
                                                                            'customer_id'))).insert(), keys)

    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_column('merged_into')
        batch_op.drop_column('credit_code')
        batch_op.drop_column('address')
        batch_op.drop_column('city')
    op.drop_table('survivorship_rules')
    with op.batch_alter_table('source_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_record_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_source_record_customer_id'))
    op.drop_table('source_record')
    with op.batch_alter_table('review_pair', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_pair_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_review_pair_source_record_id'))
        batch_op.drop_index('ix_review_pair_queue')
        batch_op.drop_index(batch_op.f('ix_review_pair_candidate_customer_id'))
    op.drop_table('review_pair')
    op.drop_table('match_model')
    with op.batch_alter_table('match_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_key_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_match_key_source_record_id'))
        batch_op.drop_index('ix_match_key_lookup')
    op.drop_table('match_key')
    with op.batch_alter_table('link_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_link_audit_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_link_audit_source_record_id'))
        batch_op.drop_index(batch_op.f('ix_link_audit_merge_id'))
    op.drop_table('link_audit')
    with op.batch_alter_table('dedup_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dedup_job_tenant_id'))
    op.drop_table('dedup_job')
    with op.batch_alter_table('customer_merge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_merge_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_customer_merge_survivor_id'))
        batch_op.drop_index(batch_op.f('ix_customer_merge_absorbed_id'))
    op.drop_table('customer_merge')
