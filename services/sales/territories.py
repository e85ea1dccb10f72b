"""Territories (R-SALES-5): regions and/or industries with a manager and assigned reps.

A territory's manager reads the opportunities in it (services/sales/access.py: region among its regions when it
lists any, account industry among its industries when it lists any), and the forecast groups by territory. An
opportunity may lie in several territories (one by region, one by industry): it counts in each.

Every change emits territory.updated with the territory's whole state: the leads service counts a territory's
regions and industries as coverage of its reps when it assigns leads (services/leads/territories.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm.events.v1.sales_pb2 import TerritoryUpdated
from services.core.auth import Caller
from services.core.errors import AlreadyExists, NotFound, Validator
from services.core.events import emit
from services.core.i18n import t
from services.sales import access
from services.sales.models import Territory

TERRITORY_ROLES = ("admin",)
INDUSTRIES = frozenset("ABCDEFGHIJKLMNOPQRST")
MAX_ENTRIES = 200


def _clean(values: Sequence[str]) -> list[str]:
    return sorted({value.strip() for value in values if value.strip()})


def upsert(session: Session, *, caller: Caller, territory_id: str = "", name: str, regions: Sequence[str] = (),
           industries: Sequence[str] = (), manager_id: str = "", rep_ids: Sequence[str] = ()) -> Territory:
    caller.require_role(*TERRITORY_ROLES)
    check = Validator()
    check.require(name, "name", max_length=200)
    check.at_most(manager_id, "manager_id", 64)
    regions, rep_ids = _clean(regions), _clean(rep_ids)
    industries = _clean([industry.upper() for industry in industries])
    check.check(bool(regions or industries), "regions", t("give regions, industries or both"))
    for field, values, longest in (("regions", regions, 100), ("rep_ids", rep_ids, 64)):
        check.check(len(values) <= MAX_ENTRIES, field, t("must have at most {max} entries", max=MAX_ENTRIES))
        for position, value in enumerate(values):
            check.at_most(value, f"{field}[{position}]", longest)
    for position, industry in enumerate(industries):
        check.check(industry in INDUSTRIES, f"industries[{position}]",
                    t("must be a GB/T 4754 section letter A..T"))
    check.raise_if_any()
    if territory_id:
        territory = session.get(Territory, territory_id, with_for_update=True)  # one revision per change
        if territory is None:
            raise NotFound(t("territory {id} not found", id=repr(territory_id)))
    else:
        territory = Territory()
    territory.name, territory.regions, territory.industries = name.strip(), regions, industries
    territory.manager_id, territory.reps = manager_id.strip(), rep_ids
    territory.revision = (territory.revision or 0) + 1
    try:
        with session.begin_nested():
            session.add(territory)
            session.flush()
    except IntegrityError:
        raise AlreadyExists(t("a territory named {name} exists", name=repr(name.strip()))) from None
    access.forget_scopes(session)
    emit(session, updated_event(territory), producer="sales")
    return territory


def updated_event(territory: Territory) -> TerritoryUpdated:
    return TerritoryUpdated(territory_id=territory.id, name=territory.name, regions=territory.regions,
                            industries=territory.industries, manager_id=territory.manager_id,
                            rep_ids=territory.reps, revision=territory.revision)


def list_territories(session: Session) -> list[Territory]:
    return list(session.scalars(select(Territory).order_by(Territory.name)))


def get(session: Session, territory_id: str) -> Territory:
    territory = session.get(Territory, territory_id) if territory_id else None
    if territory is None:
        raise NotFound(t("territory {id} not found", id=repr(territory_id)))
    return territory


def publish_all(session: Session) -> int:
    """territory.updated for every territory of the tenant, as it stands (`crm sales publish-territories`)."""
    found = list_territories(session)
    for territory in found:
        emit(session, updated_event(territory), producer="sales")
    return len(found)
