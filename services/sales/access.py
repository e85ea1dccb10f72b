"""Who sees what in sales (issue #5 item 8, R-SEC-2).

- a sales rep: the opportunities (and their quotes and contracts) they own, and their own funnel and forecast;
- a manager: those of their team (the team of the manager's own row in the sales roster) and their own;
- admin and auditor: everything of the tenant; service callers: everything;
- approvers: an approval step waits for the members whose duties name it ("finance", "legal"); the "manager" step
  for the manager of the contract's team;
- a territory's manager (a caller with the manager role named as the territory's manager) also reads the
  opportunities in the territory, and their quotes (PDF included) and contracts: region among its regions (when it
  lists any) and account industry among its industries (when it lists any). Reading only: changing, submitting,
  approving and signing stay with the owner, their team's manager, the approvers and admin.

A record the caller may not read is NOT_FOUND: its existence is not the caller's business (R-SEC-2, R-SEC-4).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from services.core.auth import Caller
from services.core.db import TENANT
from services.core.errors import Validator
from services.core.i18n import t
from services.sales.models import Account, Opportunity, SalesMember, Territory

READ_ALL_ROLES = ("admin", "auditor")
CHANGE_ALL_ROLES = ("admin",)
MANAGER_ROLES = ("manager",)
MEMBER_ROLES = ("admin",)

_SCOPES = "crm_sales_scopes"


@dataclass(frozen=True)
class TerritoryRule:
    """Which opportunities a territory holds: region in `regions` (if any) and account industry in `industries`
    (if any)."""

    id: str
    regions: frozenset[str]
    industries: frozenset[str]

    @classmethod
    def of(cls, territory: Territory) -> TerritoryRule:
        return cls(territory.id, frozenset(territory.regions or []), frozenset(territory.industries or []))

    def holds(self, region: str, industry: str) -> bool:
        return ((not self.regions or region in self.regions)
                and (not self.industries or industry in self.industries)
                and bool(self.regions or self.industries))

    def predicate(self) -> ColumnElement[bool]:
        """The rule on `opportunity` rows (industries through a sub-select of the tenant's accounts)."""
        clauses = []
        if self.regions:
            clauses.append(Opportunity.region.in_(sorted(self.regions)))
        if self.industries:
            clauses.append(Opportunity.account_id.in_(
                select(Account.id).where(Account.industry.in_(sorted(self.industries)))))
        return and_(*clauses) if clauses else false()


@dataclass(frozen=True)
class Scope:
    subject: str
    read_all: bool
    change_all: bool
    # A manager's team ("" when the caller manages none).
    team: str
    # Approval duties: the roster's, plus "manager" for a manager with a team.
    duties: frozenset[str]
    # Territories a manager manages (they read the opportunities in them).
    territories: tuple[TerritoryRule, ...] = ()


def member(session: Session, user_id: str) -> SalesMember | None:
    return session.get(SalesMember, (session.info[TENANT], user_id)) if user_id else None


def scope_of(session: Session, caller: Caller) -> Scope:
    cache = session.info.setdefault(_SCOPES, {})
    found = cache.get(caller)
    if found is not None:
        return found
    if caller.is_service:
        found = Scope("", True, True, "", frozenset())
    else:
        row = member(session, caller.subject)
        duties = set(row.duties or []) if row is not None else set()
        team = row.team if row is not None and caller.has_any_role(*MANAGER_ROLES) else ""
        if team:
            duties.add("manager")
        territories: tuple[TerritoryRule, ...] = ()
        if caller.has_any_role(*MANAGER_ROLES) and caller.subject:
            territories = tuple(TerritoryRule.of(territory) for territory in session.scalars(
                select(Territory).where(Territory.manager_id == caller.subject).order_by(Territory.id)))
        found = Scope(caller.subject, caller.has_any_role(*READ_ALL_ROLES), caller.has_any_role(*CHANGE_ALL_ROLES),
                      team, frozenset(duties), territories)
    cache[caller] = found
    return found


def _mine_or_team(scope: Scope, owner_id: str, team: str) -> bool:
    return (bool(owner_id) and owner_id == scope.subject) or (bool(scope.team) and team == scope.team)


def may_read(session: Session, caller: Caller, *, owner_id: str, team: str) -> bool:
    scope = scope_of(session, caller)
    return scope.read_all or scope.change_all or _mine_or_team(scope, owner_id, team)


def may_read_opportunity(session: Session, caller: Caller, opportunity: Opportunity) -> bool:
    """may_read, or the opportunity lies in a territory the caller manages."""
    if may_read(session, caller, owner_id=opportunity.owner_id, team=opportunity.team):
        return True
    return in_managed_territory(session, caller, opportunity)


def in_managed_territory(session: Session, caller: Caller, opportunity: Opportunity | None) -> bool:
    """Whether the opportunity lies in a territory the caller manages (reading only: it grants no change)."""
    rules = scope_of(session, caller).territories
    if not rules or opportunity is None:
        return False
    account = session.get(Account, opportunity.account_id)
    industry = account.industry if account is not None else ""
    return any(rule.holds(opportunity.region, industry) for rule in rules)


def may_read_of_opportunity(session: Session, caller: Caller, *, owner_id: str, team: str,
                            opportunity_id: str) -> bool:
    """The opportunity read rule for a record of one (a quote, a contract; owner and team copied from it): may_read,
    or the opportunity lies in a territory the caller manages."""
    if may_read(session, caller, owner_id=owner_id, team=team):
        return True
    if not scope_of(session, caller).territories:
        return False
    return in_managed_territory(session, caller, session.get(Opportunity, opportunity_id) if opportunity_id else None)


def may_change(session: Session, caller: Caller, *, owner_id: str, team: str) -> bool:
    scope = scope_of(session, caller)
    if caller.has_any_role("auditor") and not scope.change_all:
        return False
    return scope.change_all or _mine_or_team(scope, owner_id, team)


def visible_opportunities(session: Session, caller: Caller) -> ColumnElement[bool]:
    scope = scope_of(session, caller)
    if scope.read_all or scope.change_all:
        return true()
    allowed = [Opportunity.owner_id == scope.subject] if scope.subject else []
    if scope.team:
        allowed.append(Opportunity.team == scope.team)
    allowed.extend(rule.predicate() for rule in scope.territories)
    return or_(*allowed) if allowed else false()


def visible_owned(session: Session, caller: Caller, owner: ColumnElement[str],
                  team: ColumnElement[str]) -> ColumnElement[bool]:
    """may_read as a filter on rows that carry their opportunity's owner and team (quotes, orders): the caller's own,
    their team's as its manager, everything for admin and auditor. Territories are not in it: quotes.list_quotes
    adds them for one opportunity (in_managed_territory); orders are not read by territory."""
    scope = scope_of(session, caller)
    if scope.read_all or scope.change_all:
        return true()
    allowed = [owner == scope.subject] if scope.subject else []
    if scope.team:
        allowed.append(team == scope.team)
    return or_(*allowed) if allowed else false()


def forget_scopes(session: Session) -> None:
    """Drop the cached scopes of this transaction (after a roster or territory change)."""
    session.info.pop(_SCOPES, None)


def upsert_member(session: Session, *, caller: Caller, user_id: str, name: str = "", team: str = "",
                  region: str = "", duties: list[str] | tuple[str, ...] = ()) -> SalesMember:
    caller.require_role(*MEMBER_ROLES)
    check = Validator()
    check.require(user_id, "user_id", max_length=64)
    check.at_most(name, "name", 200)
    check.at_most(team, "team", 100)
    check.at_most(region, "region", 100)
    cleaned = sorted({duty.strip().lower() for duty in duties if duty.strip()})
    for position, duty in enumerate(cleaned):
        check.check(len(duty) <= 32 and duty != "manager", f"duties[{position}]",
                    t("is not a duty (the manager step follows the team)"))
    check.raise_if_any()
    row = member(session, user_id.strip())
    if row is None:
        row = SalesMember(tenant_id=session.info[TENANT], user_id=user_id.strip())
        session.add(row)
    row.name, row.team, row.region, row.duties = name.strip(), team.strip(), region.strip(), cleaned
    session.flush()
    session.info.pop(_SCOPES, None)
    return row
