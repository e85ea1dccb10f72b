"""The REST API over the services (issue #6 item 1): transcoding, problem details, paging, idempotency keys,
rate limits, CSRF for browser sessions, the OpenAPI document and its docs page. Security: test_rest_security.py;
admin endpoints: test_rest_admin.py; the schemathesis run: test_rest_schemathesis.py."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from itsdangerous import URLSafeTimedSerializer
from openapi_spec_validator import OpenAPIV31SpecValidator

from services.core.db import utcnow
from services.core.kernel_models import KernelBase
from services.gateway.models import Base, IdempotencyRecord
from services.gateway.rest.routes import ROUTES
from tests.unit.gateway.conftest import TENANT, api_key_headers, logged_in

LEAD = {"name": "张三", "company": "蓝海软件", "email": "zs@example.com", "channel": "Referral"}


@pytest.fixture
def rep(services_gateway):
    return api_key_headers(services_gateway, "rep-a")


def test_a_lead_created_through_rest_reads_back_and_lists_page_by_page_with_a_next_link(services_gateway, rep):
    client = services_gateway.test_client()
    created = client.post("/api/v1/leads", json=LEAD, headers=rep)
    assert created.status_code == 201, created.get_json()
    lead = created.get_json()["lead"]
    assert lead["name"] == "张三" and lead["owner_id"] == "rep-a"  # proto field names, the key's subject owns it
    assert lead["phone"] == ""  # defaults are present: every reply of a kind has the same shape
    read = client.get(f"/api/v1/leads/{lead['id']}", headers=rep)
    assert read.get_json()["lead"] == lead and read.headers["Cache-Control"] == "no-store"
    for number in range(2):
        client.post("/api/v1/leads", json={**LEAD, "email": f"p{number}@example.com", "name": f"P{number}"},
                    headers=rep)
    seen, url, pages = [], "/api/v1/leads?page_size=2&order=LEAD_ORDER_CREATE_TIME_ASC", 0
    while url:
        page = client.get(url, headers=rep)
        assert page.status_code == 200, page.get_json()
        seen += [item["name"] for item in page.get_json()["leads"]]
        link = page.headers.get("Link")
        assert bool(link) == bool(page.get_json()["page"]["next_page_token"])
        url = link.split(";")[0].strip("<>").removeprefix("http://localhost") if link else None
        assert url is None or "order=LEAD_ORDER_CREATE_TIME_ASC" in url  # the same query, the next token
        pages += 1
    assert seen == ["张三", "P0", "P1"] and pages == 2


def test_query_parameters_fill_enums_nested_fields_and_refuse_what_the_request_lacks(services_gateway):
    client = services_gateway.test_client()
    manager = api_key_headers(services_gateway, "m-1", roles=("manager",))
    intake = client.get("/api/v1/lead-intake?start_date.year=2026&start_date.month=1&start_date.day=1"
                        "&end_date.year=2026&end_date.month=1&end_date.day=31", headers=manager)
    assert intake.status_code == 200, intake.get_json()
    assert client.get("/api/v1/leads?pool=POOL_FILTER_IN_POOL", headers=manager).status_code == 200
    wrong_enum = client.get("/api/v1/leads?order=BIGGEST_FIRST", headers=manager)
    assert wrong_enum.status_code == 400 and wrong_enum.get_json()["errors"][0]["field"] == "order"
    assert client.get("/api/v1/forecast?in_tenant_currency=maybe", headers=manager).status_code == 400
    assert client.get("/api/v1/leads?page_size=many", headers=manager).get_json()["errors"] == [
        {"field": "page_size", "message": "must be a number"}]
    assert client.get("/api/v1/leads?page_size=99999999999", headers=manager).status_code == 400
    assert client.get("/api/v1/leads?colour=red", headers=manager).status_code == 400
    assert client.get("/api/v1/lead-intake?start_date=2026", headers=manager).status_code == 400


def test_errors_are_problem_details_with_field_violations_in_the_callers_language(services_gateway, rep):
    client = services_gateway.test_client()
    bad = client.post("/api/v1/leads", json={"name": "", "email": "x", "channel": ""}, headers=rep)
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"
    assert bad.get_json()["title"] == "Bad Request" and bad.get_json()["code"] == "INVALID_ARGUMENT"
    assert {"name", "channel"} <= {v["field"] for v in bad.get_json()["errors"]}
    in_chinese = client.post("/api/v1/leads", json={"name": ""}, headers={**rep, "Accept-Language": "zh-CN"})
    assert "必填" in {v["field"]: v["message"] for v in in_chinese.get_json()["errors"]}["name"]
    unknown_field = client.post("/api/v1/leads", json={**LEAD, "colour": "red"}, headers=rep)
    assert unknown_field.status_code == 400 and "colour" in unknown_field.get_json()["detail"]
    mistyped = client.post("/api/v1/leads", json={**LEAD, "name": ["a", "b"]}, headers=rep)
    assert mistyped.status_code == 400 and mistyped.mimetype == "application/problem+json"
    assert client.post("/api/v1/leads", data="{not json", headers={**rep, "Content-Type": "application/json"}
                       ).status_code == 400
    assert client.post("/api/v1/leads", json=["a list"], headers=rep).status_code == 400
    assert client.post("/api/v1/leads", data="name=x", headers={**rep, "Content-Type": "text/plain"}
                       ).status_code == 415
    lead_id = client.post("/api/v1/leads", json=LEAD, headers=rep).get_json()["lead"]["id"]
    assert client.post(f"/api/v1/leads/{lead_id}/follow-ups", json={"lead_id": "another", "kind": "note"},
                       headers=rep).status_code == 400  # the body may not point elsewhere than the path
    missing = client.get("/api/v1/nothing-here", headers=rep)
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    not_allowed = client.delete("/api/v1/leads", headers=rep)
    assert not_allowed.status_code == 405 and not_allowed.mimetype == "application/problem+json"
    assert set(not_allowed.headers["Allow"].split(", ")) >= {"GET", "POST"}
    services_gateway.config["MAX_CONTENT_LENGTH"] = 100
    too_large = client.post("/api/v1/leads", json={**LEAD, "company": "x" * 200}, headers=rep)
    assert too_large.status_code == 413 and too_large.mimetype == "application/problem+json"
    assert client.get("/login").mimetype == "text/html"  # the console keeps its pages


def test_an_unexpected_error_is_a_500_problem_without_a_stack_trace(services_gateway, rep):
    services_gateway.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    def broken(service):  # noqa: ANN001, ANN202
        raise RuntimeError("internal detail: /srv/secret.py line 42")

    services_gateway.extensions["crm.backends"] = broken
    answer = services_gateway.test_client().get("/api/v1/leads", headers=rep)
    assert answer.status_code == 500 and answer.mimetype == "application/problem+json"
    assert "secret" not in answer.get_data(as_text=True) and "Traceback" not in answer.get_data(as_text=True)


def test_an_idempotency_key_replays_the_first_answer_and_refuses_another_body(services_gateway, rep):
    client = services_gateway.test_client()
    headers = {**rep, "Idempotency-Key": "order-42"}
    first = client.post("/api/v1/leads", json=LEAD, headers=headers)
    again = client.post("/api/v1/leads", data='{"channel": "Referral", "email": "zs@example.com", "name": "张三",'
                        ' "company": "蓝海软件"}', headers={**headers, "Content-Type": "application/json"})
    assert first.status_code == again.status_code == 201 and "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"  # the same JSON, keys in another order
    assert again.get_json() == first.get_json()
    assert len(client.get("/api/v1/leads", headers=rep).get_json()["leads"]) == 1
    other = client.post("/api/v1/leads", json={**LEAD, "name": "王五"}, headers=headers)
    assert other.status_code == 422 and other.mimetype == "application/problem+json"
    someone_else = api_key_headers(services_gateway, "rep-b")  # keys are per principal
    assert client.post("/api/v1/leads", json={**LEAD, "name": "王五"},
                       headers={**someone_else, "Idempotency-Key": "order-42"}).status_code == 201
    assert client.post("/api/v1/leads", json=LEAD, headers={**rep, "Idempotency-Key": "k" * 201}
                       ).status_code == 400


def _records(app):  # noqa: ANN001, ANN202
    return app.extensions["crm.database"].session(TENANT)


def test_a_concurrent_duplicate_gets_409_while_the_first_is_in_flight(services_gateway, rep):
    backends, inside, release = services_gateway.extensions["crm.backends"], threading.Event(), threading.Event()

    class SlowLeads:  # the leads stub, holding CreateLead until the duplicate has been answered
        def __init__(self, stub):  # noqa: ANN001
            self.stub = stub

        def __getattr__(self, name: str):  # noqa: ANN204
            return getattr(self.stub, name)

        def CreateLead(self, message):  # noqa: ANN001, ANN201, N802
            inside.set()
            release.wait(10)
            return self.stub.CreateLead(message)

    services_gateway.extensions["crm.backends"] = lambda service: SlowLeads(backends(service))
    answers = {}

    def first() -> None:
        answers["first"] = services_gateway.test_client().post(
            "/api/v1/leads", json=LEAD, headers={**rep, "Idempotency-Key": "k1"}).status_code

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(10)
    busy = services_gateway.test_client().post("/api/v1/leads", json=LEAD, headers={**rep, "Idempotency-Key": "k1"})
    release.set()
    thread.join(10)
    assert busy.status_code == 409 and busy.mimetype == "application/problem+json"
    assert answers["first"] == 201
    replay = services_gateway.test_client().post("/api/v1/leads", json=LEAD, headers={**rep, "Idempotency-Key": "k1"})
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"


def test_a_key_left_in_flight_by_a_crash_is_taken_over_and_keys_expire_after_a_day(services_gateway, rep):
    client = services_gateway.test_client()
    assert client.post("/api/v1/leads", json=LEAD, headers={**rep, "Idempotency-Key": "k1"}).status_code == 201
    with _records(services_gateway) as session:  # as if the gateway had died before storing the answer
        record = session.query(IdempotencyRecord).filter_by(key="k1").one()
        record.status, record.body, record.created_at = None, None, utcnow() - timedelta(minutes=1)
    assert client.post("/api/v1/leads", json=LEAD, headers={**rep, "Idempotency-Key": "k1"}).status_code == 409
    with _records(services_gateway) as session:
        session.query(IdempotencyRecord).filter_by(key="k1").one().created_at = utcnow() - timedelta(minutes=6)
    taken_over = client.post("/api/v1/leads", json=LEAD, headers={**rep, "Idempotency-Key": "k1"})
    assert taken_over.status_code == 201 and "Idempotent-Replayed" not in taken_over.headers, taken_over.get_json()
    with _records(services_gateway) as session:
        session.query(IdempotencyRecord).filter_by(key="k1").one().created_at = utcnow() - timedelta(hours=25)
    other_body = {**LEAD, "email": "again@example.com"}  # a key still remembered would answer 422
    assert client.post("/api/v1/leads", json=other_body, headers={**rep, "Idempotency-Key": "k1"}).status_code == 201


def test_a_failed_call_does_not_burn_its_idempotency_key(services_gateway, rep):
    client = services_gateway.test_client()
    backends = services_gateway.extensions["crm.backends"]
    real = backends.settings.peer_addrs["leads"]
    backends.settings.peer_addrs["leads"] = "127.0.0.1:9"  # nothing listens: UNAVAILABLE
    backends.close()
    down = client.post("/api/v1/leads", json=LEAD, headers={**rep, "Idempotency-Key": "k2"})
    assert down.status_code == 503 and down.mimetype == "application/problem+json"
    backends.settings.peer_addrs["leads"] = real
    backends.close()
    assert client.post("/api/v1/leads", json=LEAD, headers={**rep, "Idempotency-Key": "k2"}).status_code == 201


def _csrf_token(app, client) -> str:  # noqa: ANN001
    """What a console page embeds (Flask-WTF: a random value in the session, signed in the page)."""
    with client.session_transaction() as session:
        session["csrf_token"] = "0" * 40
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps("0" * 40)


def test_a_browser_session_acts_as_its_user_and_needs_the_csrf_header_for_changes(services_gateway, make_user):
    services_gateway.config["WTF_CSRF_ENABLED"] = True
    client = services_gateway.test_client()
    logged_in(services_gateway, client, make_user("rep-a", ("sales",)))
    assert client.get("/api/v1/leads").status_code == 200
    refused = client.post("/api/v1/leads", json=LEAD)
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    created = client.post("/api/v1/leads", json=LEAD, headers={"X-CSRFToken": _csrf_token(services_gateway, client)})
    assert created.status_code == 201 and created.get_json()["lead"]["owner_id"] == "rep-a"
    # An API key needs no CSRF token: it is not sent by browsers on their own.
    assert client.post("/api/v1/leads", json={**LEAD, "email": "k@example.com"},
                       headers=api_key_headers(services_gateway, "rep-a")).status_code == 201


def test_each_principal_has_a_rate_limit_answered_with_a_problem_and_retry_after(services_gateway):
    services_gateway.config["API_RATE_LIMIT"] = "3 per minute"
    client = services_gateway.test_client()
    rep, other = api_key_headers(services_gateway, "rep-a"), api_key_headers(services_gateway, "rep-b")
    assert [client.get("/api/v1/leads", headers=rep).status_code for _ in range(4)] == [200, 200, 200, 429]
    limited = client.post("/api/v1/leads", json=LEAD, headers=rep)
    assert limited.status_code == 429 and limited.mimetype == "application/problem+json"
    assert 1 <= int(limited.headers["Retry-After"]) <= 61
    assert client.get("/api/v1/leads", headers=other).status_code == 200  # someone else's budget
    assert client.get("/openapi.json").status_code == 200  # the document is not counted


def test_the_openapi_document_is_valid_openapi_3_1_generated_from_the_contracts(services_gateway):
    client = services_gateway.test_client()
    document = client.get("/openapi.json").get_json()
    OpenAPIV31SpecValidator(document).validate()
    assert document["openapi"] == "3.1.0"
    assert {(path, method.upper()) for path, item in document["paths"].items() for method in item} >= {
        (route.path, route.http_method) for route in ROUTES}
    create = document["paths"]["/api/v1/leads"]["post"]
    assert create["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/crm.leads.v1.CreateLeadResponse"}
    assert "Idempotency-Key" in {p["name"] for p in create["parameters"]}
    schemas = document["components"]["schemas"]
    lead = schemas["crm.leads.v1.Lead"]["properties"]
    assert lead["create_time"] == {"type": "string", "format": "date-time"}
    assert schemas["crm.leads.v1.ListLeadsResponse"]["properties"]["leads"] == {
        "type": "array", "items": {"$ref": "#/components/schemas/crm.leads.v1.Lead"}}
    assert schemas["crm.leads.v1.GetLeadScoreResponse"]["properties"]["behaviour_counts"] == {
        "type": "object", "additionalProperties": {"type": "string", "format": "int64", "pattern": "^-?[0-9]+$"}}
    listing = document["paths"]["/api/v1/leads"]["get"]
    parameters = {p["name"]: p["schema"] for p in listing["parameters"]}
    assert {"page_size", "page_token", "status", "order"} <= set(parameters)
    assert "LEAD_ORDER_SCORE_DESC" in parameters["order"]["enum"]
    assert "Link" in listing["responses"]["200"]["headers"]
    intake = {p["name"] for p in document["paths"]["/api/v1/lead-intake"]["get"]["parameters"]}
    assert {"start_date.year", "end_date.day"} <= intake
    follow_up_body = document["paths"]["/api/v1/leads/{lead_id}/follow-ups"]["post"]["requestBody"]
    assert "lead_id" not in schemas[follow_up_body["content"]["application/json"]["schema"]["$ref"].split("/")[-1]][
        "properties"]  # a path parameter is not in the body
    assert document["paths"]["/api/v1/leads/{id}"]["get"]["responses"]["404"] == {
        "$ref": "#/components/responses/NotFound"}
    assert set(document["components"]["securitySchemes"]) == {"apiKey", "session"}
    assert {"leads", "identity", "sales", "admin"} <= {tag["name"] for tag in document["tags"]}


def test_the_docs_page_serves_swagger_ui_from_the_package_with_no_inline_script(services_gateway):
    client = services_gateway.test_client()
    page = client.get("/api/docs")
    assert page.status_code == 200 and "default-src 'self'" in page.headers["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    assert "<script>" not in html and 'src="/static/api_docs.js"' in html
    assert client.get("/api/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert "/openapi.json" in client.get("/static/api_docs.js").get_data(as_text=True)


def test_the_gateway_migrations_build_the_tables_its_models_declare(gateway_app):
    with gateway_app.extensions["crm.database"].engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, [Base.metadata, KernelBase.metadata]) == []


def test_the_public_form_answers_json_errors_with_the_same_problem_details_as_the_api(services_gateway):
    from crm.leads.v1 import leads_pb2, leads_pb2_grpc

    leads = services_gateway.extensions["crm.services"]["leads"]
    admin = leads.metadata("admin", tenant=TENANT)
    form = leads_pb2_grpc.LeadsServiceStub(leads.channel).CreateWebForm(
        leads_pb2.CreateWebFormRequest(name="Contact us", channel="Website"), metadata=admin).form
    client = services_gateway.test_client()
    url = f"/t/{TENANT}/forms/{form.key}"
    refused = client.post(url, json={"name": "Ann", "email": "not-an-address"}, headers={"Accept-Language": "zh-CN"})
    body = refused.get_json()
    assert refused.status_code == 400 and refused.mimetype == "application/problem+json"
    assert (body["title"], body["code"]) == ("Bad Request", "INVALID_ARGUMENT")  # as rpc_problem answers under /api
    assert "email" in {error["field"] for error in body["errors"]}
    not_an_object = client.post(url, json=["Ann"], headers={"Accept-Language": "zh-CN"})
    assert not_an_object.status_code == 400 and not_an_object.mimetype == "application/problem+json"
    assert not_an_object.get_json()["detail"] == "请求体必须是 JSON 对象或表单提交"
    assert client.post(url, json={"name": "Ann", "email": "ann@example.com"}).status_code == 201


def test_housekeeping_deletes_expired_keys_and_sessions_of_every_tenant_and_keeps_the_rest(services_gateway, rep,
                                                                                         make_user):
    from services.gateway import accounts, housekeeping

    client = services_gateway.test_client()
    for key in ("old", "fresh"):
        assert client.post("/api/v1/leads", json={**LEAD, "email": f"{key}@example.com"},
                           headers={**rep, "Idempotency-Key": key}).status_code == 201
    database = services_gateway.extensions["crm.database"]
    ana, ben = make_user("ana"), make_user("ben", tenant="other")
    with database.session(TENANT) as session:
        session.query(IdempotencyRecord).filter_by(key="old").one().created_at = utcnow() - timedelta(hours=25)
        idle = accounts._open_session(session, session.get(accounts.User, ana.id), accounts.ACTIVE, utcnow(), "", "")
        live = accounts._open_session(session, session.get(accounts.User, ana.id), accounts.ACTIVE, utcnow(), "", "")
    with database.session("other") as session:
        too_old = accounts._open_session(session, session.get(accounts.User, ben.id), accounts.ACTIVE, utcnow(), "",
                                         "")
    with database.kernel_session() as session:
        for opened, field, age in ((idle, "last_seen_at", timedelta(minutes=31)),
                                   (too_old, "created_at", timedelta(hours=13))):
            row = session.get(accounts.WebSession, accounts.sha256(opened.token))
            setattr(row, field, utcnow() - age)
    assert housekeeping.sweep(database) == housekeeping.Swept(idempotency_records=1, web_sessions=2)
    with database.kernel_session() as session:
        assert [r.key for r in session.query(IdempotencyRecord)] == ["fresh"]
        assert [s.token_hash for s in session.query(accounts.WebSession)] == [accounts.sha256(live.token)]
    assert housekeeping.sweep(database) == housekeeping.Swept(0, 0)
