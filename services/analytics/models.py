"""Tables of the analytics schema: read models fed by other services' events."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, String
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
