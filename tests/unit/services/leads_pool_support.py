"""Helpers of the assignment and public-pool tests (unit on SQLite, integration on PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from services.core.auth import Caller
from services.core.db import Database
from services.leads import assignment, reps, rules
from services.leads.models import OPEN, Lead, LeadOwnership, Rep

# A Monday, 10:00 in Shanghai (02:00 UTC), after the wall clock: a timer fast-forwarded with fire_due(now=...) then
# acts at its due time (handlers never act before the wall clock, see services/leads/pool.py).
T0 = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)


def caller(*roles: str, tenant: str = "t1", subject: str = "u1", kind: str = "user") -> Caller:
    return Caller(tenant_id=tenant, subject=subject, kind=kind, roles=frozenset(roles))


ADMIN = caller("admin", subject="admin")
SYSTEM = caller(kind="service", subject="gateway")


def add_rep(database: Database, user_id: str, tenant: str = "t1", **fields) -> Rep:  # noqa: ANN003
    with database.session(tenant) as session:
        rep, _ = reps.upsert_rep(session, caller=caller("admin", tenant=tenant, subject="admin"), user_id=user_id,
                                 **fields)
        return rep


def add_lead(database: Database, tenant: str = "t1", **fields) -> str:  # noqa: ANN003
    """A lead row as capture leaves it, without running assignment; returns its id."""
    fields.setdefault("name", "Ann Lee")
    fields.setdefault("channel", "web")
    fields.setdefault("email", "ann@example.com")
    with database.session(tenant) as session:
        lead = Lead(tenant_id=tenant, **fields)
        session.add(lead)
        session.flush()
        return lead.id


def assign_new(database: Database, lead_id: str, now: datetime = T0, tenant: str = "t1", plugins=None
               ) -> assignment.Outcome | None:  # noqa: ANN001
    with database.session(tenant) as session:
        return assignment.assign_new_lead(session, session.get(Lead, lead_id), now=now, plugins=plugins)


def new_assigned(database: Database, now: datetime = T0, tenant: str = "t1", **fields) -> tuple[str, str]:  # noqa: ANN003
    """(lead id, owner) of a new lead given out by the rules at `now`."""
    lead_id = add_lead(database, tenant, **fields)
    outcome = assign_new(database, lead_id, now, tenant)
    return lead_id, outcome.owner_id if outcome else ""


def lead(database: Database, lead_id: str, tenant: str = "t1") -> Lead:
    with database.session(tenant) as session:
        return session.get(Lead, lead_id)


def history(database: Database, lead_id: str, tenant: str = "t1") -> list[tuple[str, str, str]]:
    """(from, to, reason) of the lead's owner changes, oldest first."""
    with database.session(tenant) as session:
        rows = session.scalars(select(LeadOwnership).where(LeadOwnership.lead_id == lead_id)
                               .order_by(LeadOwnership.at, LeadOwnership.id))
        return [(row.from_owner, row.to_owner, row.reason) for row in rows]


def set_rules(database: Database, kinds: list[str | rules.Rule], tenant: str = "t1", **kwargs) -> None:  # noqa: ANN003
    with database.session(tenant) as session:
        rules.update_rules(session, caller=caller("admin", tenant=tenant), **kwargs,
                           rules=[kind if isinstance(kind, rules.Rule) else rules.Rule(kind) for kind in kinds])


def set_pool(database: Database, tenant: str = "t1", **values) -> None:  # noqa: ANN003
    with database.session(tenant) as session:
        rules.update_pool(session, caller=caller("admin", tenant=tenant), values=values, fields=list(values))


def seed_record(database: Database, owner: str, received: int, converted: int, *, industry: str = "65",
                channel: str = "web", at: datetime = T0, tenant: str = "t1") -> None:
    """`owner` received `received` leads like this at `at` and converted `converted` of them."""
    with database.session(tenant) as session:
        for number in range(received):
            row = Lead(tenant_id=tenant, name=f"{owner}-{number}", channel=channel, industry=industry,
                       owner_id=owner, status="converted" if number < converted else OPEN, assigned_at=at)
            if number >= converted:
                row.status = "lost"  # not converted, and not held open either (holding limits stay out of it)
            session.add(row)
            session.flush()
            session.add(LeadOwnership(lead_id=row.id, from_owner="", to_owner=owner, reason=assignment.AUTO,
                                      actor="test", at=at))
