"""Tables of the identity schema.

The identity graph: every source record (a lead, a contact, an account ...) is a `SourceRecord` linked to one
`Customer`; records are never deleted, only re-linked, and every re-link is a `LinkAudit` row. A merge moves the
absorbed customer's records to the survivor and keeps the absorbed customer as a tombstone (`merged_into`), so
its id still resolves and `Unmerge` can put back exactly what the merge moved (ADR 0008).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.core.audit import Audited
from services.core.db import TYPE_ANNOTATION_MAP, TenantScoped, utcnow
from services.core.ids import new_id


class Base(DeclarativeBase):
    type_annotation_map = TYPE_ANNOTATION_MAP


class Customer(Audited, TenantScoped, Base):
    """One resolved identity; its fields are the golden record built from its records (R-ID-3)."""

    __tablename__ = "customer"

    # Ids are sequences per tenant, so the tenant is part of the key.
    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Stable human-readable id, "C" + day + sequence: C20240501001 (R-ID-5).
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    company: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    credit_code: Mapped[str] = mapped_column(String(32), default="")
    # Set when a merge absorbed this customer: the survivor's id. The row stays as a tombstone so the old id
    # still resolves (possibly through a chain of merges) and an unmerge can bring it back.
    merged_into: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SourceRecord(Audited, TenantScoped, Base):
    """A source record (service, kind, id) as the identity service saw it, linked to one customer.

    Records are linked and re-linked, never deleted. `features` are the matching engine's normalised features of
    the raw fields (services.identity.matching.features_of); the engine's match keys point at this row.
    """

    __tablename__ = "source_record"
    __audit_exclude__ = ("features",)  # the matching engine's normalised copy of the fields
    __table_args__ = (UniqueConstraint("tenant_id", "service", "kind", "record_id", name="uq_source_record"),)

    # No index of its own: uq_source_record starts with it (an index entry less per record at intake).
    tenant_id: Mapped[str] = mapped_column(String(64))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(32), index=True)
    # Owner of the source record: a sales rep may read the customers of the records they own (R-SEC-2).
    owner_id: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(200), default="")
    company: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    credit_code: Mapped[str] = mapped_column(String(32), default="")
    features: Mapped[dict] = mapped_column(JSON, default=dict)
    # When the source saw these values ("most recent" survivorship); linked_at is when identity linked them.
    observed_at: Mapped[datetime] = mapped_column(default=utcnow)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)


class MatchKey(TenantScoped, Base):
    """A blocking key of a source record (kind, normalised value): how intake finds candidates quickly."""

    __tablename__ = "match_key"
    __table_args__ = (Index("ix_match_key_lookup", "tenant_id", "kind", "value"),)

    # No index of its own: ix_match_key_lookup starts with it (one index entry less per key at intake).
    tenant_id: Mapped[str] = mapped_column(String(64))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(24))
    value: Mapped[str] = mapped_column(String(254))
    source_record_id: Mapped[int] = mapped_column(Integer, index=True)


class MatchModel(TenantScoped, Base):
    """The tenant's matching model (engine-owned parameters: m/u probabilities, thresholds)."""

    __tablename__ = "match_model"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LinkAudit(TenantScoped, Base):
    """One change of a record's link (R-SEC-3): who, when, which record, from which customer to which."""

    __tablename__ = "link_audit"

    # No index of its own: rows are read by record (or merge), never by tenant alone; one index entry less per link.
    tenant_id: Mapped[str] = mapped_column(String(64))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # "link" (first link at intake), "merge", "unmerge", "relink".
    action: Mapped[str] = mapped_column(String(16))
    source_record_id: Mapped[int] = mapped_column(Integer, index=True)
    from_customer_id: Mapped[str] = mapped_column(String(32), default="")
    to_customer_id: Mapped[str] = mapped_column(String(32), default="")
    merge_id: Mapped[str] = mapped_column(String(36), default="", index=True)
    # Caller subject (user id or service name), or "dedup-job:<id>" for a job's automatic merges.
    actor: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)


class CustomerMerge(TenantScoped, Base):
    """A merge of `absorbed` into `survivor`, with what it takes to undo it exactly."""

    __tablename__ = "customer_merge"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    survivor_id: Mapped[str] = mapped_column(String(32), index=True)
    absorbed_id: Mapped[str] = mapped_column(String(32), index=True)
    # SourceRecord ids the merge moved from absorbed to survivor: exactly these go back on unmerge.
    record_ids: Mapped[list] = mapped_column(JSON, default=list)
    # Golden records of both customers just before the merge ({field: value}).
    survivor_before: Mapped[dict] = mapped_column(JSON, default=dict)
    absorbed_before: Mapped[dict] = mapped_column(JSON, default=dict)
    merged_by: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(String(500), default="")
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(default=None)
    undone_by: Mapped[str] = mapped_column(String(100), default="")


class ReviewPair(TenantScoped, Base):
    """A record whose best candidate scored between the review and auto-link thresholds (R-ID-1, issue #3.5)."""

    __tablename__ = "review_pair"
    __table_args__ = (Index("ix_review_pair_queue", "tenant_id", "status", "probability"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    source_record_id: Mapped[int] = mapped_column(Integer, index=True)
    # The customer the record had when the pair was opened, and the candidate it may be the same as.
    record_customer_id: Mapped[str] = mapped_column(String(32))
    candidate_customer_id: Mapped[str] = mapped_column(String(32), index=True)
    # The candidate's best-matching record: the other side of the comparison the model learns from.
    candidate_record_id: Mapped[int] = mapped_column(Integer)
    probability: Mapped[float] = mapped_column(Float)
    match_weight: Mapped[float] = mapped_column(Float, default=0.0)
    # [{"field", "level", "similarity", "weight"}] as the engine explained the score.
    evidence: Mapped[list] = mapped_column(JSON, default=list)
    # "open", "accepted", "rejected", or "superseded" (a merge made both sides one customer).
    status: Mapped[str] = mapped_column(String(16), default="open")
    # Where the pair came from: "intake" or the dedup job's id.
    origin: Mapped[str] = mapped_column(String(40), default="intake")
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    # The merge that accepting the pair made, or that superseded it.
    merge_id: Mapped[str] = mapped_column(String(36), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DedupJob(TenantScoped, Base):
    """A batch dedup run over the tenant's records (R-ID-1 batch, R-ID-4), durable so its progress survives."""

    __tablename__ = "dedup_job"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # "queued", "running", "succeeded", "failed".
    state: Mapped[str] = mapped_column(String(16), default="queued")
    auto_merge: Mapped[bool] = mapped_column(default=False)
    requested_by: Mapped[str] = mapped_column(String(100), default="")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    records: Mapped[int] = mapped_column(Integer, default=0)
    pairs_scored: Mapped[int] = mapped_column(Integer, default=0)
    duplicate_clusters: Mapped[int] = mapped_column(Integer, default=0)
    duplicate_records: Mapped[int] = mapped_column(Integer, default=0)
    review_pairs_opened: Mapped[int] = mapped_column(Integer, default=0)
    merges: Mapped[int] = mapped_column(Integer, default=0)
    # [{"customer_ids": [...], "records": n}]: clusters spanning more than one customer, for the quality report.
    clusters: Mapped[list] = mapped_column(JSON, default=list)
    error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    # Written every few seconds by the thread running the job; a running job without a recent heartbeat lost
    # its process and is reported failed.
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)


class SurvivorshipRules(TenantScoped, Base):
    """The tenant's survivorship rules for the golden record; absent = the defaults (services/identity/golden.py)."""

    __tablename__ = "survivorship_rules"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # {field: "most_recent" | "most_frequent" | "most_complete" | "source_priority"}
    rules: Mapped[dict] = mapped_column(JSON, default=dict)
    # Services, most trusted first, e.g. ["sales", "support", "leads", "marketing"].
    source_priority: Mapped[list] = mapped_column(JSON, default=list)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CustomerSequence(TenantScoped, Base):
    """Last sequence number handed out per tenant and day, for customer ids."""

    __tablename__ = "customer_sequence"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


# --- personal data requests (R-SEC-5, services/identity/privacy.py) ------------------------------------------


class PrivacyRequest(TenantScoped, Base):
    """An export or erasure of one person's data across services: a saga over the bus, one step per service."""

    __tablename__ = "privacy_request"
    __table_args__ = (
        # NULLs are distinct: only requests that carry a client key are deduplicated.
        UniqueConstraint("tenant_id", "request_id", name="uq_privacy_request_client"),
        Index("ix_privacy_request_created", "tenant_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(String(32), index=True)
    # "export" or "erase".
    kind: Mapped[str] = mapped_column(String(8))
    # The legal basis given with the request.
    reason: Mapped[str] = mapped_column(String(500))
    requested_by: Mapped[str] = mapped_column(String(100))
    # The client's idempotency key; NULL when none was given.
    request_id: Mapped[str | None] = mapped_column(String(64), default=None)
    # "pending", "running", "completed", "failed".
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)


class PrivacyStep(TenantScoped, Base):
    """One service's part of a privacy request, as that service reported it (privacy.step_completed)."""

    __tablename__ = "privacy_step"

    request_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    service: Mapped[str] = mapped_column(String(40), primary_key=True)
    # "pending", "completed", "failed", "skipped".
    status: Mapped[str] = mapped_column(String(16), default="pending")
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    # An export step's section (a JSON object); NULL otherwise.
    export: Mapped[dict | None] = mapped_column(JSON, default=None)
    # Why it failed, or a completed step's note (what was kept and why).
    error: Mapped[str] = mapped_column(String(500), default="")
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
