"""The kernel interceptor, health and reflection, through a real in-process server with the leads servicer."""

from __future__ import annotations

import re

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_status import rpc_status

from crm.leads.v1 import leads_pb2
from crm.leads.v1.leads_pb2_grpc import LeadsServiceStub
from services.core.auth import mint_token
from services.leads.api import LeadsApi
from tests.unit.conftest import TOKEN_KEY, bearer, sample

SERVICE = "crm.leads.v1.LeadsService"


def handled(method: str, code: str) -> float:
    return sample("grpc_server_handled_total", grpc_type="unary", grpc_service=SERVICE, grpc_method=method,
                  grpc_code=code)


def create(stub, metadata, **fields):
    fields.setdefault("name", "Ann")
    fields.setdefault("channel", "web")
    fields.setdefault("email", "ann@example.com")
    return stub.CreateLead(leads_pb2.CreateLeadRequest(**fields), metadata=metadata, timeout=5).lead


@pytest.fixture
def stub(leads_server):
    return LeadsServiceStub(leads_server().channel)


def test_call_without_token_is_unauthenticated(stub):
    before = handled("GetLead", "UNAUTHENTICATED")
    with pytest.raises(grpc.RpcError) as error:
        stub.GetLead(leads_pb2.GetLeadRequest(id="x"), timeout=5)
    assert error.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "Bearer" in error.value.details()
    assert handled("GetLead", "UNAUTHENTICATED") == before + 1


@pytest.mark.parametrize(
    "metadata",
    [
        [("authorization", "Bearer not-a-token")],
        [("authorization", "Basic dXNlcjpwdw==")],
        [("authorization", "Bearer " + mint_token(
            "another-key-of-at-least-thirty-two-characters", tenant_id="t1", subject="u1", roles=["admin"]))],
        [("authorization", "Bearer " + mint_token(
            TOKEN_KEY, tenant_id="t1", subject="u1", roles=["admin"], ttl_seconds=-10))],
    ],
    ids=["garbage", "basic-scheme", "wrong-key", "expired"],
)
def test_bad_token_is_unauthenticated(stub, metadata):
    with pytest.raises(grpc.RpcError) as error:
        create(stub, metadata)
    assert error.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_a_token_accepted_before_is_refused_once_it_has_expired(stub):
    """The interceptor remembers verified tokens; the memory ends with the token's validity."""
    import time

    import jwt

    token = mint_token(TOKEN_KEY, tenant_id="t1", subject="u1", roles=["sales"], ttl_seconds=2)
    metadata = [("authorization", "Bearer " + token)]
    create(stub, metadata)
    create(stub, metadata, email="ann2@example.com")  # answered from the memory
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    time.sleep(max(0.0, expires - time.time()) + 0.05)
    with pytest.raises(grpc.RpcError) as error:
        create(stub, metadata, email="ann3@example.com")
    assert error.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_invalid_argument_carries_field_violations(stub):
    before = handled("CreateLead", "INVALID_ARGUMENT")
    with pytest.raises(grpc.RpcError) as error:
        create(stub, bearer("sales"), name="", channel="", email="not-an-address")
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    status = rpc_status.from_call(error.value)
    assert status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    [detail] = status.details
    bad_request = error_details_pb2.BadRequest()
    assert detail.Unpack(bad_request)
    violations = {v.field: v.description for v in bad_request.field_violations}
    assert violations == {"name": "is required", "channel": "is required", "email": "is not an e-mail address"}
    assert "name: is required" in error.value.details()
    assert handled("CreateLead", "INVALID_ARGUMENT") == before + 1


def test_permission_denied_maps_to_its_code(stub):
    with pytest.raises(grpc.RpcError) as error:
        create(stub, bearer("auditor"))
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert rpc_status.from_call(error.value).details == []


def test_another_reps_lead_is_not_found(stub):
    lead = create(stub, bearer("sales", subject="rep-1"))
    assert lead.owner_id == "rep-1"

    got = stub.GetLead(leads_pb2.GetLeadRequest(id=lead.id), metadata=bearer("sales", subject="rep-1"), timeout=5)
    assert got.lead == lead

    before = handled("GetLead", "NOT_FOUND")
    with pytest.raises(grpc.RpcError) as error:
        stub.GetLead(leads_pb2.GetLeadRequest(id=lead.id), metadata=bearer("sales", subject="rep-2"), timeout=5)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND  # R-SEC-2: not even its existence leaks
    assert handled("GetLead", "NOT_FOUND") == before + 1

    # A see-all role reads it (a manager only their team's: tests/unit/services/test_leads_assignment.py).
    admin = stub.GetLead(leads_pb2.GetLeadRequest(id=lead.id), metadata=bearer("admin", subject="boss"), timeout=5)
    assert admin.lead.id == lead.id


def test_another_tenants_lead_is_not_found(stub):
    lead = create(stub, bearer("manager", tenant="t1"))
    with pytest.raises(grpc.RpcError) as error:
        stub.GetLead(leads_pb2.GetLeadRequest(id=lead.id), metadata=bearer("admin", tenant="t2"), timeout=5)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND  # R-SEC-4


class ExplodingLeads(LeadsApi):
    def GetLead(self, request, context):  # noqa: N802, ANN001, ANN201
        raise KeyError("SELECT secret FROM /srv/internal/path.py line 42")


def test_unexpected_exception_is_internal_without_details(leads_server):
    stub = LeadsServiceStub(leads_server(ExplodingLeads).channel)
    before = handled("GetLead", "INTERNAL")
    with pytest.raises(grpc.RpcError) as error:
        stub.GetLead(leads_pb2.GetLeadRequest(id="x"), metadata=bearer("manager"), timeout=5)
    assert error.value.code() == grpc.StatusCode.INTERNAL
    details = error.value.details()
    assert re.fullmatch(r"internal error \(ref [0-9a-f-]{36}\)", details)
    everything = details + repr(error.value.trailing_metadata()) + repr(error.value.debug_error_string())
    for leaked in ("secret", "Traceback", "path.py", "KeyError"):
        assert leaked not in everything
    assert handled("GetLead", "INTERNAL") == before + 1


def test_successful_calls_are_counted_as_ok(stub):
    before = handled("CreateLead", "OK")
    create(stub, bearer("sales"))
    create(stub, bearer("sales"))
    assert handled("CreateLead", "OK") == before + 2
    assert sample("grpc_server_handling_seconds_count", grpc_type="unary", grpc_service=SERVICE,
                  grpc_method="CreateLead") >= 2


def test_health_starts_not_serving_and_answers_without_token(leads_server):
    server = leads_server()
    health = health_pb2_grpc.HealthStub(server.channel)

    for name in ("", SERVICE):
        reply = health.Check(health_pb2.HealthCheckRequest(service=name), timeout=5)
        assert reply.status == health_pb2.HealthCheckResponse.NOT_SERVING

    server.health.set(SERVICE, health_pb2.HealthCheckResponse.SERVING)
    assert health.Check(health_pb2.HealthCheckRequest(service=SERVICE), timeout=5).status == \
        health_pb2.HealthCheckResponse.SERVING


def test_reflection_lists_the_service_without_token(leads_server):
    stub = reflection_pb2_grpc.ServerReflectionStub(leads_server().channel)
    responses = list(stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]),
                                               timeout=5))
    names = {service.name for service in responses[0].list_services_response.service}
    assert {SERVICE, "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"} <= names


def test_reflection_describes_the_api(leads_server):
    stub = reflection_pb2_grpc.ServerReflectionStub(leads_server().channel)
    [response] = stub.ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(file_containing_symbol=SERVICE)]), timeout=5
    )
    assert response.file_descriptor_response.file_descriptor_proto
