"""Sales contacts get identity customer ids across real processes, PostgreSQL and RabbitMQ (issue #5 item 1,
ADR 0023): sales.CreateContact -> outbox -> contact.created -> identity resolves the record (sales, contact) ->
identity.resolved -> the contact's customer_id, the same customer as an earlier lead with the same e-mail."""

from __future__ import annotations

import pytest

from crm.identity.v1 import identity_pb2, identity_pb2_grpc
from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from tests.integration.helpers import eventually, new_tenant, stub

pytestmark = pytest.mark.integration


def test_a_contact_entered_in_sales_gets_the_customer_of_the_lead_with_its_email(cluster):
    for name in ("identity", "leads", "sales"):
        cluster.start(name)
    tenant = new_tenant()
    leads = stub(cluster, "leads", leads_pb2_grpc.LeadsServiceStub, tenant=tenant, roles=("sales",), subject="rep-1")
    sales = stub(cluster, "sales", sales_pb2_grpc.SalesServiceStub, tenant=tenant, roles=("admin",))
    identity = stub(cluster, "identity", identity_pb2_grpc.IdentityServiceStub, tenant=tenant, roles=("manager",))

    lead = leads.CreateLead(leads_pb2.CreateLeadRequest(name="王芳", company="杭州云栖科技有限公司",
                                                        email="Wang.Fang@Example.cn", channel="Referral")).lead
    lead_customer = eventually(lambda: leads.GetLead(leads_pb2.GetLeadRequest(id=lead.id)).lead.customer_id,
                               what="lead resolved")

    account = sales.CreateAccount(sales_pb2.CreateAccountRequest(name="杭州云栖科技有限公司", owner_id="rep-1")).account
    contact = sales.CreateContact(sales_pb2.CreateContactRequest(account_id=account.id, name="王芳",
                                                                 email="wang.fang@example.cn")).contact
    assert contact.customer_id == ""

    def contact_customer() -> str:
        return sales.GetContact(sales_pb2.GetContactRequest(id=contact.id)).contact.customer_id

    assert eventually(contact_customer, what="contact resolved") == lead_customer
    # The customer 360 lists the lead and the contact.
    customer = identity.GetCustomer(identity_pb2.GetCustomerRequest(id=lead_customer)).customer
    assert {(record.service, record.kind, record.id) for record in customer.records} == {
        ("leads", "lead", lead.id), ("sales", "contact", contact.id)}
