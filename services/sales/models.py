"""Tables of the sales schema."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Date, Index, Integer, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.core.audit import Audited
from services.core.db import TYPE_ANNOTATION_MAP, TenantScoped, utcnow
from services.core.ids import new_id

ROW_ID = BigInteger().with_variant(Integer(), "sqlite")
# Money and quantities: exact decimals, 4 fractional digits (crm.common.v1.Money allows at most 4).
MONEY = Numeric(18, 4)


class Base(DeclarativeBase):
    type_annotation_map = TYPE_ANNOTATION_MAP


class Account(Audited, TenantScoped, Base):
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


# --- roster and opportunities (R-LC-2, R-LC-3, R-SALES-1, R-AN-4) -------------------------------------------


class SalesMember(TenantScoped, Base):
    """The sales service's copy of a user who sells, manages or approves: their team (a manager's row says which
    team they manage), region, and approval duties ("finance", "legal"). The gateway owns the accounts."""

    __tablename__ = "sales_member"
    __table_args__ = (Index("ix_sales_member_team", "tenant_id", "team"),)

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    team: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    # Approval duties beyond the token's roles, e.g. ["finance"] or ["legal"].
    duties: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Contact(Audited, TenantScoped, Base):
    """A person at an account: from a qualified lead, or entered by who may change the account
    (services/sales/accounts.py)."""

    __tablename__ = "contact"
    __table_args__ = (Index("ix_contact_customer", "tenant_id", "customer_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(String(36), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # Job title or role at the account ("采购经理", "decision maker"); empty when unknown (migration sales_0007).
    title: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    # The person's customer identity from the identity service (a lead's customer id); empty until resolved.
    customer_id: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Opportunity(Audited, TenantScoped, Base):
    """A lead that shows intent, moving through stages 02..05 or to lost (R-LC-2, R-SALES-1)."""

    __audit_exclude__ = ("max_rank",)  # derived from stage

    __tablename__ = "opportunity"
    __table_args__ = (
        # One lead, one opportunity: the lead.qualified hand-over is idempotent even across event ids.
        UniqueConstraint("tenant_id", "lead_id", name="uq_opportunity_lead"),
        Index("ix_opportunity_owner", "tenant_id", "owner_id", "stage"),
        Index("ix_opportunity_team", "tenant_id", "team", "stage"),
        # The weighted forecast reads open and won opportunities by expected close date, without the table.
        Index(
            "ix_opportunity_forecast", "tenant_id", "close_date",
            postgresql_include=["stage", "amount", "currency", "owner_id", "team", "region"],
            postgresql_where=text("stage <> 'lost'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    account_id: Mapped[str] = mapped_column(String(36), index=True)
    contact_id: Mapped[str] = mapped_column(String(36), default="")
    # The lead it came from (leads service); NULL for one entered by hand.
    lead_id: Mapped[str | None] = mapped_column(String(36), default=None)
    # "02".."05" or "lost".
    stage: Mapped[str] = mapped_column(String(4))
    # Highest stage reached so far (2..5): the funnel counts each stage once per opportunity.
    max_rank: Mapped[int] = mapped_column(default=2)
    stage_entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    lost_reason: Mapped[str] = mapped_column(String(16), default="")
    lost_note: Mapped[str] = mapped_column(String(500), default="")
    amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    # Expected close date while open; the day it was won or lost once closed.
    close_date: Mapped[date | None] = mapped_column(Date, default=None)
    owner_id: Mapped[str] = mapped_column(String(64), default="")
    # Owner's team and region when the opportunity was created or reassigned (denormalised for the funnel).
    team: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    channel: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class StageChange(TenantScoped, Base):
    """Every stage change of an opportunity (R-LC-3), its creation included (from_stage ""). Owner, team and region
    are copied from the opportunity so that funnel queries never join; reached_low..reached_high are the stages it
    reached for the first time with this change (0 = none), so that a skip (02 -> 04) counts 03 as passed and a
    move back and forth is not counted twice."""

    __tablename__ = "opportunity_stage_change"
    __table_args__ = (
        Index("ix_stage_change_opportunity", "tenant_id", "opportunity_id", "at"),
        # A rep's funnel for a period: an index-only range scan.
        Index(
            "ix_stage_change_owner", "tenant_id", "owner_id", "at",
            postgresql_include=["from_stage", "to_stage", "dwell_seconds", "reached_low", "reached_high", "reason"],
        ),
    )

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    opportunity_id: Mapped[str] = mapped_column(String(36))
    from_stage: Mapped[str] = mapped_column(String(4))
    to_stage: Mapped[str] = mapped_column(String(4))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    # Seconds spent in from_stage (0 for the creation).
    dwell_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    reached_low: Mapped[int] = mapped_column(default=0)
    reached_high: Mapped[int] = mapped_column(default=0)
    # Loss reason of a move to "lost".
    reason: Mapped[str] = mapped_column(String(16), default="")
    owner_id: Mapped[str] = mapped_column(String(64), default="")
    team: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")


class FunnelDay(TenantScoped, Base):
    """Stage changes summed per UTC day, team, stage and loss reason, kept in the transaction of each change: the
    funnel of any period and team reads at most days x teams x stages rows, whatever the history's size."""

    __tablename__ = "funnel_day"
    # Index-only scans for the tenant's funnel (by day) and a team's (by team, day).
    __table_args__ = (
        Index("ix_funnel_day_period", "tenant_id", "day",
              postgresql_include=["stage", "reason", "reached", "exits", "dwell_seconds"]),
        Index("ix_funnel_day_team", "tenant_id", "team", "day",
              postgresql_include=["stage", "reason", "reached", "exits", "dwell_seconds"]),
    )

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    team: Mapped[str] = mapped_column(String(100), primary_key=True)
    stage: Mapped[str] = mapped_column(String(4), primary_key=True)
    reason: Mapped[str] = mapped_column(String(16), primary_key=True, default="")
    # Opportunities that reached `stage` for the first time that day.
    reached: Mapped[int] = mapped_column(BigInteger, default=0)
    # Changes out of `stage` that day, and the seconds they had spent in it.
    exits: Mapped[int] = mapped_column(BigInteger, default=0)
    dwell_seconds: Mapped[int] = mapped_column(BigInteger, default=0)


class SalesSettings(TenantScoped, Base):
    """A tenant's sales settings (services/sales/settings.py validates them); no row means the defaults."""

    __tablename__ = "sales_settings"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- products, price lists, quotes (R-SALES-2) ----------------------------------------------------------------


class Product(TenantScoped, Base):
    __tablename__ = "product"
    __table_args__ = (UniqueConstraint("tenant_id", "sku", name="uq_product_sku"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20), default="")
    # VAT rate as a fraction, e.g. 0.13.
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(6, 4), default=Decimal(0))
    active: Mapped[bool] = mapped_column(default=True)
    # Free-form product category, e.g. "hardware" (commission plans may rate a category apart).
    category: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PriceList(TenantScoped, Base):
    __tablename__ = "price_list"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PriceListItem(TenantScoped, Base):
    __tablename__ = "price_list_item"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    price_list_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)


class Quote(TenantScoped, Base):
    __tablename__ = "quote"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    opportunity_id: Mapped[str] = mapped_column(String(36), index=True)
    price_list_id: Mapped[str] = mapped_column(String(36))
    currency: Mapped[str] = mapped_column(String(3))
    # Totals of the lines (services/sales/pricing.py): list = before discounts, net = after, tax, total = net + tax.
    list_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    discount_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    net_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    tax_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    owner_id: Mapped[str] = mapped_column(String(64), default="")
    team: Mapped[str] = mapped_column(String(100), default="")
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PricedLine:
    """The columns of a line priced by services/sales/pricing.py, the same for quotes and orders."""

    product_id: Mapped[str] = mapped_column(String(36))
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(MONEY)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    # Percent, e.g. 15 or 12.5.
    discount_percent: Mapped[Decimal] = mapped_column(Numeric(7, 4), default=Decimal(0))
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(6, 4), default=Decimal(0))
    list_amount: Mapped[Decimal] = mapped_column(MONEY)
    net_amount: Mapped[Decimal] = mapped_column(MONEY)
    tax_amount: Mapped[Decimal] = mapped_column(MONEY)


class QuoteLine(PricedLine, TenantScoped, Base):
    __tablename__ = "quote_line"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    quote_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)


# --- contracts and approvals (R-SALES-3) -------------------------------------------------------------------


class ContractTemplate(TenantScoped, Base):
    __tablename__ = "contract_template"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    # Text with {placeholders}: account, opportunity, total, currency, special_terms.
    body: Mapped[str] = mapped_column(String(20000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Contract(Audited, TenantScoped, Base):
    __tablename__ = "contract"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    opportunity_id: Mapped[str] = mapped_column(String(36), index=True)
    quote_id: Mapped[str] = mapped_column(String(36))
    template_id: Mapped[str] = mapped_column(String(36))
    body: Mapped[str] = mapped_column(String(40000))
    special_terms: Mapped[str] = mapped_column(String(2000), default="")
    # draft -> pending (submitted) -> approved -> signed; pending -> rejected -> (edit) -> pending again.
    status: Mapped[str] = mapped_column(String(16), default="draft")
    # The approval round: resubmitting after a rejection starts a new round of steps.
    round: Mapped[int] = mapped_column(default=0)
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    # The quote's overall discount in percent (1 - net / list), for conditions such as "discount > 20%".
    discount_percent: Mapped[Decimal] = mapped_column(Numeric(7, 4), default=Decimal(0))
    rejection_reason: Mapped[str] = mapped_column(String(1000), default="")
    owner_id: Mapped[str] = mapped_column(String(64), default="")
    team: Mapped[str] = mapped_column(String(100), default="")
    signed_by: Mapped[str] = mapped_column(String(64), default="")
    signed_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApprovalStep(TenantScoped, Base):
    """One step of a contract's approval chain in one round. Steps are decided in position order: only the first
    step still "pending" of the round can be decided."""

    __tablename__ = "approval_step"
    __table_args__ = (
        UniqueConstraint("tenant_id", "contract_id", "round", "position", name="uq_approval_step"),
        # "What waits for me": pending steps by duty.
        Index("ix_approval_step_waiting", "tenant_id", "duty", "state"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    contract_id: Mapped[str] = mapped_column(String(36))
    round: Mapped[int] = mapped_column()
    position: Mapped[int] = mapped_column()
    # "manager", "finance" or "legal" (or a tenant's own duty name).
    duty: Mapped[str] = mapped_column(String(32))
    # Why the step is in the chain, e.g. "discount > 20%".
    condition: Mapped[str] = mapped_column(String(200), default="")
    # pending (waiting for its turn or for a decision), approved, rejected.
    state: Mapped[str] = mapped_column(String(16), default="pending")
    expected_working_days: Mapped[int] = mapped_column(default=1)
    # When it became the current step, and when its decision is expected (business calendar).
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    reason: Mapped[str] = mapped_column(String(1000), default="")


# --- orders (issue #5 item 6, R-MKT-3) ----------------------------------------------------------------------


class SalesOrder(Audited, TenantScoped, Base):
    """An order of a tenant that sells online: placed -> paid -> shipped -> received; paid, shipped or received ->
    refunded; placed -> cancelled (services/sales/orders.py). Priced like a quote (services/sales/pricing.py)."""

    __tablename__ = "sales_order"
    __table_args__ = (
        # Idempotent creation: one order per client request id.
        UniqueConstraint("tenant_id", "request_id", name="uq_sales_order_request"),
        Index("ix_sales_order_account", "tenant_id", "account_id", "placed_at"),
        Index("ix_sales_order_owner", "tenant_id", "owner_id", "status"),
        # ListOrders: the tenant's (or a team's) orders, newest first.
        Index("ix_sales_order_placed", "tenant_id", "placed_at"),
        Index("ix_sales_order_team", "tenant_id", "team", "placed_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(String(100))
    account_id: Mapped[str] = mapped_column(String(36))
    opportunity_id: Mapped[str] = mapped_column(String(36), default="")
    price_list_id: Mapped[str] = mapped_column(String(36))
    # placed, paid, shipped, received, refunded, cancelled.
    status: Mapped[str] = mapped_column(String(16), default="placed")
    currency: Mapped[str] = mapped_column(String(3))
    list_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    discount_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    net_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    tax_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    # The account's owner and their team when placed (who sees the order, like opportunities).
    owner_id: Mapped[str] = mapped_column(String(64), default="")
    team: Mapped[str] = mapped_column(String(100), default="")
    created_by: Mapped[str] = mapped_column(String(64), default="")
    payment_reference: Mapped[str] = mapped_column(String(100), default="")
    tracking_number: Mapped[str] = mapped_column(String(100), default="")
    refund_reason: Mapped[str] = mapped_column(String(500), default="")
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(default=None)
    shipped_at: Mapped[datetime | None] = mapped_column(default=None)
    received_at: Mapped[datetime | None] = mapped_column(default=None)
    refunded_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)


class SalesOrderLine(PricedLine, TenantScoped, Base):
    __tablename__ = "sales_order_line"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)


# --- hand-over and delivery commitments (R-SALES-4) --------------------------------------------------------------


class Commitment(TenantScoped, Base):
    """A promise made to the customer ("deploy within 15 days"), entered on an opportunity or a contract before
    signature; the signature starts its clock (services/sales/handover.py): draft -> open -> at_risk -> overdue,
    done from any of the three."""

    __tablename__ = "commitment"
    __table_args__ = (
        Index("ix_commitment_status", "tenant_id", "status", "due_at"),
        Index("ix_commitment_opportunity", "tenant_id", "opportunity_id"),
        Index("ix_commitment_handover", "tenant_id", "handover_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    opportunity_id: Mapped[str] = mapped_column(String(36))
    # The contract it was entered on ("" when entered on the opportunity; set at signature).
    contract_id: Mapped[str] = mapped_column(String(36), default="")
    handover_id: Mapped[str] = mapped_column(String(36), default="")
    account_id: Mapped[str] = mapped_column(String(36), default="")
    description: Mapped[str] = mapped_column(String(500))
    # Due N days after signature (working days on the tenant's business calendar when working_days), or on a date.
    due_in_days: Mapped[int | None] = mapped_column(default=None)
    working_days: Mapped[bool] = mapped_column(default=False)
    due_date: Mapped[date | None] = mapped_column(Date, default=None)
    # draft (not signed yet), open, at_risk, overdue, done.
    status: Mapped[str] = mapped_column(String(16), default="draft")
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    at_risk_at: Mapped[datetime | None] = mapped_column(default=None)
    owner_id: Mapped[str] = mapped_column(String(64), default="")
    team: Mapped[str] = mapped_column(String(100), default="")
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_by: Mapped[str] = mapped_column(String(64), default="")
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    completion_note: Mapped[str] = mapped_column(String(1000), default="")


class Handover(TenantScoped, Base):
    """What customer success receives when a contract is signed: the whole history as a structured record (the
    JSON form of crm.sales.v1.HandoverPackage, also carried by handover.created)."""

    __tablename__ = "handover"
    __table_args__ = (UniqueConstraint("tenant_id", "contract_id", name="uq_handover_contract"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    contract_id: Mapped[str] = mapped_column(String(36))
    opportunity_id: Mapped[str] = mapped_column(String(36), index=True)
    account_id: Mapped[str] = mapped_column(String(36), default="")
    owner_id: Mapped[str] = mapped_column(String(64), default="")
    team: Mapped[str] = mapped_column(String(100), default="")
    package: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- targets, commission plans, territories, exchange rates (R-SALES-5) ----------------------------------------


class SalesTarget(TenantScoped, Base):
    """A target amount for a rep, team, region or territory over a month ("2026-05"), quarter ("2026-Q2") or year
    ("2026"), in the tenant's currency."""

    __tablename__ = "sales_target"
    __table_args__ = (UniqueConstraint("tenant_id", "scope", "subject", "period", name="uq_sales_target"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # rep, team, region or territory; subject is the user id, team, region or territory id.
    scope: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(100))
    period: Mapped[str] = mapped_column(String(7))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    set_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CommissionPlan(TenantScoped, Base):
    """One version of the commission plan of a rep, a team, or the tenant's default (scope "tenant", subject ""):
    the rules as validated JSON (services/sales/commissions.py), in force from `effective_from` (a won day, UTC)
    until the next version of the same scope and subject (ADR 0022). A new version never edits another."""

    __tablename__ = "commission_plan"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject: Mapped[str] = mapped_column(String(100), primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    rules: Mapped[dict] = mapped_column(JSON, default=dict)
    set_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Territory(TenantScoped, Base):
    """Regions and/or industries (GB/T 4754 sections) with a manager and assigned reps: the manager sees the
    opportunities in it (services/sales/territories.py)."""

    __tablename__ = "territory"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name", name="uq_territory_name"),
        Index("ix_territory_manager", "tenant_id", "manager_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    regions: Mapped[list] = mapped_column(JSON, default=list)
    industries: Mapped[list] = mapped_column(JSON, default=list)
    manager_id: Mapped[str] = mapped_column(String(64), default="")
    reps: Mapped[list] = mapped_column(JSON, default=list)
    # One more with every change; territory.updated carries it so that consumers can drop stale copies.
    revision: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ExchangeRate(TenantScoped, Base):
    """1 `base` = `rate` `quote` from `day` on (until a later day's rate), per tenant."""

    __tablename__ = "exchange_rate"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    base: Mapped[str] = mapped_column(String(3), primary_key=True)
    quote: Mapped[str] = mapped_column(String(3), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    rate: Mapped[Decimal] = mapped_column(Numeric(18, 8))
    set_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- activities, tasks and the calendar (R-SALES-5, issue #5 item 1) -------------------------------------------


class CalendarRevised:
    """Calendar items exported as iCalendar: each change bumps `sequence` and sets `revised_at`, so that calendar
    programs replace their copy of an edited meeting or task (RFC 5545 SEQUENCE, LAST-MODIFIED)."""

    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    revised_at: Mapped[datetime | None] = mapped_column(default=None)

    def revise(self, now: datetime) -> None:
        self.sequence = (self.sequence or 0) + 1
        self.revised_at = now


class Activity(CalendarRevised, Audited, TenantScoped, Base):
    """A call, meeting, e-mail or note on an account, a contact or an opportunity (services/sales/activities.py).
    Owner and team are the record's when logged: who reads the activity is who reads the record."""

    __tablename__ = "activity"
    __table_args__ = (
        # An account's, contact's or opportunity's activities, newest first.
        Index("ix_activity_record", "tenant_id", "record_kind", "record_id", "occurred_at"),
        Index("ix_activity_account", "tenant_id", "account_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # call, meeting, email, note.
    kind: Mapped[str] = mapped_column(String(16))
    # account, contact or opportunity, and its id; account_id is the account the record belongs to.
    record_kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(36))
    account_id: Mapped[str] = mapped_column(String(36))
    # Who made the call, held the meeting, sent the e-mail or wrote the note; who logged it.
    user_id: Mapped[str] = mapped_column(String(64))
    logged_by: Mapped[str] = mapped_column(String(64), default="")
    subject: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(String(10000), default="")
    outcome: Mapped[str] = mapped_column(String(200), default="")
    # When it happened (a meeting: its start).
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Meetings only: end, place, attendees (user ids; their calendar rows are activity_attendee).
    ends_at: Mapped[datetime | None] = mapped_column(default=None)
    location: Mapped[str] = mapped_column(String(200), default="")
    attendees: Mapped[list] = mapped_column(JSON, default=list)
    owner_id: Mapped[str] = mapped_column(String(64), default="")
    team: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ActivityAttendee(TenantScoped, Base):
    """A meeting in one person's calendar: its organiser (user_id of the activity) and each attendee, with the
    meeting's start and end copied, so a person's or a team's calendar is a range scan."""

    __tablename__ = "activity_attendee"
    __table_args__ = (Index("ix_activity_attendee_calendar", "tenant_id", "user_id", "starts_at"),)

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    activity_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()


class SalesTask(CalendarRevised, Audited, TenantScoped, Base):
    """A to-do for a rep on an account, contact or opportunity, with a due time, a priority and a reminder timer
    (services/sales/tasks.py): open -> done or cancelled."""

    __tablename__ = "sales_task"
    __audit_exclude__ = ("reminded_at",)  # bookkeeping of the reminder timer
    __table_args__ = (
        Index("ix_sales_task_assignee", "tenant_id", "assignee_id", "status", "due_at"),
        Index("ix_sales_task_team", "tenant_id", "team", "status", "due_at"),
        Index("ix_sales_task_due", "tenant_id", "status", "due_at"),
        Index("ix_sales_task_record", "tenant_id", "record_kind", "record_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(String(4000), default="")
    record_kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(36))
    account_id: Mapped[str] = mapped_column(String(36))
    assignee_id: Mapped[str] = mapped_column(String(64))
    # The assignee's team when assigned: their manager sees the task.
    team: Mapped[str] = mapped_column(String(100), default="")
    # low, normal, high.
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    # open, done, cancelled.
    status: Mapped[str] = mapped_column(String(16), default="open")
    due_at: Mapped[datetime] = mapped_column()
    # When the reminder fires (the due time unless set earlier), and when it fired.
    remind_at: Mapped[datetime] = mapped_column()
    reminded_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by: Mapped[str] = mapped_column(String(64), default="")
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    close_note: Mapped[str] = mapped_column(String(1000), default="")
