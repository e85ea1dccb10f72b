"""Sales territories as lead coverage (R-SALES-5: territories drive assignment).

Sales owns territories (regions and/or industries, a manager, reps) and announces each change with its whole state
in territory.updated. The leads service keeps a copy (SalesTerritory); assignment counts the regions and industries
of every territory that lists a rep as that rep's own, next to the ones in the rep's roster row
(services/leads/assignment.py). A rep taken off a territory loses its coverage with the next event.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.events.v1.envelope_pb2 import Envelope
from crm.events.v1.sales_pb2 import TerritoryUpdated
from services.leads.models import SalesTerritory


def on_territory_updated(session: Session, event: TerritoryUpdated, *, envelope: Envelope, tenant: str) -> None:
    """Keep the newest state of the territory; an event no newer than the copy (a redelivery, a republish, an
    event overtaken by a later one) changes nothing."""
    territory = session.get(SalesTerritory, (tenant, event.territory_id), with_for_update=True)
    if territory is None:
        territory = SalesTerritory(tenant_id=tenant, territory_id=event.territory_id)
        session.add(territory)
    elif event.revision <= territory.revision:
        return
    territory.name, territory.revision = event.name, event.revision
    territory.regions, territory.industries = list(event.regions), list(event.industries)
    territory.rep_ids = sorted(set(event.rep_ids))


def of_reps(session: Session, user_ids: Iterable[str]) -> dict[str, list[SalesTerritory]]:
    """The territories that list each of `user_ids` (only reps in at least one appear), by name."""
    wanted = set(user_ids)
    found: dict[str, list[SalesTerritory]] = defaultdict(list)
    if not wanted:
        return found
    for territory in session.scalars(select(SalesTerritory).order_by(SalesTerritory.name)):
        for user_id in wanted.intersection(territory.rep_ids or ()):
            found[user_id].append(territory)
    return found
