"""Tables of the sales schema."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.core.db import TYPE_ANNOTATION_MAP, TenantScoped, utcnow
from services.core.ids import new_id


class Base(DeclarativeBase):
    type_annotation_map = TYPE_ANNOTATION_MAP


class Account(TenantScoped, Base):
    """An organisation or person the tenant sells to (R-SALES-5)."""

    __tablename__ = "account"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    # Customer identity from the identity service; empty until resolved.
    customer_id: Mapped[str] = mapped_column(String(32), default="", index=True)
    # GB/T 4754 section letter A..T (R-LEAD-3), or empty.
    industry: Mapped[str] = mapped_column(String(1), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    # The owning rep: a sales rep reads only the accounts they own (R-SEC-2).
    owner_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
