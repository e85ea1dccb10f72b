"""Tables of the analytics schema: read models fed by other services' events."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.core.db import TYPE_ANNOTATION_MAP, TenantScoped


class Base(DeclarativeBase):
    type_annotation_map = TYPE_ANNOTATION_MAP


class LeadIntakeDaily(TenantScoped, Base):
    """Leads captured per UTC day and channel tag (R-LEAD-4), counted from lead.created."""

    __tablename__ = "lead_intake_daily"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(100), primary_key=True)
    leads: Mapped[int] = mapped_column(BigInteger, default=0)


class AuditEntry(TenantScoped, Base):
    """One change of one customer-data record in some service (R-SEC-3), from an audit.recorded event.

    Append-only: triggers refuse UPDATE and DELETE (migration analytics_0002). The unique key (event, position)
    makes a redelivered event insert nothing, even after the kernel inbox forgot its id."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        UniqueConstraint("tenant_id", "event_id", "position", name="uq_audit_entry_event"),
        Index("ix_audit_entry_time", "tenant_id", "occurred_at", "id"),
        Index("ix_audit_entry_record", "tenant_id", "entity", "record_id", "occurred_at"),
        Index("ix_audit_entry_actor", "tenant_id", "actor", "occurred_at"),
    )

    # Arrival order: ties of occurred_at are listed by it.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True,
                                    autoincrement=True)
    # No index of its own: every index above starts with it.
    tenant_id: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(36))
    # The record's place in the event's list of records.
    position: Mapped[int]
    occurred_at: Mapped[datetime]
    # User id, service name, or "system"; actor_kind "user", "service" or "system".
    actor: Mapped[str] = mapped_column(String(200))
    actor_kind: Mapped[str] = mapped_column(String(16))
    # The service that owns the record (the event's producer), its table and primary key.
    service: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(200))
    # created, updated, deleted
    action: Mapped[str] = mapped_column(String(16))
    # {field: [old, new]} in the record's column order; a value is text, or null.
    changes: Mapped[dict] = mapped_column(JSON)
    correlation_id: Mapped[str] = mapped_column(String(36), default="")
