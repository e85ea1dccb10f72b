"""Tables the kernel keeps in every service's schema: transactional outbox, idempotent inbox, plugin choices,
durable timers.

They live in their own MetaData; the kernel's Alembic branch (services/core/migrations/versions) creates them
in each service's schema, so no service redeclares them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.core.db import TYPE_ANNOTATION_MAP, TenantScoped, utcnow


class KernelBase(DeclarativeBase):
    type_annotation_map = TYPE_ANNOTATION_MAP


class OutboxMessage(KernelBase):
    """An event written in the same transaction as the state change it announces; deleted once published."""

    __tablename__ = "crm_outbox"

    # The Envelope id (UUIDv7): ordering by it publishes in commit-time order within one writer.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(100))
    tenant_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InboxRecord(KernelBase):
    """An event a consumer has applied; written in the same transaction as the effect (exactly-once effect)."""

    __tablename__ = "crm_inbox"

    consumer: Mapped[str] = mapped_column(String(100), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)


class PluginChoice(TenantScoped, KernelBase):
    """Which registered implementation of a hook a tenant uses, with its settings (R-PLUG-1)."""

    __tablename__ = "crm_plugin_choice"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hook: Mapped[str] = mapped_column(String(100), primary_key=True)
    plugin: Mapped[str] = mapped_column(String(100))
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Timer(TenantScoped, KernelBase):
    """A durable timer (services/core/timers.py): one pending row per (tenant, kind, key); fired rows are deleted."""

    __tablename__ = "crm_timer"
    __table_args__ = (Index("ix_crm_timer_due_at", "due_at"),)

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    due_at: Mapped[datetime]
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
