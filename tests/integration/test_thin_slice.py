"""The backbone's thin slice across real processes, PostgreSQL and RabbitMQ (issue #2, item 5).

leads.CreateLead -> outbox -> lead.created -> identity resolves -> identity.resolved -> lead.customer_id.
"""

from __future__ import annotations

import grpc
import pytest
from sqlalchemy import create_engine, text

from crm.identity.v1 import identity_pb2, identity_pb2_grpc
from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from tests.integration.helpers import eventually, new_tenant, stub

pytestmark = pytest.mark.integration


def test_lead_is_resolved_to_a_customer_across_processes(cluster):
    for name in ("identity", "leads"):
        cluster.start(name)
    tenant = new_tenant()
    leads = stub(cluster, "leads", leads_pb2_grpc.LeadsServiceStub, tenant=tenant, roles=("sales",), subject="rep-1")

    first = leads.CreateLead(leads_pb2.CreateLeadRequest(name="王芳", email="Wang.Fang@Example.cn",
                                                         channel="Offline Expo A")).lead
    second = leads.CreateLead(leads_pb2.CreateLeadRequest(name="王芳", phone="+86 139 0000 1111",
                                                          email="wang.fang@example.cn", channel="Referral")).lead
    other = leads.CreateLead(leads_pb2.CreateLeadRequest(name="李雷", phone="13800000000", channel="Referral")).lead

    def customer_of(lead_id: str) -> str:
        return leads.GetLead(leads_pb2.GetLeadRequest(id=lead_id)).lead.customer_id

    first_customer = eventually(lambda: customer_of(first.id), what="first lead resolved")
    assert first_customer.startswith("C") and len(first_customer) >= 12
    # The same person (e-mail differs only in case) is linked to the same identity, not re-created.
    assert eventually(lambda: customer_of(second.id), what="second lead resolved") == first_customer
    assert eventually(lambda: customer_of(other.id), what="third lead resolved") != first_customer

    identity = stub(cluster, "identity", identity_pb2_grpc.IdentityServiceStub, tenant=tenant, roles=("manager",))
    customer = identity.GetCustomer(identity_pb2.GetCustomerRequest(id=first_customer)).customer
    assert {record.id for record in customer.records} == {first.id, second.id}

    # Another tenant sees neither the lead nor the customer (R-SEC-4).
    stranger = stub(cluster, "leads", leads_pb2_grpc.LeadsServiceStub, tenant=new_tenant(), roles=("manager",))
    with pytest.raises(grpc.RpcError) as error:
        stranger.GetLead(leads_pb2.GetLeadRequest(id=first.id))
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


def test_each_service_has_its_own_schema(cluster, pg_url):
    engine = create_engine(pg_url)
    with engine.connect() as connection:
        tables = set(
            connection.execute(
                text("SELECT table_schema || '.' || table_name FROM information_schema.tables "
                     "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")
            ).scalars()
        )
    engine.dispose()
    for service in ("identity", "leads", "sales", "support", "marketing", "analytics"):
        # Kernel tables and the Alembic version live in every service's schema, next to its own tables.
        assert {f"{service}.crm_outbox", f"{service}.crm_inbox", f"{service}.alembic_version"} <= tables
    assert "leads.lead" in tables and "identity.customer" in tables
    assert "public.lead" not in tables


def test_health_command_reports_every_service(cluster):
    cluster.start("leads")
    result = cluster.crm("health", "--timeout", "1", check=False)
    assert result.returncode == 1  # only one of six is running
    lines = dict(line.split(None, 1) for line in result.stdout.strip().splitlines())
    assert lines["leads"].endswith("SERVING") and "UNREACHABLE" in lines["identity"]
