"""Tables of the marketing schema."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.core.audit import Audited
from services.core.db import TYPE_ANNOTATION_MAP, TenantScoped, utcnow
from services.core.ids import new_id


class Base(DeclarativeBase):
    type_annotation_map = TYPE_ANNOTATION_MAP


class Consent(Audited, TenantScoped, Base):
    """A customer's current answer for one channel and purpose (R-MKT-4, R-SEC-5)."""

    __tablename__ = "consent"
    __table_args__ = (
        UniqueConstraint("tenant_id", "customer_id", "channel", "purpose", name="uq_consent_subject"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(String(32))
    # Channel short name: "EMAIL", "SMS", "PHONE", "PUSH".
    channel: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(50))
    granted: Mapped[bool]
    # Where the latest answer came from, e.g. "web-form", "call".
    source: Mapped[str] = mapped_column(String(100))
    # When the latest answer was recorded (a confirmation of the same answer counts).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Suppression(TenantScoped, Base):
    """An erased person's e-mail or phone, as a hash (services.core.privacy.contact_hash): never contacted again,
    without keeping the address (R-SEC-5)."""

    __tablename__ = "suppression"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # "email" or "phone".
    kind: Mapped[str] = mapped_column(String(8))
    # The identity service's privacy request that erased the person.
    request_id: Mapped[str] = mapped_column(String(36), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
