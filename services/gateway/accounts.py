"""Tenants, users, logins with 2FA and API keys (R-SEC-1, R-SEC-2).

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106 profile) and upgraded on login when
the parameters change. A second factor is TOTP (RFC 6238, pyotp): a new user chooses a password and enrols an
authenticator app before the first session is granted. Repeated failures lock the account for a while; the
answer never says whether the employee id exists.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.auth import ROLES
from services.core.db import utcnow
from services.core.errors import (
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    Unauthenticated,
    Validator,
)
from services.core.i18n import t
from services.gateway.models import ApiKey, Tenant, User, WebSession

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
SESSION_IDLE = timedelta(minutes=30)
SESSION_ABSOLUTE = timedelta(hours=12)
TOTP_ISSUER = "CRM"
API_KEY_PREFIX = "crm_"

_hasher = PasswordHasher()
# Verified against when the employee id is unknown, so that the answer takes as long as for a real user.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

# Session stages, in the order a login walks them.
CHANGE_PASSWORD, ENROL_TOTP, VERIFY_TOTP, ACTIVE = "change_password", "enrol_totp", "verify_totp", "active"


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# -- tenants and users -----------------------------------------------------------------------------------------

def create_tenant(session: Session, *, tenant_id: str, name: str, default_locale: str = "en") -> Tenant:
    check = Validator()
    check.require(tenant_id, "tenant_id", max_length=64)
    check.require(name, "name", max_length=200)
    if tenant_id and not all(c.isalnum() or c in "-_" for c in tenant_id):
        check.check(False, "tenant_id", t("may contain only letters, digits, '-' and '_'"))
    check.raise_if_any()
    existing = session.get(Tenant, tenant_id)
    if existing is not None:
        return existing
    tenant = Tenant(id=tenant_id, name=name, default_locale=default_locale)
    session.add(tenant)
    return tenant


def _check_roles(check: Validator, roles: list[str]) -> None:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        check.check(False, "roles", t("unknown roles: {roles}", roles=", ".join(unknown)))


def create_user(
    session: Session, *, tenant: str, employee_id: str, display_name: str, roles: list[str],
    initial_password: str, manager_id: str | None = None, locale: str | None = None,
) -> User:
    """A user who must change `initial_password` and enrol 2FA at the first login."""
    check = Validator()
    check.require(employee_id, "employee_id", max_length=64)
    check.require(display_name, "display_name", max_length=200)
    check.require(initial_password, "initial_password", max_length=200)
    _check_roles(check, roles)
    check.raise_if_any()
    if session.scalar(select(User.id).where(User.employee_id == employee_id)) is not None:
        raise InvalidArgument(FieldViolation("employee_id", t("is already taken")))
    user = User(
        employee_id=employee_id, display_name=display_name, roles=sorted(set(roles)), manager_id=manager_id,
        password_hash=_hasher.hash(initial_password), must_change_password=True, locale=locale,
    )
    session.add(user)
    session.flush()
    return user


def user_by_employee_id(session: Session, employee_id: str) -> User | None:
    return session.scalar(select(User).where(User.employee_id == employee_id))


def temporary_password() -> str:
    """A password an administrator hands over: 16 characters, 96 random bits; the first login must change it."""
    return secrets.token_urlsafe(12)


def reset_password(session: Session, *, user: User, temporary_password: str) -> None:
    """An administrator's reset: a temporary password, a forced change, and every session ended."""
    user.password_hash = _hasher.hash(temporary_password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    end_sessions(session, user_id=user.id)


def reset_second_factor(session: Session, *, user: User) -> None:
    """A lost phone: the next login enrols a new authenticator app; every session ends."""
    user.totp_secret = None
    user.totp_enrolled_at = None
    end_sessions(session, user_id=user.id)


# -- login -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NewSession:
    token: str  # for the cookie; never stored
    stage: str
    user: User


def authenticate(session: Session, *, employee_id: str, password: str, now: datetime | None = None,
                 client_address: str = "", user_agent: str = "") -> NewSession:
    """Check the password and open a session at the stage the user must go through next."""
    now = now or utcnow()
    user = user_by_employee_id(session, employee_id) if employee_id else None
    if user is None or not user.active:
        _verify_quietly(_DUMMY_HASH, password)
        raise Unauthenticated(t("wrong employee id or password"))
    if user.locked_until is not None and user.locked_until > now:
        raise FailedPrecondition(t("too many failed logins; try again after {time}",
                                   time=user.locked_until.strftime("%H:%M UTC")))
    if not _verify_quietly(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        raise Unauthenticated(t("wrong employee id or password"))
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    stage = CHANGE_PASSWORD if user.must_change_password else (VERIFY_TOTP if user.totp_enrolled_at else ENROL_TOTP)
    return _open_session(session, user, stage, now, client_address, user_agent)


def _verify_quietly(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _open_session(session: Session, user: User, stage: str, now: datetime, client_address: str,
                  user_agent: str) -> NewSession:
    token = secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=sha256(token), user_id=user.id, stage=stage, created_at=now, last_seen_at=now,
                           client_address=client_address[:64], user_agent=user_agent[:300]))
    if stage == ACTIVE:
        user.last_login_at = now
    return NewSession(token=token, stage=stage, user=user)


def session_of(session: Session, token: str, *, now: datetime | None = None) -> tuple[WebSession, User] | None:
    """The live session behind a cookie token, or None (unknown, idle too long, or too old)."""
    now = now or utcnow()
    web_session = session.get(WebSession, sha256(token)) if token else None
    if web_session is None:
        return None
    if now - web_session.last_seen_at > SESSION_IDLE or now - web_session.created_at > SESSION_ABSOLUTE:
        session.delete(web_session)
        return None
    user = session.get(User, web_session.user_id)
    if user is None or not user.active:
        return None
    # Touch at most once a minute: a page with many requests does not write on each of them.
    if now - web_session.last_seen_at > timedelta(minutes=1):
        web_session.last_seen_at = now
    return web_session, user


def change_password(session: Session, *, web_session: WebSession, user: User, current: str, new: str,
                    confirm: str, now: datetime | None = None) -> None:
    """Choose a new password (forced at first login); every other session of the user ends."""
    now = now or utcnow()
    check = Validator()
    if not _verify_quietly(user.password_hash, current):
        check.check(False, "current_password", t("is not your current password"))
    if len(new) < MIN_PASSWORD_LENGTH:
        check.check(False, "new_password", t("must be at least {min} characters", min=MIN_PASSWORD_LENGTH))
    elif new == current:
        check.check(False, "new_password", t("must differ from the current password"))
    elif new.casefold() in (user.employee_id.casefold(), user.display_name.casefold()):
        check.check(False, "new_password", t("must not be your employee id or name"))
    check.check(new == confirm, "confirm_password", t("does not match the new password"))
    check.raise_if_any()
    user.password_hash = _hasher.hash(new)
    user.must_change_password = False
    end_sessions(session, user_id=user.id, keep=web_session.token_hash)
    web_session.stage = VERIFY_TOTP if user.totp_enrolled_at else ENROL_TOTP
    web_session.last_seen_at = now


def start_totp_enrolment(user: User) -> None:
    """A fresh secret for the authenticator app; enrolment ends when confirm_totp sees a right code."""
    if user.totp_enrolled_at is not None:
        raise FailedPrecondition(t("two-factor authentication is already set up"))
    user.totp_secret = pyotp.random_base32()


def totp_uri(user: User, tenant_name: str) -> str:
    """The otpauth:// URI an authenticator app scans (as a QR code) during enrolment."""
    return pyotp.TOTP(user.totp_secret).provisioning_uri(
        name=f"{user.employee_id}@{user.tenant_id}", issuer_name=f"{TOTP_ISSUER} {tenant_name}".strip())


def confirm_totp(session: Session, *, web_session: WebSession, user: User, code: str,
                 now: datetime | None = None) -> None:
    """Enrolment ends when the user proves the app shows the right codes; the session becomes active."""
    now = now or utcnow()
    if user.totp_secret is None:
        raise FailedPrecondition(t("start two-factor enrolment first"))
    _accept_code(user, code, now)
    user.totp_enrolled_at = now
    web_session.stage = ACTIVE
    user.last_login_at = now


def verify_totp(session: Session, *, web_session: WebSession, user: User, code: str,
                now: datetime | None = None) -> None:
    now = now or utcnow()
    if web_session.stage != VERIFY_TOTP or user.totp_secret is None:
        raise FailedPrecondition(t("no two-factor check is pending"))
    try:
        _accept_code(user, code, now)
    except InvalidArgument:
        # Wrong codes count towards the same lockout as wrong passwords: 6 digits are guessable otherwise.
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
            session.delete(web_session)
        raise
    user.failed_logins = 0
    web_session.stage = ACTIVE
    user.last_login_at = now


def _accept_code(user: User, code: str, now: datetime) -> None:
    code = (code or "").strip().replace(" ", "")
    totp = pyotp.TOTP(user.totp_secret)
    step = int(now.timestamp()) // totp.interval
    # One step either side for clock drift; a step already used is refused (replay).
    for candidate in (step, step - 1, step + 1):
        if candidate > user.totp_last_step and hmac.compare_digest(totp.generate_otp(candidate), code):
            user.totp_last_step = candidate
            return
    raise InvalidArgument(FieldViolation("code", t("is not the current code of your authenticator app")))


def end_sessions(session: Session, *, user_id: str, keep: str | None = None) -> None:
    for web_session in session.scalars(select(WebSession).where(WebSession.user_id == user_id)):
        if web_session.token_hash != keep:
            session.delete(web_session)


def end_session(session: Session, token: str) -> None:
    web_session = session.get(WebSession, sha256(token)) if token else None
    if web_session is not None:
        session.delete(web_session)


# -- API keys --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IssuedKey:
    key: str  # shown once
    record: ApiKey


def create_api_key(session: Session, *, name: str, roles: list[str], created_by: str,
                   subject: str | None = None) -> IssuedKey:
    check = Validator()
    check.require(name, "name", max_length=200)
    _check_roles(check, roles)
    if not roles:
        check.check(False, "roles", t("is required"))
    check.raise_if_any()
    secret = secrets.token_urlsafe(32)
    record = ApiKey(name=name, roles=sorted(set(roles)), secret_hash=sha256(secret), created_by=created_by,
                    subject=(subject or f"api:{name}")[:64])
    session.add(record)
    session.flush()
    return IssuedKey(key=f"{API_KEY_PREFIX}{record.id}_{secret}", record=record)


def parse_api_key(key: str) -> tuple[str, str] | None:
    """(key id, secret) of a well-formed key, else None. The id names the row (and its tenant) to look up."""
    if not key.startswith(API_KEY_PREFIX):
        return None
    key_id, _, secret = key[len(API_KEY_PREFIX):].partition("_")
    if len(key_id) != 36 or not secret:
        return None
    return key_id, secret


def verify_api_key(session: Session, *, key_id: str, secret: str, now: datetime | None = None) -> ApiKey:
    record = session.get(ApiKey, key_id)
    if record is None or record.revoked_at is not None or not hmac.compare_digest(record.secret_hash,
                                                                                  sha256(secret)):
        raise Unauthenticated(t("invalid API key"))
    now = now or utcnow()
    if record.last_used_at is None or now - record.last_used_at > timedelta(minutes=5):
        record.last_used_at = now
    return record


def revoke_api_key(session: Session, *, key_id: str, now: datetime | None = None) -> None:
    record = session.get(ApiKey, key_id)
    if record is None:
        raise NotFound(t("no API key {id}", id=key_id))
    record.revoked_at = record.revoked_at or now or utcnow()


# -- deactivation (console: access administration) ---------------------------------------------------------------

def deactivate_user(session: Session, *, user: User, acting_user_id: str | None) -> None:
    """Someone who left: no login, every session ended; the row stays (their id owns records in the services)."""
    if user.id == acting_user_id:
        raise FailedPrecondition(t("you cannot deactivate your own account"))
    user.active = False
    end_sessions(session, user_id=user.id)


def reactivate_user(session: Session, *, user: User) -> None:  # noqa: ARG001 - same shape as the others
    """Let a deactivated user log in again (with the password they had; reset it if it may have leaked)."""
    user.active = True
    user.failed_logins = 0
    user.locked_until = None
