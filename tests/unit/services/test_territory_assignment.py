"""Territories drive lead assignment (issue #5 item 7, R-SALES-5): sales announces each territory change in
territory.updated; the leads service keeps a copy and counts a territory's regions and industries as its reps'
coverage in the territory and industry rules."""

from __future__ import annotations

from click.testing import CliRunner

from crm.events.v1.sales_pb2 import TerritoryUpdated
from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.core.consumers import InboxDispatcher
from services.core.events import new_envelope
from services.leads import assignment
from services.leads.events import CONSUMERS as LEADS_CONSUMERS
from services.sales import territories
from tests.unit.services.leads_pool_support import T0, add_rep, caller, new_assigned

HOURS = [T0.replace(hour=T0.hour + n) for n in range(12)]


def sales_territory(sales_db, outbox_events, *, territory_id="", tenant="t1", **fields) -> TerritoryUpdated:
    """Upsert a territory in sales; the territory.updated it emitted."""
    fields.setdefault("name", "East")
    with sales_db.session(tenant) as session:
        territories.upsert(session, caller=caller("admin", tenant=tenant, subject="admin"),
                           territory_id=territory_id, **fields)
    return outbox_events(sales_db, TerritoryUpdated)[-1][1]


def deliver(leads_db, event: TerritoryUpdated, tenant="t1") -> None:
    [consumer] = [c for c in LEADS_CONSUMERS if c.purpose == "sales"]
    envelope = new_envelope(event, tenant_id=tenant, producer="sales")
    InboxDispatcher("leads", consumer, leads_db)(envelope.SerializeToString())


def owners(leads_db, count, start=0, **fields):
    return [new_assigned(leads_db, HOURS[start + n], **fields)[1] for n in range(count)]


def test_sales_emits_the_whole_territory_with_a_growing_revision(migrated_database, outbox_events):
    sales_db = migrated_database("sales")
    first = sales_territory(sales_db, outbox_events, regions=["上海", "44"], industries=["i"], rep_ids=["ben", "ana"],
                            manager_id="boss")
    assert (first.name, list(first.regions), list(first.industries), list(first.rep_ids), first.manager_id,
            first.revision) == ("East", ["44", "上海"], ["I"], ["ana", "ben"], "boss", 1)
    second = sales_territory(sales_db, outbox_events, territory_id=first.territory_id, regions=["北京"],
                             rep_ids=["cai"])
    assert (second.territory_id, list(second.regions), list(second.rep_ids), second.revision) == (
        first.territory_id, ["北京"], ["cai"], 2)


def test_a_territory_s_regions_and_industries_steer_leads_to_its_reps(migrated_database, leads_db, outbox_events):
    sales_db = migrated_database("sales")
    for rep in ("ana", "ben", "cai"):
        add_rep(leads_db, rep)
    # Before any territory nobody covers Guangdong: round-robin.
    assert owners(leads_db, 3, region="440300") == ["ana", "ben", "cai"]
    south = sales_territory(sales_db, outbox_events, name="South", regions=["44"], rep_ids=["ben"])
    finance = sales_territory(sales_db, outbox_events, name="Finance", industries=["J"], rep_ids=["cai"])
    deliver(leads_db, south)
    deliver(leads_db, finance)
    assert owners(leads_db, 2, start=3, region="440300") == ["ben", "ben"]  # Shenzhen lies in Guangdong (44)
    assert owners(leads_db, 2, start=5, industry="66") == ["cai", "cai"]  # monetary finance: section J

    # Sales moves the South territory to ana: ben's coverage goes with it.
    deliver(leads_db, sales_territory(sales_db, outbox_events, territory_id=south.territory_id, name="South",
                                      regions=["44"], rep_ids=["ana"]))
    assert owners(leads_db, 2, start=7, region="440300") == ["ana", "ana"]


def test_a_stale_or_repeated_event_changes_nothing(migrated_database, leads_db, outbox_events):
    sales_db = migrated_database("sales")
    add_rep(leads_db, "ana")
    add_rep(leads_db, "ben")
    older = sales_territory(sales_db, outbox_events, regions=["44"], rep_ids=["ana"])
    newer = sales_territory(sales_db, outbox_events, territory_id=older.territory_id, regions=["44"],
                            rep_ids=["ben"])
    deliver(leads_db, newer)
    deliver(leads_db, older)  # overtaken on the way: ignored
    assert owners(leads_db, 2, region="440300") == ["ben", "ben"]

    # `crm sales publish-territories` announces the current state again: equal revision, no change.
    with sales_db.session("t1") as session:
        assert territories.publish_all(session) == 1
    republished = outbox_events(sales_db, TerritoryUpdated)[-1][1]
    assert republished == newer
    deliver(leads_db, republished)
    assert owners(leads_db, 1, start=2, region="440300") == ["ben"]


def test_another_tenant_s_territory_covers_nobody_here(migrated_database, leads_db, outbox_events):
    sales_db = migrated_database("sales")
    add_rep(leads_db, "ana")
    add_rep(leads_db, "ben")
    deliver(leads_db, sales_territory(sales_db, outbox_events, tenant="t2", regions=["44"], rep_ids=["ben"]),
            tenant="t2")
    assert owners(leads_db, 2, region="440300") == ["ana", "ben"]


def test_the_roster_and_the_plugin_see_territory_coverage(migrated_database, leads_db, outbox_events):
    sales_db = migrated_database("sales")
    add_rep(leads_db, "ana", regions=["上海"])
    deliver(leads_db, sales_territory(sales_db, outbox_events, name="South", regions=["44"], industries=["J"],
                                      rep_ids=["ana"]))
    with leads_db.session("t1") as session:
        [candidate] = [assignment.Candidate(rep) for rep in assignment.lock_reps(session)]
        candidate.territories = assignment.territories.of_reps(session, ["ana"])["ana"]
        facts = candidate.facts()
    assert (facts["regions"], facts["industries"], facts["territories"]) == (["上海", "44"], ["J"], ["South"])


def test_list_reps_shows_each_rep_s_territories(migrated_database, grpc_service, outbox_events):
    service = grpc_service("leads")
    sales_db = migrated_database("sales")
    stub = leads_pb2_grpc.LeadsServiceStub(service.channel)
    admin = service.metadata("admin")
    stub.UpsertRep(leads_pb2.UpsertRepRequest(user_id="ana", regions=["上海"]), metadata=admin)
    stub.UpsertRep(leads_pb2.UpsertRepRequest(user_id="ben"), metadata=admin)
    south = sales_territory(sales_db, outbox_events, name="South", regions=["44"], industries=["J"],
                            rep_ids=["ana"])
    deliver(service.database, south)
    found = {rep.user_id: rep for rep in stub.ListReps(leads_pb2.ListRepsRequest(), metadata=admin).reps}
    assert list(found["ana"].regions) == ["上海"]  # the rep's own; the territory's are listed apart
    assert [(t.territory_id, t.name, list(t.regions), list(t.industries)) for t in found["ana"].territories] == [
        (south.territory_id, "South", ["44"], ["J"])]
    assert list(found["ben"].territories) == []


def test_the_publish_territories_command_announces_every_territory(migrated_database, outbox_events, monkeypatch):
    sales_db = migrated_database("sales")
    sales_territory(sales_db, outbox_events, name="East", regions=["31"])
    sales_territory(sales_db, outbox_events, name="West", regions=["51"])
    before = len(outbox_events(sales_db, TerritoryUpdated))
    monkeypatch.setenv("CRM_DATABASE_URL", sales_db.engine.url.render_as_string(hide_password=False))
    from services.core.cli import main

    result = CliRunner().invoke(main, ["sales", "publish-territories", "--tenant", "t1"])
    assert result.exit_code == 0, result.output
    assert "2 territories announced" in result.output
    assert [e.name for _, e in outbox_events(sales_db, TerritoryUpdated)[before:]] == ["East", "West"]
