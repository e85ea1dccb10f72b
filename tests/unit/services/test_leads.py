"""Leads: capture with validation (R-LEAD-1, R-LEAD-4), idempotency, ownership (R-SEC-2), tenancy (R-SEC-4)."""

from __future__ import annotations

import grpc
import pytest
from sqlalchemy import func, select

from crm.events.v1.leads_pb2 import LeadCreated
from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.core.errors import InvalidArgument, NotFound, PermissionDenied
from services.leads import leads
from services.leads.events import on_identity_resolved
from services.leads.models import Lead
from tests.unit.conftest import sample


@pytest.fixture
def database(migrated_database):
    return migrated_database("leads")


def create(database, caller, tenant="t1", **fields):
    fields.setdefault("name", "Ann Lee")
    fields.setdefault("channel", "Baidu SEM")
    if "email" not in fields and "phone" not in fields:
        fields["email"] = "ann@example.com"
    with database.session(tenant) as session:
        return leads.create_lead(session, tenant=tenant, caller=caller, **fields)


def count(database) -> int:
    with database.kernel_session() as session:
        return session.scalar(select(func.count()).select_from(Lead))


def violations_of(database, caller, **fields) -> dict[str, str]:
    with pytest.raises(InvalidArgument) as error:
        create(database, caller, **fields)
    return {v.field: v.description for v in error.value.violations}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"name": ""}, {"name": "is required"}),
        ({"name": "   "}, {"name": "is required"}),
        ({"name": "x" * 201}, {"name": "must be at most 200 characters"}),
        ({"channel": ""}, {"channel": "is required"}),
        ({"channel": "c" * 101}, {"channel": "must be at most 100 characters"}),
        ({"company": "c" * 201}, {"company": "must be at most 200 characters"}),
        ({"email": "", "phone": ""}, {"email": "email or phone is required"}),
        ({"email": "not-an-address"}, {"email": "is not an e-mail address"}),
        ({"email": "a@b"}, {"email": "is not an e-mail address"}),
        ({"email": "a" * 250 + "@b.cn"}, {"email": "is not an e-mail address"}),
        ({"phone": "call me"}, {"phone": "is not a phone number"}),
        ({"phone": "12"}, {"phone": "is not a phone number"}),
        ({"request_id": "r" * 65}, {"request_id": "must be at most 64 characters"}),
        (
            {"name": "", "channel": "", "email": "nope", "phone": "??"},
            {"name": "is required", "channel": "is required", "email": "is not an e-mail address",
             "phone": "is not a phone number"},
        ),
    ],
)
def test_every_violation_is_named(database, caller, fields, expected):
    assert violations_of(database, caller("sales"), **fields) == expected
    assert count(database) == 0


@pytest.mark.parametrize(
    ("fields", "stored"),
    [
        ({"email": " ann@example.com "}, ("ann@example.com", "")),
        ({"email": "", "phone": "+86 138-0013-8000"}, ("", "+86 138-0013-8000")),
        ({"email": "", "phone": "010-6552 9988"}, ("", "010-6552 9988")),
    ],
)
def test_valid_contact_details_are_accepted_and_trimmed(database, caller, fields, stored):
    lead = create(database, caller("sales"), **fields)
    assert (lead.email, lead.phone) == stored


def test_lead_is_stored_with_tenant_and_trimmed_fields(database, caller):
    lead = create(database, caller("sales", subject="rep-1"), name="  Ann Lee ", company=" Acme ",
                  channel=" Baidu SEM ")
    with database.session("t1") as session:
        stored = session.get(Lead, lead.id)
        assert (stored.tenant_id, stored.name, stored.company, stored.channel) == ("t1", "Ann Lee", "Acme", "Baidu SEM")
        assert stored.customer_id == ""
        assert stored.request_id is None


def test_owner_defaults_to_the_sales_caller(database, caller):
    assert create(database, caller("sales", subject="rep-1")).owner_id == "rep-1"
    assert create(database, caller("sales", subject="rep-1"), owner_id="rep-2").owner_id == "rep-2"
    assert create(database, caller("manager", subject="boss")).owner_id == ""
    assert create(database, caller("manager", subject="boss"), owner_id="rep-3").owner_id == "rep-3"
    assert create(database, caller(kind="service", subject="gateway")).owner_id == ""


@pytest.mark.parametrize("roles", [("auditor",), ("service_agent",), ()])
def test_roles_that_may_not_capture(database, caller, roles):
    with pytest.raises(PermissionDenied):
        create(database, caller(*roles))
    assert count(database) == 0


@pytest.mark.parametrize("role", ["sales", "manager", "admin", "marketing"])
def test_roles_that_may_capture(database, caller, role):
    create(database, caller(role))
    assert count(database) == 1


def test_request_id_makes_create_idempotent(database, caller, outbox_events):
    first = create(database, caller("sales", subject="rep-1"), request_id="req-1")
    again = create(database, caller("sales", subject="rep-1"), request_id="req-1", name="Changed Name")
    other = create(database, caller("sales", subject="rep-1"), request_id="req-2")

    assert again.id == first.id
    assert again.name == "Ann Lee"
    assert other.id != first.id
    assert count(database) == 2
    assert len(outbox_events(database, LeadCreated)) == 2  # the repeat emitted nothing


def test_request_id_is_per_tenant(database, caller):
    in_t1 = create(database, caller("sales", tenant="t1"), request_id="req-1")
    in_t2 = create(database, caller("sales", tenant="t2"), tenant="t2", request_id="req-1")
    assert in_t1.id != in_t2.id
    assert (in_t1.tenant_id, in_t2.tenant_id) == ("t1", "t2")


def test_without_request_id_every_call_creates(database, caller):
    create(database, caller("sales"))
    create(database, caller("sales"))
    assert count(database) == 2


def test_lead_created_is_emitted_with_the_lead(database, caller, outbox_events):
    before = sample("crm_leads_created_total", channel="Trade fair")
    lead = create(database, caller("sales", subject="rep-1"), name="Ann Lee", company="Acme",
                  email="ann@example.com", phone="13800138000", channel="Trade fair")

    assert outbox_events(database, LeadCreated) == [
        ("t1", LeadCreated(lead_id=lead.id, name="Ann Lee", company="Acme", email="ann@example.com",
                           phone="13800138000", channel="Trade fair", owner_id="rep-1")),
    ]
    assert sample("crm_leads_created_total", channel="Trade fair") == before + 1


def test_get_lead_enforces_ownership_and_tenancy(database, caller):
    lead = create(database, caller("sales", subject="rep-1"))
    unowned = create(database, caller("manager"))

    def get(who, lead_id, tenant="t1"):
        with database.session(tenant) as session:
            return leads.get_lead(session, caller=who, lead_id=lead_id)

    assert get(caller("sales", subject="rep-1"), lead.id).id == lead.id
    for role in ("admin", "auditor", "marketing"):
        assert get(caller(role, subject="someone"), lead.id).id == lead.id
    with pytest.raises(NotFound):  # a manager reads their team's leads only (tests/unit/services/test_leads_pool.py)
        get(caller("manager", subject="someone"), lead.id)
    with pytest.raises(NotFound):
        get(caller("sales", subject="rep-2"), lead.id)
    with pytest.raises(NotFound):
        get(caller("sales", subject=""), unowned.id)  # an empty owner is nobody's lead
    with pytest.raises(NotFound):
        get(caller("admin", tenant="t2"), lead.id, tenant="t2")
    with pytest.raises(NotFound):
        get(caller("admin"), "")


def test_identity_resolved_links_the_customer(database, caller):
    from crm.common.v1.common_pb2 import RecordRef
    from crm.events.v1.identity_pb2 import IdentityResolved

    lead = create(database, caller("sales"))

    def deliver(tenant, record):
        with database.session(tenant) as session:
            on_identity_resolved(session, IdentityResolved(record=record, customer_id="C20240501007"),
                                 envelope=None, tenant=tenant)

    deliver("t2", RecordRef(service="leads", kind="lead", id=lead.id))  # another tenant's event: ignored
    deliver("t1", RecordRef(service="sales", kind="contact", id=lead.id))  # another service's record: ignored
    with database.session("t1") as session:
        assert session.get(Lead, lead.id).customer_id == ""

    deliver("t1", RecordRef(service="leads", kind="lead", id=lead.id))
    with database.session("t1") as session:
        assert session.get(Lead, lead.id).customer_id == "C20240501007"
        assert leads.link_customer(session, lead_id="unknown", customer_id="C1") is False


# -- through the gRPC API -----------------------------------------------------------------------------------


@pytest.fixture
def service(grpc_service):
    return grpc_service("leads")


@pytest.fixture
def stub(service):
    return leads_pb2_grpc.LeadsServiceStub(service.channel)


def test_api_create_and_get(service, stub):
    rep = service.metadata("sales", subject="rep-1")
    created = stub.CreateLead(
        leads_pb2.CreateLeadRequest(name="Ann", company="Acme", email="ann@example.com", channel="web",
                                    request_id="r-1"),
        metadata=rep, timeout=5,
    ).lead
    assert (created.name, created.company, created.owner_id, created.customer_id) == ("Ann", "Acme", "rep-1", "")
    assert created.create_time.seconds > 0

    repeated = stub.CreateLead(leads_pb2.CreateLeadRequest(name="Ann", email="ann@example.com", channel="web",
                                                           request_id="r-1"), metadata=rep, timeout=5).lead
    assert repeated == created

    fetched = stub.GetLead(leads_pb2.GetLeadRequest(id=created.id), metadata=rep, timeout=5).lead
    assert fetched == created


def test_api_errors(service, stub):
    with pytest.raises(grpc.RpcError) as error:
        stub.CreateLead(leads_pb2.CreateLeadRequest(name="Ann", channel="web"), metadata=service.metadata("sales"),
                        timeout=5)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert service.violations(error.value) == {"email": "email or phone is required"}

    with pytest.raises(grpc.RpcError) as error:
        stub.CreateLead(leads_pb2.CreateLeadRequest(name="Ann", channel="web", email="a@b.cn"),
                        metadata=service.metadata("auditor"), timeout=5)
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED

    with pytest.raises(grpc.RpcError) as error:
        stub.GetLead(leads_pb2.GetLeadRequest(id="missing"), metadata=service.metadata("manager"), timeout=5)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


def test_grpc_errors_carry_the_callers_language(service):
    """accept-language: zh-CN gets google.rpc.LocalizedMessage and localized field violations; English stays lean."""
    from google.rpc import error_details_pb2
    from grpc_status import rpc_status

    stub = leads_pb2_grpc.LeadsServiceStub(service.channel)
    request = leads_pb2.CreateLeadRequest(name="", email="not-an-email", channel="Web")

    with pytest.raises(grpc.RpcError) as chinese:
        stub.CreateLead(request, metadata=[*service.metadata("sales"), ("accept-language", "zh-CN,zh;q=0.9")])
    assert chinese.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "name: is required" in chinese.value.details()  # the status message stays English for programs and logs
    details = {d.type_url.rsplit("/", 1)[1]: d for d in rpc_status.from_call(chinese.value).details}
    localized = error_details_pb2.LocalizedMessage()
    details["google.rpc.LocalizedMessage"].Unpack(localized)
    assert (localized.locale, localized.message) == ("zh-CN", "请求无效：name: 为必填项; email: 不是有效的电子邮箱地址")
    bad_request = error_details_pb2.BadRequest()
    details["google.rpc.BadRequest"].Unpack(bad_request)
    assert {v.field: v.localized_message.message for v in bad_request.field_violations} == {
        "name": "为必填项", "email": "不是有效的电子邮箱地址",
    }

    with pytest.raises(grpc.RpcError) as english:
        stub.CreateLead(request, metadata=service.metadata("sales"))
    assert [d.type_url.rsplit("/", 1)[1] for d in rpc_status.from_call(english.value).details] == [
        "google.rpc.BadRequest"
    ]
