"""Tables of the identity schema."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.core.db import TYPE_ANNOTATION_MAP, TenantScoped, utcnow


class Base(DeclarativeBase):
    type_annotation_map = TYPE_ANNOTATION_MAP


class Customer(TenantScoped, Base):
    """One resolved identity; its fields form the golden record (R-ID-3)."""

    __tablename__ = "customer"

    # Ids are sequences per tenant, so the tenant is part of the key.
    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Stable human-readable id, "C" + day + sequence: C20240501001 (R-ID-5).
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    company: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdentityKey(TenantScoped, Base):
    """A normalised identifying value (e-mail, phone) that points at one customer."""

    __tablename__ = "identity_key"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "value", name="uq_identity_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(254))
    customer_id: Mapped[str] = mapped_column(String(32), index=True)


class RecordLink(TenantScoped, Base):
    """A source record (a lead, a contact, ...) linked to a customer; records are linked, never deleted."""

    __tablename__ = "record_link"
    __table_args__ = (UniqueConstraint("tenant_id", "service", "kind", "record_id", name="uq_record_link"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(32), index=True)
    # Owner of the source record: a sales rep may read the customers of the records they own (R-SEC-2).
    owner_id: Mapped[str] = mapped_column(String(64), default="")
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustomerSequence(TenantScoped, Base):
    """Last sequence number handed out per tenant and day, for customer ids."""

    __tablename__ = "customer_sequence"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)
