"""The REST API over the services (issue #6 item 1): transcoding, problem details, paging, idempotency, rate
limits, and the security rules seen through REST, gRPC and guessed ids."""

from __future__ import annotations

import grpc
import pytest
from openapi_spec_validator import validate

from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.gateway import accounts
from tests.unit.gateway.conftest import TENANT, _app, logged_in

LEAD = {"name": "张三", "company": "蓝海软件", "email": "zs@example.com", "channel": "Referral"}


def api_key(app, subject: str, roles=("sales",), tenant: str = TENANT) -> dict[str, str]:
    with app.extensions["crm.database"].session(tenant) as session:
        issued = accounts.create_api_key(session, name=f"key-{subject}", roles=list(roles), created_by="test",
                                         subject=subject)
    return {"Authorization": f"Bearer {issued.key}"}


def test_a_lead_created_through_rest_reads_back_and_lists_with_a_next_link(services_gateway):
    client, rep = services_gateway.test_client(), api_key(services_gateway, "rep-a")
    created = client.post("/api/v1/leads", json=LEAD, headers=rep)
    assert created.status_code == 201, created.get_json()
    lead = created.get_json()["lead"]
    assert lead["name"] == "张三" and lead["owner_id"] == "rep-a"
    assert client.get(f"/api/v1/leads/{lead['id']}", headers=rep).get_json()["lead"]["id"] == lead["id"]
    client.post("/api/v1/leads", json={**LEAD, "email": "ls@example.com", "name": "李四"}, headers=rep)
    first = client.get("/api/v1/leads?page_size=1", headers=rep)
    assert len(first.get_json()["leads"]) == 1
    next_url = first.headers["Link"].split(";")[0].strip("<>")
    second = client.get(next_url.replace("http://localhost", ""), headers=rep)
    assert second.status_code == 200
    assert {first.get_json()["leads"][0]["id"], second.get_json()["leads"][0]["id"]} == {
        lead["id"], *[x["id"] for x in second.get_json()["leads"]]} | {first.get_json()["leads"][0]["id"]}
    assert first.get_json()["leads"][0]["id"] != second.get_json()["leads"][0]["id"]


def test_bad_input_gets_problem_details_with_field_violations(services_gateway):
    client, rep = services_gateway.test_client(), api_key(services_gateway, "rep-a")
    bad = client.post("/api/v1/leads", json={"name": "", "email": "x", "channel": ""}, headers=rep)
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"
    assert {"name", "channel"} <= {v["field"] for v in bad.get_json()["errors"]}
    unknown_field = client.post("/api/v1/leads", json={**LEAD, "colour": "red"}, headers=rep)
    assert unknown_field.status_code == 400 and "colour" in unknown_field.get_json()["detail"]
    assert client.get("/api/v1/leads?colour=red", headers=rep).status_code == 400
    assert client.get("/api/v1/leads?page_size=many", headers=rep).status_code == 400
    not_json = client.post("/api/v1/leads", data="name=x", headers={**rep, "Content-Type": "text/plain"})
    assert not_json.status_code == 415
    missing = client.get("/api/v1/nothing-here", headers=rep)
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert client.delete("/api/v1/leads", headers=rep).status_code == 405


def test_rep_a_cannot_reach_rep_bs_lead_through_rest_grpc_or_guessed_ids(services_gateway):
    client = services_gateway.test_client()
    rep_a, rep_b = api_key(services_gateway, "rep-a"), api_key(services_gateway, "rep-b")
    lead_id = client.post("/api/v1/leads", json=LEAD, headers=rep_b).get_json()["lead"]["id"]
    assert client.get(f"/api/v1/leads/{lead_id}", headers=rep_a).status_code in (403, 404)
    change = client.post(f"/api/v1/leads/{lead_id}/follow-ups", json={"kind": "note", "content": "mine now"},
                         headers=rep_a)
    assert change.status_code in (403, 404)
    assert lead_id not in {lead["id"] for lead in client.get("/api/v1/leads", headers=rep_a).get_json().get(
        "leads", [])}
    leads = services_gateway.extensions["crm.services"]["leads"]
    with pytest.raises(grpc.RpcError) as refused:
        leads_pb2_grpc.LeadsServiceStub(leads.channel).GetLead(
            leads_pb2.GetLeadRequest(id=lead_id), metadata=leads.metadata("sales", tenant=TENANT, subject="rep-a"))
    assert refused.value.code() in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.NOT_FOUND)
    guessed = lead_id[:-4] + ("0000" if not lead_id.endswith("0000") else "1111")
    assert client.get(f"/api/v1/leads/{guessed}", headers=rep_a).status_code in (403, 404)


def test_a_tenant_never_sees_another_tenants_data(services_gateway):
    client = services_gateway.test_client()
    ours = api_key(services_gateway, "m-1", roles=("manager", "admin"))
    theirs = api_key(services_gateway, "m-9", roles=("manager", "admin"), tenant="other")
    lead_id = client.post("/api/v1/leads", json={**LEAD, "owner_id": "m-1"}, headers=ours).get_json()["lead"]["id"]
    assert client.get(f"/api/v1/leads/{lead_id}", headers=theirs).status_code == 404
    assert client.get("/api/v1/leads", headers=theirs).get_json().get("leads", []) == []


def test_no_key_a_wrong_key_and_a_revoked_key_get_401(services_gateway):
    client = services_gateway.test_client()
    assert client.get("/api/v1/leads").status_code == 401
    assert client.get("/api/v1/leads", headers={"Authorization": "Bearer crm_nope"}).status_code == 401
    headers = api_key(services_gateway, "rep-a")
    key_id = accounts.parse_api_key(headers["Authorization"].split()[1])[0]
    with services_gateway.extensions["crm.database"].session(TENANT) as session:
        accounts.revoke_api_key(session, key_id=key_id)
    answer = client.get("/api/v1/leads", headers=headers)
    assert answer.status_code == 401 and answer.mimetype == "application/problem+json"


def test_an_idempotency_key_replays_the_first_answer_and_refuses_another_body(services_gateway):
    client, rep = services_gateway.test_client(), api_key(services_gateway, "rep-a")
    headers = {**rep, "Idempotency-Key": "order-42"}
    first = client.post("/api/v1/leads", json=LEAD, headers=headers)
    again = client.post("/api/v1/leads", json=LEAD, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["lead"]["id"] == first.get_json()["lead"]["id"]
    assert len(client.get("/api/v1/leads", headers=rep).get_json()["leads"]) == 1
    other = client.post("/api/v1/leads", json={**LEAD, "name": "王五"}, headers=headers)
    assert other.status_code == 422


def test_a_browser_session_needs_the_csrf_header_for_changes(services_gateway, make_user):
    services_gateway.config["WTF_CSRF_ENABLED"] = True
    client = services_gateway.test_client()
    logged_in(services_gateway, client, make_user("rep-a", ("sales",)))
    assert client.get("/api/v1/leads").status_code == 200
    refused = client.post("/api/v1/leads", json=LEAD)
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"


def test_each_principal_has_a_rate_limit(services_gateway, tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_API_RATE_LIMIT", "3 per minute")
    services = services_gateway.extensions["crm.services"]
    app = _app(tmp_path / "limited", monkeypatch, {name: s.address for name, s in services.items()})
    client, rep, other = app.test_client(), api_key(app, "rep-a"), api_key(app, "rep-b")
    answers = [client.get("/api/v1/leads", headers=rep).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = client.get("/api/v1/leads", headers=rep)
    assert limited.mimetype == "application/problem+json" and limited.headers["Retry-After"]
    assert client.get("/api/v1/leads", headers=other).status_code == 200  # someone else's budget


def test_the_openapi_document_is_valid_and_describes_every_route(services_gateway):
    document = services_gateway.test_client().get("/openapi.json").get_json()
    validate(document)
    assert document["paths"]["/api/v1/leads"]["post"]["responses"]["201"]
    lead = document["components"]["schemas"]["crm.leads.v1.Lead"]["properties"]
    assert lead["create_time"] == {"type": "string", "format": "date-time"}
    assert services_gateway.test_client().get("/api/docs").status_code == 200
    assert services_gateway.test_client().get("/api/docs/assets/swagger-ui-bundle.js").status_code == 200
