"""Territories drive lead assignment across real processes, PostgreSQL and RabbitMQ (issue #5 item 7):
sales.UpsertTerritory -> outbox -> territory.updated -> leads keeps the copy -> CreateLead goes to the territory's
rep."""

from __future__ import annotations

import pytest

from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from tests.integration.helpers import eventually, new_tenant, stub

pytestmark = pytest.mark.integration


def test_a_territory_set_in_sales_steers_new_leads_to_its_rep(cluster):
    for name in ("sales", "leads"):
        cluster.start(name)
    tenant = new_tenant()
    leads = stub(cluster, "leads", leads_pb2_grpc.LeadsServiceStub, tenant=tenant, roles=("admin",))
    sales = stub(cluster, "sales", sales_pb2_grpc.SalesServiceStub, tenant=tenant, roles=("admin",))
    for rep in ("ana", "ben", "cai"):
        leads.UpsertRep(leads_pb2.UpsertRepRequest(user_id=rep, team="east"))

    territory = sales.UpsertTerritory(sales_pb2.UpsertTerritoryRequest(territory=sales_pb2.Territory(
        name="Guangdong", regions=["44"], rep_ids=["cai"]))).territory

    def cai_covers() -> list[str]:
        reps = {rep.user_id: rep for rep in leads.ListReps(leads_pb2.ListRepsRequest()).reps}
        return [t.territory_id for t in reps["cai"].territories]

    assert eventually(cai_covers, what="territory reached leads") == [territory.id]
    owners = [leads.CreateLead(leads_pb2.CreateLeadRequest(
        name=f"Lead {n}", email=f"l{n}@example.cn", channel="Referral", region="440300")).lead.owner_id
        for n in range(3)]
    assert owners == ["cai", "cai", "cai"]

    # Sales hands the territory to ben: the next Shenzhen lead goes to him.
    sales.UpsertTerritory(sales_pb2.UpsertTerritoryRequest(territory=sales_pb2.Territory(
        id=territory.id, name="Guangdong", regions=["44"], rep_ids=["ben"])))
    eventually(lambda: not cai_covers(), what="cai left the territory")
    lead = leads.CreateLead(leads_pb2.CreateLeadRequest(name="Lead 4", email="l4@example.cn", channel="Referral",
                                                        region="440300")).lead
    assert lead.owner_id == "ben"
