"""Security through the REST API (issue #6, R-SEC-2): a rep cannot reach another rep's lead through REST, through
gRPC with their own token, or by guessing ids; a tenant never sees another tenant's data through any endpoint;
an API key acts in its own tenant only; wrong and revoked keys get 401."""

from __future__ import annotations

import json

import grpc
import pytest

from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.gateway import accounts
from services.gateway.rest.routes import ROUTES
from tests.unit.gateway.conftest import TENANT, api_key_headers
from tests.unit.gateway.test_rest_api import LEAD

SECRETS = ("zs@example.com", "张三", "蓝海软件", "CRM 2027")  # what acme's records hold (tenant_data)
ALL_ROLES = ("sales", "service_agent", "marketing", "manager", "admin", "auditor")


def test_rep_a_cannot_read_or_change_rep_bs_lead_through_rest_grpc_or_guessed_ids(services_gateway):
    client = services_gateway.test_client()
    rep_a, rep_b = api_key_headers(services_gateway, "rep-a"), api_key_headers(services_gateway, "rep-b")
    lead = client.post("/api/v1/leads", json=LEAD, headers=rep_b).get_json()["lead"]
    for path in ("", "/score", "/score-history", "/follow-ups", "/ownership"):
        answer = client.get(f"/api/v1/leads/{lead['id']}{path}", headers=rep_a)
        assert answer.status_code in (403, 404), (path, answer.get_json())
        assert answer.mimetype == "application/problem+json" and "zs@example.com" not in answer.get_data(as_text=True)
    for path, body in (("/follow-ups", {"kind": "note", "content": "mine now"}), ("/release", {"note": "bye"}),
                       ("/claim", {}), ("/assign", {"owner_id": "rep-a"}),
                       ("/reminders", {"when": {"at": "2030-01-01T09:00:00Z"}, "note": "x"})):
        change = client.post(f"/api/v1/leads/{lead['id']}{path}", json=body, headers=rep_a)
        assert change.status_code in (400, 403, 404, 409), (path, change.get_json())
    assert lead["id"] not in client.get("/api/v1/leads", headers=rep_a).get_data(as_text=True)
    assert client.get(f"/api/v1/leads/{lead['id']}", headers=rep_b).get_json()["lead"] == lead  # unchanged
    assert client.get(f"/api/v1/leads/{lead['id']}/follow-ups", headers=rep_b).get_json()["follow_ups"] == []

    # Straight to the leads service over gRPC with a token minted for rep A: the service enforces it too.
    leads = services_gateway.extensions["crm.services"]["leads"]
    stub = leads_pb2_grpc.LeadsServiceStub(leads.channel)
    as_rep_a = leads.metadata("sales", tenant=TENANT, subject="rep-a")
    with pytest.raises(grpc.RpcError) as refused:
        stub.GetLead(leads_pb2.GetLeadRequest(id=lead["id"]), metadata=as_rep_a)
    assert refused.value.code() in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.NOT_FOUND)
    with pytest.raises(grpc.RpcError) as refused:
        stub.AddFollowUp(leads_pb2.AddFollowUpRequest(lead_id=lead["id"], kind="note", content="x"),
                         metadata=as_rep_a)
    assert refused.value.code() in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.NOT_FOUND)
    assert lead["id"] not in str(stub.ListLeads(leads_pb2.ListLeadsRequest(), metadata=as_rep_a))

    # Guessed ids: neighbours of a real (time-ordered) id, and plain junk.
    for guess in (lead["id"][:-4] + "0000", lead["id"][:-1] + ("1" if lead["id"][-1] != "1" else "2"),
                  "1", "../leads", "' OR 1=1 --"):
        assert client.get(f"/api/v1/leads/{guess}", headers=rep_a).status_code in (400, 403, 404)


@pytest.fixture
def tenant_data(services_gateway):
    """Records of tenant acme in every service that takes them through REST: {kind: id}."""
    client = services_gateway.test_client()
    admin = api_key_headers(services_gateway, "boss", roles=ALL_ROLES)
    ids = {}
    lead = client.post("/api/v1/leads", json={**LEAD, "owner_id": "boss"}, headers=admin)
    ids["lead"] = lead.get_json()["lead"]["id"]
    follow_up = client.post(f"/api/v1/leads/{ids['lead']}/follow-ups", json={"kind": "call", "content": "ok"},
                            headers=admin)
    assert follow_up.status_code == 201, follow_up.get_json()
    ids["follow_up"] = follow_up.get_json()["follow_up"]["id"]
    account = client.post("/api/v1/accounts", json={"name": "蓝海软件"}, headers=admin)
    assert account.status_code == 201, account.get_json()
    ids["account"] = account.get_json()["account"]["id"]
    opportunity = client.post("/api/v1/opportunities", json={"name": "CRM 2027", "account_id": ids["account"]},
                              headers=admin)
    assert opportunity.status_code == 201, opportunity.get_json()
    ids["opportunity"] = opportunity.get_json()["opportunity"]["id"]
    contact = client.post(f"/api/v1/accounts/{ids['account']}/contacts", json={"name": "王芳"}, headers=admin)
    assert contact.status_code == 201, contact.get_json()
    ids["contact"] = contact.get_json()["contact"]["id"]
    activity = client.post("/api/v1/activities", json={"kind": "call", "subject": "首次通话",
                                                        "opportunity_id": ids["opportunity"]}, headers=admin)
    assert activity.status_code == 201, activity.get_json()
    ids["activity"] = activity.get_json()["activity"]["id"]
    task = client.post("/api/v1/tasks", json={"title": "发报价", "opportunity_id": ids["opportunity"],
                                              "due_time": "2030-01-02T03:00:00Z"}, headers=admin)
    assert task.status_code == 201, task.get_json()
    ids["task"] = task.get_json()["task"]["id"]
    return ids


def _fill(path: str, value: str) -> str:
    for name in ("id", "lead_id", "customer_id", "job_id", "contract_id", "reminder_id", "account_id"):
        path = path.replace("{" + name + "}", value)
    return path


def test_a_tenant_never_sees_another_tenants_data_through_any_endpoint(services_gateway, tenant_data):
    client = services_gateway.test_client()
    theirs = api_key_headers(services_gateway, "boss", roles=ALL_ROLES, tenant="other")  # same subject, too
    ours = api_key_headers(services_gateway, "boss", roles=ALL_ROLES)
    assert tenant_data["lead"] in client.get("/api/v1/leads", headers=ours).get_data(as_text=True)
    seen = []
    for route in ROUTES:
        if route.http_method != "GET":
            continue
        paths = [_fill(route.path, value) for value in tenant_data.values()] if route.path_params else [route.path]
        for path in paths:
            answer = client.get(path, headers=theirs)
            text = answer.get_data(as_text=True)
            # A 404 may repeat the id asked for; nothing else of acme's may show.
            assert not any(value in text for value in [*tenant_data.values(), *SECRETS] if value not in path), (
                path, text)
            assert answer.status_code < 500, (path, text)
            if route.path_params and answer.status_code == 200:  # only a listing that came back empty
                assert route.rpc.startswith("List") or route.rpc == "GetConsent", (path, text)
                assert not [value for value in answer.get_json().values() if isinstance(value, list) and value]
            seen.append(path)
    for route in ROUTES:  # nor change it
        if route.http_method == "POST" and route.path_params:
            for value in tenant_data.values():
                answer = client.post(_fill(route.path, value), json={}, headers=theirs)
                assert answer.status_code in (400, 403, 404, 409), (route.path, answer.get_json())
        elif route.http_method not in ("GET", "POST"):  # PATCH: a valid change of a record that is not theirs
            body = {"UpdateContact": {"name": "x"}, "UpdateActivity": {"subject": "x"},
                    "UpdateTask": {"title": "x"}}[route.rpc]
            for value in tenant_data.values():
                answer = client.open(_fill(route.path, value), method=route.http_method, json=body, headers=theirs)
                assert answer.status_code == 404, (route.path, answer.get_json())
    # The same change is one the owner tenant may make: the 404s above were about the tenant, not the body.
    own = client.patch(f"/api/v1/contacts/{tenant_data['contact']}", json={"name": "王芳芳"}, headers=ours)
    assert own.status_code == 200 and own.get_json()["contact"]["name"] == "王芳芳", own.get_json()
    assert client.get(f"/api/v1/leads/{tenant_data['lead']}/follow-ups", headers=ours).get_json()["follow_ups"][0][
        "id"] == tenant_data["follow_up"]
    assert json.loads(client.get(f"/api/v1/leads/{tenant_data['lead']}", headers=ours).get_data())["lead"][
        "owner_id"] == "boss"
    assert len(seen) > 40


def test_an_api_key_acts_in_its_own_tenant_only(services_gateway):
    client = services_gateway.test_client()
    acme, other = api_key_headers(services_gateway, "rep-a"), api_key_headers(services_gateway, "rep-a",
                                                                               tenant="other")
    lead_id = client.post("/api/v1/leads", json=LEAD, headers=other).get_json()["lead"]["id"]
    assert client.get(f"/api/v1/leads/{lead_id}", headers=other).status_code == 200
    assert client.get(f"/api/v1/leads/{lead_id}", headers=acme).status_code == 404
    assert client.get("/api/v1/leads", headers=acme).get_json()["leads"] == []
    leads = services_gateway.extensions["crm.services"]["leads"]  # the lead lives in the key's tenant
    stub = leads_pb2_grpc.LeadsServiceStub(leads.channel)
    assert stub.GetLead(leads_pb2.GetLeadRequest(id=lead_id), metadata=leads.metadata(
        "sales", tenant="other", subject="rep-a")).lead.owner_id == "rep-a"
    with pytest.raises(grpc.RpcError) as refused:
        stub.GetLead(leads_pb2.GetLeadRequest(id=lead_id), metadata=leads.metadata("admin", tenant=TENANT))
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND


def test_no_key_a_wrong_key_and_a_revoked_key_get_401_problems(services_gateway):
    client = services_gateway.test_client()
    headers = api_key_headers(services_gateway, "rep-a")
    key = headers["Authorization"].split()[1]
    assert client.get("/api/v1/leads", headers={"X-API-Key": key}).status_code == 200  # the other header
    for wrong in ({}, {"Authorization": "Bearer crm_nope"}, {"Authorization": f"Bearer {key[:-2]}xx"},
                  {"X-API-Key": key + "x"}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        answer = client.get("/api/v1/leads", headers=wrong)
        assert answer.status_code == 401 and answer.mimetype == "application/problem+json", wrong
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    with services_gateway.extensions["crm.database"].session(TENANT) as session:
        accounts.revoke_api_key(session, key_id=accounts.parse_api_key(key)[0])
    revoked = client.post("/api/v1/leads", json=LEAD, headers=headers)
    assert revoked.status_code == 401 and revoked.mimetype == "application/problem+json"
