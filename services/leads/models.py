"""Tables of the leads schema.

Sections below are owned by one area each (capture, import, scoring, assignment and pool, follow-ups); each
area's tables sit in its own section so that the file reads like the service's table of contents.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.core.db import TYPE_ANNOTATION_MAP, TenantScoped, utcnow
from services.core.ids import new_id


class Base(DeclarativeBase):
    type_annotation_map = TYPE_ANNOTATION_MAP


# Lead.status values. Ownership is orthogonal: an open lead has an owner, sits in the public pool (pooled_at
# set, owner empty) or waits for assignment (neither).
OPEN = "open"
QUALIFIED = "qualified"  # score reached the tenant's threshold; sales turns it into an opportunity
CONVERTED = "converted"  # the opportunity was won
LOST = "lost"
DUPLICATE = "duplicate"  # a repeat of another open lead of the same person (duplicate_of)
STATUSES = (OPEN, QUALIFIED, CONVERTED, LOST, DUPLICATE)

# Lead.temperature values (R-LEAD-7).
HOT, WARM, COLD = "hot", "warm", "cold"


# --- capture -------------------------------------------------------------------------------------------------


class Lead(TenantScoped, Base):
    __tablename__ = "lead"
    __table_args__ = (
        UniqueConstraint("tenant_id", "request_id", name="uq_lead_request"),
        Index("ix_lead_tenant_email_key", "tenant_id", "email_key"),
        Index("ix_lead_tenant_phone_key", "tenant_id", "phone_key"),
        Index("ix_lead_tenant_pool", "tenant_id", "pooled_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # The contact person (R-LEAD-1: name, contact, phone, e-mail, company, industry, region, size).
    name: Mapped[str] = mapped_column(String(200))
    company: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    # GB/T 4754-2017 division code, e.g. "65" (R-LEAD-3); empty when unknown.
    industry: Mapped[str] = mapped_column(String(4), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    # Head count of the company (0 when unknown).
    employees: Mapped[int] = mapped_column(default=0)
    # Budget the prospect stated, in the tenant's currency; NULL when unknown. Decimal, never float.
    budget: Mapped[Decimal | None] = mapped_column(Numeric(18, 2), default=None)
    channel: Mapped[str] = mapped_column(String(100))
    # Normalised contact keys (lower-case e-mail, phone digits without +86) to spot repeats of an open lead.
    email_key: Mapped[str] = mapped_column(String(254), default="")
    phone_key: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    duplicate_of: Mapped[str] = mapped_column(String(36), default="")
    # Owning rep's user id; empty when unassigned or in the pool.
    owner_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(default=None)
    # Set while the lead sits in the public pool (R-LEAD-10).
    pooled_at: Mapped[datetime | None] = mapped_column(default=None)
    last_follow_up_at: Mapped[datetime | None] = mapped_column(default=None)
    # Current score 0..100 and temperature (R-LEAD-5, R-LEAD-7); history in lead_score.
    score: Mapped[float] = mapped_column(default=0.0)
    temperature: Mapped[str] = mapped_column(String(8), default=COLD)
    # A hot lead must be contacted by then (R-LEAD-7); NULL when no deadline runs.
    first_contact_due: Mapped[datetime | None] = mapped_column(default=None)
    customer_id: Mapped[str] = mapped_column(String(32), default="", index=True)
    # Client-chosen idempotency key of the create call; NULL when none was given.
    request_id: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WebForm(TenantScoped, Base):
    """A public capture form: anyone holding the key may submit leads into the tenant (R-LEAD-1)."""

    __tablename__ = "web_form"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(100))
    # Submissions allowed per client address and minute.
    rate_per_minute: Mapped[int] = mapped_column(default=5)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FormSubmissionWindow(Base):
    """Submissions per form, client address and minute: the rate limit shared by every replica."""

    __tablename__ = "form_submission_window"

    form_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


# --- import (owned by the import area) ---------------------------------------------------------------------


# --- scoring and behaviour (owned by the scoring area) -----------------------------------------------------


# --- assignment, reps and public pool (owned by the assignment area) ---------------------------------------


# --- follow-ups and reminders (owned by the follow-up area) ------------------------------------------------
