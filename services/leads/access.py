"""Who may read and change which lead (issue #4 item 7, R-SEC-2).

- a sales rep: the leads they own, and the public pool (read with e-mail and phone masked; change = claim only);
- a manager: the leads owned by the reps of their team (the team of the manager's own row in the rep roster), their
  own, and the leads nobody owns (waiting for assignment or in the pool), to assign them;
- admin: every lead; auditor and marketing: read every lead; service callers: everything.

A lead the caller may not read is NOT_FOUND: its existence is not the caller's business (R-SEC-2, R-SEC-4).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from services.core.auth import Caller
from services.core.db import TENANT
from services.core.errors import NotFound, PermissionDenied, Validator
from services.core.i18n import t
from services.leads.models import COLD, HOT, STATUSES, WARM, Lead, Rep

READ_ALL_ROLES = ("admin", "auditor", "marketing")
CHANGE_ALL_ROLES = ("admin",)
TEAM_ROLES = ("manager",)
POOL_ROLES = ("sales",)
# Roles that see a pool lead's contact details; everyone else who may read it (a rep) sees them masked.
UNMASKED_ROLES = ("admin", "auditor", "marketing", "manager")

_SCOPES = "crm_leads_access_scopes"  # Session.info: caller -> Scope, one roster lookup per transaction


@dataclass(frozen=True)
class Scope:
    """What one caller may see, resolved once per transaction."""

    subject: str
    read_all: bool
    change_all: bool
    # Manager: their team's name ("" when they have none) and whether unowned leads are theirs to assign.
    team: str
    team_members: frozenset[str]
    unowned: bool
    pool: bool


def scope_of(session: Session, caller: Caller) -> Scope:
    cache = session.info.setdefault(_SCOPES, {})
    found = cache.get(caller)
    if found is not None:
        return found
    service = caller.is_service
    manager = not service and caller.has_any_role(*TEAM_ROLES)
    team, members = "", frozenset()
    if manager:
        own = session.get(Rep, (session.info[TENANT], caller.subject))
        team = own.team if own is not None else ""
        if team:
            members = frozenset(session.scalars(select(Rep.user_id).where(Rep.team == team)))
    found = Scope(
        subject=caller.subject if not service else "",
        read_all=caller.has_any_role(*READ_ALL_ROLES),
        change_all=caller.has_any_role(*CHANGE_ALL_ROLES),
        team=team,
        team_members=members,
        unowned=manager,
        pool=not service and caller.has_any_role(*POOL_ROLES),
    )
    cache[caller] = found
    return found


def forget_scopes(session: Session) -> None:
    """Drop the cached scopes (after a roster change in the same transaction)."""
    session.info.pop(_SCOPES, None)


def _mine_or_team(scope: Scope, lead: Lead) -> bool:
    owner = lead.owner_id
    if owner:
        return owner == scope.subject or owner in scope.team_members
    return scope.unowned


def may_read(session: Session, caller: Caller, lead: Lead) -> bool:
    scope = scope_of(session, caller)
    if scope.read_all or scope.change_all or _mine_or_team(scope, lead):
        return True
    return scope.pool and lead.pooled_at is not None


def may_change(session: Session, caller: Caller, lead: Lead) -> bool:
    """Change = anything but claiming: a pool lead becomes a rep's to change once they claimed it."""
    scope = scope_of(session, caller)
    return scope.change_all or _mine_or_team(scope, lead)


def contact_masked(caller: Caller, lead: Lead) -> bool:
    """True when `caller` sees `lead` only as a pool lead: e-mail and phone masked until they claim it."""
    return lead.pooled_at is not None and not caller.has_any_role(*UNMASKED_ROLES)


def readable_lead(session: Session, *, caller: Caller, lead_id: str) -> Lead:
    lead = session.get(Lead, lead_id) if lead_id else None
    if lead is None or not may_read(session, caller, lead):
        raise NotFound(t("lead {id} not found", id=repr(lead_id)))
    return lead


def lead_for_change(session: Session, *, caller: Caller, lead_id: str) -> Lead:
    """The lead, locked for update and re-read, when the caller may change it; NotFound or PermissionDenied."""
    lead = readable_lead(session, caller=caller, lead_id=lead_id)
    session.refresh(lead, with_for_update=True)  # the row as committed now: another transaction may have moved it
    if not may_read(session, caller, lead):
        raise NotFound(t("lead {id} not found", id=repr(lead_id)))
    if not may_change(session, caller, lead):
        if lead.pooled_at is not None:
            raise PermissionDenied(t("claim lead {id} from the public pool before changing it", id=repr(lead_id)))
        raise PermissionDenied(t("you may read lead {id} but not change it", id=repr(lead_id)))
    return lead


def visible(session: Session, caller: Caller) -> ColumnElement[bool]:
    """A WHERE clause for the leads `caller` may read (the tenant filter is the kernel's)."""
    scope = scope_of(session, caller)
    if scope.read_all or scope.change_all:
        return true()
    allowed = []
    owned = Lead.owner_id != ""  # repeated for the partial owner index (models.py)
    if scope.subject:
        allowed.append(and_(owned, Lead.owner_id == scope.subject))
    if scope.team_members:
        allowed.append(and_(owned, Lead.owner_id.in_(sorted(scope.team_members))))
    if scope.unowned:
        allowed.append(Lead.owner_id == "")
    if scope.pool:
        allowed.append(and_(Lead.owner_id == "", Lead.pooled_at.is_not(None)))
    return or_(*allowed) if allowed else false()


# -- ListLeads ------------------------------------------------------------------------------------------------

ORDERS = {
    "create_time_desc": (Lead.created_at.desc(), Lead.id.desc()),
    "create_time_asc": (Lead.created_at.asc(), Lead.id.asc()),
    "score_desc": (Lead.score.desc(), Lead.id.desc()),
    "assign_time_desc": (Lead.assigned_at.desc().nulls_last(), Lead.id.desc()),
    "pool_time_asc": (Lead.pooled_at.asc().nulls_last(), Lead.id.asc()),
}


def list_leads(
    session: Session, *, caller: Caller, status: str = "", in_pool: bool | None = None, owner_id: str = "",
    temperature: str = "", channel: str = "", order: str = "create_time_desc", offset: int = 0, limit: int = 50,
) -> tuple[list[Lead], bool]:
    """The leads `caller` may read that pass the filters, in `order`; (page, whether more follow). Mask pool leads
    with `contact_masked` before showing them."""
    check = Validator()
    check.check(not status or status in STATUSES, "status", t("is not a lead status"))
    check.check(not temperature or temperature in (HOT, WARM, COLD), "temperature", t("is not a temperature"))
    check.at_most(owner_id, "owner_id", 64)
    check.at_most(channel, "channel", 100)
    check.check(order in ORDERS, "order", t("is not a sort order"))
    check.raise_if_any()
    statement = select(Lead).where(visible(session, caller))
    if status:
        statement = statement.where(Lead.status == status)
    if in_pool is not None:
        statement = statement.where(Lead.pooled_at.is_not(None) if in_pool else Lead.pooled_at.is_(None))
    if owner_id:
        statement = statement.where(Lead.owner_id != "", Lead.owner_id == owner_id)
    if temperature:
        statement = statement.where(Lead.temperature == temperature)
    if channel:
        statement = statement.where(Lead.channel == channel)
    found = list(session.scalars(statement.order_by(*ORDERS[order]).offset(offset).limit(limit + 1)))
    return found[:limit], len(found) > limit
