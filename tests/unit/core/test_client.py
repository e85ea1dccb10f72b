"""services/core/client.py: stubs for peers that carry the right caller token."""

from __future__ import annotations

import dataclasses
import time

import grpc
import pytest
from sqlalchemy import select

from crm.leads.v1 import leads_pb2
from crm.leads.v1.leads_pb2_grpc import LeadsServiceStub
from services.core.auth import Caller, reset_caller, set_caller
from services.core.client import connect
from services.core.errors import Unauthenticated
from services.leads.api import LeadsApi
from services.leads.models import Lead
from tests.unit.conftest import token
from tests.unit.core.conftest import unit_settings


@pytest.fixture
def peer(leads_server, tmp_path):
    server = leads_server()
    settings = unit_settings(tmp_path)
    return server, dataclasses.replace(settings, peer_addrs={"leads": server.address})


def _request(**fields):
    fields = {"name": "Ann", "channel": "web", "email": "ann@example.com", **fields}
    return leads_pb2.CreateLeadRequest(**fields)


def _stored(database, lead_id):
    with database.kernel_session() as session:
        return session.scalar(select(Lead).where(Lead.id == lead_id))


def test_connect_attaches_the_pinned_token(peer):
    server, settings = peer
    stub = connect("leads", LeadsServiceStub, settings, token=token("sales", tenant="t1", subject="rep-7"))

    lead = stub.CreateLead(_request()).lead

    assert lead.owner_id == "rep-7"
    assert _stored(server.database, lead.id).tenant_id == "t1"


def test_inside_an_event_handler_a_service_token_for_the_callers_tenant_is_minted(peer):
    server, settings = peer
    stub = connect("leads", LeadsServiceStub, settings)

    reset = set_caller(Caller(tenant_id="t5", subject="identity", kind="service"))
    try:
        first = stub.CreateLead(_request()).lead
        again = stub.GetLead(leads_pb2.GetLeadRequest(id=first.id)).lead
    finally:
        reset_caller(reset)

    stored = _stored(server.database, first.id)
    assert stored.tenant_id == "t5"
    assert stored.owner_id == ""  # a service is not a sales rep: nobody became the owner
    assert again.id == first.id

    reset = set_caller(Caller(tenant_id="t6", subject="identity", kind="service"))
    try:
        with pytest.raises(grpc.RpcError) as error:
            stub.GetLead(leads_pb2.GetLeadRequest(id=first.id))
    finally:
        reset_caller(reset)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND  # the token is for t6, not a cached t5 one


def test_without_a_caller_or_token_the_call_is_refused_locally(peer):
    _server, settings = peer
    stub = connect("leads", LeadsServiceStub, settings)
    with pytest.raises(Unauthenticated):
        stub.GetLead(leads_pb2.GetLeadRequest(id="x"))


def test_default_deadline_applies(leads_server, tmp_path):
    class SlowLeads(LeadsApi):
        def GetLead(self, request, context):  # noqa: N802, ANN001, ANN201
            time.sleep(1.5)
            return super().GetLead(request, context)

    server = leads_server(SlowLeads)
    settings = dataclasses.replace(unit_settings(tmp_path), peer_addrs={"leads": server.address})
    stub = connect("leads", LeadsServiceStub, settings, token=token("manager"), timeout=0.3)
    started = time.monotonic()
    with pytest.raises(grpc.RpcError) as error:
        stub.GetLead(leads_pb2.GetLeadRequest(id="x"))  # no timeout of its own: the stub's applies
    assert error.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED, error.value
    assert time.monotonic() - started < 1.2


def test_inside_a_request_the_incoming_users_token_is_forwarded(peer, leads_server):
    server, settings = peer
    downstream = connect("leads", LeadsServiceStub, settings)

    class ForwardingLeads(LeadsApi):
        """A front service that creates the lead through its peer, on the incoming user's behalf."""

        def CreateLead(self, request, context):  # noqa: N802, ANN001, ANN201
            return downstream.CreateLead(request)

    front = LeadsServiceStub(leads_server(ForwardingLeads).channel)
    metadata = [("authorization", f"Bearer {token('sales', tenant='t3', subject='rep-3')}")]

    lead = front.CreateLead(_request(), metadata=metadata, timeout=5).lead

    assert lead.owner_id == "rep-3"
    assert _stored(server.database, lead.id).tenant_id == "t3"
