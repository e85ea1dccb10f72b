"""Tables of the gateway schema: the people and integrations allowed in (R-SEC-1, R-SEC-2).

Customer data never lives here; the gateway reaches it only through the services' gRPC APIs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.core.db import TYPE_ANNOTATION_MAP, TenantScoped, utcnow
from services.core.ids import new_id


class Base(DeclarativeBase):
    type_annotation_map = TYPE_ANNOTATION_MAP


class Tenant(Base):
    """An organisation using the CRM. Not tenant-scoped itself: it is the scope."""

    __tablename__ = "tenant"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    default_locale: Mapped[str] = mapped_column(String(10), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(TenantScoped, Base):
    """An employee who logs in to the console. `employee_id` is the subject of their caller tokens, so the
    services know a rep by the same id the company does (lead owners, opportunity owners, approvers)."""

    __tablename__ = "user_account"
    __table_args__ = (UniqueConstraint("tenant_id", "employee_id", name="uq_user_employee"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    employee_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The employee id of this user's manager (a manager sees the team of people who name them here).
    manager_id: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(200))
    # Set for a new user and after an administrator's reset: the next login must choose a new password.
    must_change_password: Mapped[bool] = mapped_column(default=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enrolled_at: Mapped[datetime | None]
    # The last 30-second TOTP step accepted: a code is good once (RFC 6238 section 5.2).
    totp_last_step: Mapped[int] = mapped_column(default=0)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    locale: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]


class WebSession(TenantScoped, Base):
    """A browser session. The cookie carries a random token; only its SHA-256 is stored, so a leaked table
    cannot be replayed. `stage` walks password -> (change password) -> (enrol 2FA | 2FA code) -> active."""

    __tablename__ = "web_session"
    __table_args__ = (Index("ix_web_session_user", "user_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    client_address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")


class ApiKey(TenantScoped, Base):
    """A key an integration presents instead of a login. The key is `crm_<id>_<secret>`; only the secret's
    SHA-256 is stored (the secret is 256 random bits, so a slow hash buys nothing)."""

    __tablename__ = "api_key"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(64))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The subject of the caller tokens minted for this key ("api:<name>" unless set).
    subject: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class IdempotencyRecord(TenantScoped, Base):
    """The first answer to a POST sent with an Idempotency-Key (services/gateway/rest/idempotency.py)."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("tenant_id", "subject", "key", name="uq_idempotency_key"),
                      Index("ix_idempotency_created", "created_at"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    subject: Mapped[str] = mapped_column(String(80))  # "<principal kind>:<subject>": keys are per caller
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, path and body
    status: Mapped[int | None]  # None while the first request is in flight
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    mimetype: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
