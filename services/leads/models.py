"""Tables of the leads schema."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.core.db import TYPE_ANNOTATION_MAP, TenantScoped, utcnow
from services.core.ids import new_id


class Base(DeclarativeBase):
    type_annotation_map = TYPE_ANNOTATION_MAP


class Lead(TenantScoped, Base):
    __tablename__ = "lead"
    __table_args__ = (UniqueConstraint("tenant_id", "request_id", name="uq_lead_request"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    company: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    channel: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    customer_id: Mapped[str] = mapped_column(String(32), default="", index=True)
    # Client-chosen idempotency key of the create call; NULL when none was given.
    request_id: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
