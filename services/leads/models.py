"""Tables of the leads schema.

Sections below are owned by one area each (capture, import, scoring, assignment and pool, follow-ups); each
area's tables sit in its own section so that the file reads like the service's table of contents.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Index, Integer, LargeBinary, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.core.audit import Audited
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


def _partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    return Index(name, *columns, unique=unique, postgresql_where=text(where), sqlite_where=text(where))


# --- capture -------------------------------------------------------------------------------------------------


class Lead(Audited, TenantScoped, Base):
    __tablename__ = "lead"
    # Not customer data but scoring state and caches: a rescore (every behaviour event) must not write audit rows.
    __audit_exclude__ = ("score", "temperature", "first_contact_due", "email_key", "phone_key", "last_follow_up_at",
                         "updated_at")
    # Partial indexes: a row adds entries only to the indexes it has a value for, so an imported lead (no request
    # id, customer or pool time yet) costs five index inserts, not eight (bench/lead_import.py). Queries repeat
    # the predicate (e.g. `email_key != ""`) so that PostgreSQL can use the index with any parameter value.
    __table_args__ = (
        _partial_index("uq_lead_request", "tenant_id", "request_id", where="request_id IS NOT NULL", unique=True),
        _partial_index("ix_lead_tenant_email_key", "tenant_id", "email_key", where="email_key <> ''"),
        _partial_index("ix_lead_tenant_phone_key", "tenant_id", "phone_key", where="phone_key <> ''"),
        _partial_index("ix_lead_tenant_pool", "tenant_id", "pooled_at", where="pooled_at IS NOT NULL"),
        _partial_index("ix_lead_tenant_customer", "tenant_id", "customer_id", where="customer_id <> ''"),
        # The default order of every lead list (ListLeads: newest first, then id): a page is read off the index,
        # not sorted out of the whole tenant (bench/gateway_lists.py).
        Index("ix_lead_tenant_created", "tenant_id", "created_at", "id"),
    )

    # No index of its own: every index above starts with it.
    tenant_id: Mapped[str] = mapped_column(String(64))

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
    owner_id: Mapped[str] = mapped_column(String(64), default="")
    assigned_at: Mapped[datetime | None] = mapped_column(default=None)
    # Set while the lead sits in the public pool (R-LEAD-10).
    pooled_at: Mapped[datetime | None] = mapped_column(default=None)
    last_follow_up_at: Mapped[datetime | None] = mapped_column(default=None)
    # Current score 0..100 and temperature (R-LEAD-5, R-LEAD-7); history in lead_score.
    score: Mapped[float] = mapped_column(default=0.0)
    temperature: Mapped[str] = mapped_column(String(8), default=COLD)
    # A hot lead must be contacted by then (R-LEAD-7); NULL when no deadline runs.
    first_contact_due: Mapped[datetime | None] = mapped_column(default=None)
    customer_id: Mapped[str] = mapped_column(String(32), default="")
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


class ImportJob(TenantScoped, Base):
    """A batch import of leads from a CSV or xlsx file (R-LEAD-2): durable, so it resumes after a restart.

    The job runs in chunks of rows; each chunk's leads, its row errors and the job's progress (`cursor`, the counts)
    commit together, so a crash repeats at most the uncommitted chunk and never stores a row twice.
    """

    __tablename__ = "import_job"
    __table_args__ = (Index("ix_import_job_tenant_created", "tenant_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # "queued", "running", "succeeded" (every row stored or rejected), "failed" (see error).
    status: Mapped[str] = mapped_column(String(16), default="queued")
    file_name: Mapped[str] = mapped_column(String(255))
    # "csv" or "xlsx".
    format: Mapped[str] = mapped_column(String(8))
    file_size: Mapped[int] = mapped_column(BigInteger, default=0)
    # SHA-256 of the file: the CLI resumes an unfinished job of the same file instead of starting another.
    file_sha256: Mapped[str] = mapped_column(String(64), default="")
    # Channel tag of rows whose channel column is empty.
    default_channel: Mapped[str] = mapped_column(String(100), default="import")
    requested_by: Mapped[str] = mapped_column(String(100), default="")
    # Data rows of the file (blank rows not counted), known once the job has read it.
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    imported_rows: Mapped[int] = mapped_column(default=0)
    rejected_rows: Mapped[int] = mapped_column(default=0)
    # Records of the file (blank ones included) already processed: where the next chunk starts.
    cursor: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ImportFileChunk(TenantScoped, Base):
    """The uploaded file of an import job, in pieces: the database is the only storage every replica shares.
    Removed when the job has finished."""

    __tablename__ = "import_file_chunk"

    job_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ImportRowError(TenantScoped, Base):
    """One reason a row of an import was rejected. `message`/`arguments` re-translate the English `reason`."""

    __tablename__ = "import_row_error"

    job_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # Row number as a spreadsheet shows the file.
    row_no: Mapped[int] = mapped_column(primary_key=True)
    # The column's header as written in the file.
    column_name: Mapped[str] = mapped_column(String(100), primary_key=True)
    reason: Mapped[str] = mapped_column(String(500))
    message: Mapped[str] = mapped_column(String(200))
    arguments: Mapped[dict] = mapped_column(JSON, default=dict)


# --- scoring and behaviour (owned by the scoring area) -----------------------------------------------------

# Behaviour kinds (R-LEAD-1), from the shallowest to the deepest. Each is also a count column of LeadActivity.
BEHAVIOUR_KINDS = ("page_view", "email_open", "call_answered", "demo_attended", "contract_template_viewed")

# Auto-increment ids for the high-volume append-only tables (64-bit on PostgreSQL; SQLite's rowid is 64-bit).
_ROW_ID = BigInteger().with_variant(Integer(), "sqlite")


def _tenant_without_index() -> Mapped[str]:
    """tenant_id for a table whose own indexes lead with it (or that is read by primary key): the mixin's separate
    tenant_id index would only slow the bulk writes down."""
    return mapped_column(String(64))


class BehaviourEvent(TenantScoped, Base):
    """One thing a lead's contact did (R-LEAD-1), recorded once per producer key; LeadActivity sums them up."""

    __tablename__ = "behaviour_event"
    __table_args__ = (
        UniqueConstraint("tenant_id", "event_key", name="uq_behaviour_event_key"),
        Index("ix_behaviour_event_lead", "tenant_id", "lead_id", "occurred_at"),
    )

    tenant_id: Mapped[str] = _tenant_without_index()
    id: Mapped[int] = mapped_column(_ROW_ID, primary_key=True, autoincrement=True)
    lead_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[str] = mapped_column(String(500), default="")
    # The producer's idempotency key (or the bus envelope id, or a generated one): a redelivery counts once.
    event_key: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class LeadActivity(TenantScoped, Base):
    """Per lead: behaviour aggregates that make rescoring cheap, and the scoring state (R-LEAD-5..7).

    `interactions` is the number of interactions exponentially decayed (half-life in services/leads/scoring.py)
    to `interactions_at`; its value at any later time t is interactions * 2 ** -((t - interactions_at) / half-life).
    """

    __tablename__ = "lead_activity"

    tenant_id: Mapped[str] = _tenant_without_index()
    lead_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    page_view: Mapped[int] = mapped_column(default=0)
    email_open: Mapped[int] = mapped_column(default=0)
    call_answered: Mapped[int] = mapped_column(default=0)
    demo_attended: Mapped[int] = mapped_column(default=0)
    contract_template_viewed: Mapped[int] = mapped_column(default=0)
    interactions: Mapped[float] = mapped_column(default=0.0)
    interactions_at: Mapped[datetime | None] = mapped_column(default=None)
    last_event_at: Mapped[datetime | None] = mapped_column(default=None)
    # When one-lead scoring last ran (bulk rescoring sets it only on a lead's first scoring) and the model that
    # answered ("builtin" or a plugin's name); NULL: never scored. The time of the current score is in lead_score.
    scored_at: Mapped[datetime | None] = mapped_column(default=None)
    model: Mapped[str] = mapped_column(String(100), default="")
    # lead.qualified was emitted then (once per lead); the lead last turned hot then; nurtured last then.
    qualified_at: Mapped[datetime | None] = mapped_column(default=None)
    hot_since: Mapped[datetime | None] = mapped_column(default=None)
    last_nurture_at: Mapped[datetime | None] = mapped_column(default=None)


class ScoreRecord(TenantScoped, Base):
    """Score history: one row per change of a lead's score, with the factors that explain it."""

    __tablename__ = "lead_score"
    __table_args__ = (Index("ix_lead_score_lead", "tenant_id", "lead_id", "id"),)

    tenant_id: Mapped[str] = _tenant_without_index()
    id: Mapped[int] = mapped_column(_ROW_ID, primary_key=True, autoincrement=True)
    lead_id: Mapped[str] = mapped_column(String(36))
    score: Mapped[float]
    temperature: Mapped[str] = mapped_column(String(8))
    model: Mapped[str] = mapped_column(String(100))
    # The explanation: [text code, points(, params)] per default-model factor (the code is one of
    # services.leads.scoring.FACTOR_TEXTS, translated on read) or {"name", "contribution", "detail"} (plugins).
    factors: Mapped[list] = mapped_column(JSON, default=list)
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScoringSettingsRow(TenantScoped, Base):
    """A tenant's settings of the default model, qualification, temperature and nurturing (JSON, validated by
    services.leads.scoring.ScoringSettings); no row means the defaults."""

    __tablename__ = "scoring_settings"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- assignment, reps and public pool (owned by the assignment area) ---------------------------------------

# A rep's leads: listed for them, and their open ones (holding limit) counted under the rep's lock at every
# assignment. Partial like the capture area's indexes (an imported lead has no owner: no entry); queries repeat
# `owner_id <> ''`.
Index("ix_lead_tenant_owner_status", Lead.tenant_id, Lead.owner_id, Lead.status,
      postgresql_where=text("owner_id <> ''"), sqlite_where=text("owner_id <> ''"))


class Rep(TenantScoped, Base):
    """The leads service's copy of a sales user (the gateway owns the accounts): who may be given leads, where,
    in which industries and how many (R-LEAD-9). A manager's own row carries the team they manage."""

    __tablename__ = "rep"
    __table_args__ = (Index("ix_rep_tenant_team", "tenant_id", "team"),)

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    team: Mapped[str] = mapped_column(String(100), default="")
    # False for a row that only says which team a manager leads: never a candidate for assignment.
    takes_leads: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Absent (leave, trip) from..until; until NULL = until further notice; both NULL = present.
    absent_from: Mapped[datetime | None] = mapped_column(default=None)
    absent_until: Mapped[datetime | None] = mapped_column(default=None)
    # Regions the rep covers (matched case-insensitively; a numeric code covers the codes it prefixes).
    regions: Mapped[list] = mapped_column(JSON, default=list)
    # GB/T 4754 division codes the rep knows, e.g. ["65", "I64"]: a code covers the lead codes it prefixes.
    industries: Mapped[list] = mapped_column(JSON, default=list)
    # New leads per day by assignment (tenant's day, see AssignmentSettings.timezone); 0 = no cap.
    daily_cap: Mapped[int] = mapped_column(default=0)
    # Open leads the rep may own at once; 0 = no limit.
    holding_limit: Mapped[int] = mapped_column(default=0)
    # When the rep last received a lead by assignment: round-robin gives the next one to the longest waiting.
    last_assigned_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AssignmentSettings(TenantScoped, Base):
    """A tenant's assignment rules and public-pool settings; absent = the defaults (services/leads/rules.py)."""

    __tablename__ = "assignment_settings"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Ordered rules, e.g. [{"kind": "availability"}, {"kind": "territory"}, {"kind": "conversion", "days": 90}].
    rules: Mapped[list] = mapped_column(JSON, default=list)
    # Everything else (auto-assignment, clocks, warnings, claim limits, time zone): {name: value}.
    pool: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SalesTerritory(TenantScoped, Base):
    """The leads service's copy of a sales territory (from territory.updated): its regions and industries count as
    coverage of the reps it lists in assignment (services/leads/territories.py)."""

    __tablename__ = "sales_territory"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    territory_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    regions: Mapped[list] = mapped_column(JSON, default=list)
    # GB/T 4754 section letters.
    industries: Mapped[list] = mapped_column(JSON, default=list)
    rep_ids: Mapped[list] = mapped_column(JSON, default=list)
    # Sales' change counter: an event with a revision at or below this one is stale.
    revision: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LeadOwnership(TenantScoped, Base):
    """Every change of a lead's owner (R-LEAD-9, R-LEAD-10): to_owner empty = into the public pool or unassigned."""

    __tablename__ = "lead_ownership"
    __table_args__ = (
        Index("ix_lead_ownership_lead", "tenant_id", "lead_id", "at"),
        Index("ix_lead_ownership_to_owner", "tenant_id", "to_owner", "at"),
    )

    # No index of its own: both indexes above start with it (an index entry less per assignment).
    tenant_id: Mapped[str] = mapped_column(String(64))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    lead_id: Mapped[str] = mapped_column(String(36))
    from_owner: Mapped[str] = mapped_column(String(64), default="")
    to_owner: Mapped[str] = mapped_column(String(64), default="")
    # capture, auto, manual, claim, release, reclaim_follow_up, reclaim_conversion (services/leads/pool.py)
    reason: Mapped[str] = mapped_column(String(32))
    # User id of whoever made the change; the service name for automatic ones.
    actor: Mapped[str] = mapped_column(String(64), default="")
    # Free text: why (the rule that decided, the rep's note on a release).
    note: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)


# --- follow-ups and reminders (owned by the follow-up area) ------------------------------------------------

# FollowUp.kind values (R-LEAD-8).
FOLLOW_UP_KINDS = ("call", "visit", "email", "note")
# Reminder.status values.
REMINDER_SCHEDULED, REMINDER_FIRED, REMINDER_CANCELLED = "scheduled", "fired", "cancelled"
REMINDER_STATUSES = (REMINDER_SCHEDULED, REMINDER_FIRED, REMINDER_CANCELLED)


class FollowUp(Audited, TenantScoped, Base):
    """One contact with a lead's prospect (R-LEAD-8): what happened, the objection, the budget cycle, what next."""

    __tablename__ = "follow_up"
    __table_args__ = (Index("ix_follow_up_lead", "tenant_id", "lead_id", "occurred_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    lead_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(16))  # call, visit, email, note
    content: Mapped[str] = mapped_column(String(4000), default="")
    objection: Mapped[str] = mapped_column(String(1000), default="")
    # When the prospect's budget is decided or frozen, in their words ("budget frozen in Q4").
    budget_cycle: Mapped[str] = mapped_column(String(200), default="")
    next_step: Mapped[str] = mapped_column(String(1000), default="")
    occurred_at: Mapped[datetime]
    author_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reminder(TenantScoped, Base):
    """A reminder to a rep about a lead, fired once by the durable timer "reminder" (key = id) as lead.reminder_due."""

    __tablename__ = "reminder"
    __table_args__ = (
        Index("ix_reminder_recipient", "tenant_id", "recipient_id", "status", "remind_at"),
        Index("ix_reminder_lead", "tenant_id", "lead_id", "remind_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    lead_id: Mapped[str] = mapped_column(String(36))
    # The follow-up it was scheduled from; empty when scheduled on its own.
    follow_up_id: Mapped[str] = mapped_column(String(36), default="")
    # User id of the rep to remind, and of whoever scheduled it.
    recipient_id: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))
    remind_at: Mapped[datetime]
    # How the time was asked for, e.g. "end_of_quarter Q3 2026"; empty for an explicit time.
    anchor: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(16), default=REMINDER_SCHEDULED)
    fired_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
