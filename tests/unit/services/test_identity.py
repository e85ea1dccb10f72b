"""Identity: normalisation (R-ID-2), resolution and matching (R-ID-1), stable ids (R-ID-5), ownership (R-SEC-2)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import grpc
import pytest
from sqlalchemy import func, select

from crm.common.v1.common_pb2 import RecordRef
from crm.events.v1.identity_pb2 import IdentityResolved
from crm.events.v1.leads_pb2 import LeadCreated
from crm.identity.v1 import identity_pb2, identity_pb2_grpc
from services.core.errors import InvalidArgument, NotFound
from services.identity import identities
from services.identity.events import on_lead_created
from services.identity.models import Customer, IdentityKey, RecordLink
from services.identity.normalize import email_key, phone_key

DAY = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def database(migrated_database):
    return migrated_database("identity")


@pytest.fixture
def clock(monkeypatch):
    """The UTC time customer ids are dated with; tests move it to another day."""

    class Clock:
        now = DAY

        def set(self, when: datetime) -> None:
            self.now = when

    clock = Clock()
    monkeypatch.setattr(identities, "utcnow", lambda: clock.now)
    return clock


def record(record_id: str = "L1", *, service="leads", kind="lead", owner_id="rep-1", **fields):
    return identities.SourceRecord(service=service, kind=kind, record_id=record_id, owner_id=owner_id, **fields)


def resolve(database, rec, tenant="t1"):
    with database.session(tenant) as session:
        return identities.resolve(session, tenant=tenant, record=rec)


def get(database, who, customer_id, tenant="t1"):
    with database.session(tenant) as session:
        customer, links = identities.get_customer(session, caller=who, customer_id=customer_id)
        return customer, [(link.service, link.kind, link.record_id) for link in links]


# -- normalisation -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Ann@Example.COM", "ann@example.com"),
        ("  ann@example.com  ", "ann@example.com"),
        ("ＡＮＮ＠ＥＸＡＭＰＬＥ．ＣＯＭ", "ann@example.com"),  # full-width
        ("Straße@example.de", "strasse@example.de"),  # casefold, not just lower
        ("", ""),
        ("ann", ""),
        ("ann@localhost", ""),
        ("a@b@example.com", ""),
    ],
)
def test_email_key(raw, key):
    assert email_key(raw) == key


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("13800138000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+86-138-0013-8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("008613800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),  # full-width digits
        ("(010) 6552-9988", "01065529988"),  # landline keeps its area code
        ("+1 415 555 0100", "14155550100"),  # not a Chinese mobile: no prefix stripped
        ("8612345", "8612345"),  # too short to carry a country code
        ("12345", ""),
        ("", ""),
    ],
)
def test_phone_key(raw, key):
    assert phone_key(raw) == key


# -- resolution --------------------------------------------------------------------------------------------


def test_first_record_creates_a_dated_customer_id(database, clock, outbox_events):
    resolution = resolve(database, record("L1", name="Ann", email="ann@example.com", phone="13800138000"))

    assert resolution == identities.Resolution("C20240501001", True, ())
    with database.session("t1") as session:
        customer = session.scalar(select(Customer).where(Customer.id == "C20240501001"))
        assert (customer.tenant_id, customer.name, customer.email) == ("t1", "Ann", "ann@example.com")
        keys = {(k.kind, k.value, k.customer_id) for k in session.scalars(select(IdentityKey))}
    assert keys == {("email", "ann@example.com", "C20240501001"), ("phone", "13800138000", "C20240501001")}
    assert outbox_events(database, IdentityResolved) == [
        ("t1", IdentityResolved(record=RecordRef(service="leads", kind="lead", id="L1"),
                                customer_id="C20240501001", created=True)),
    ]


def test_sequence_increments_per_tenant_and_day(database, clock):
    ids = [resolve(database, record(f"L{n}", email=f"p{n}@example.com")).customer_id for n in range(3)]
    assert ids == ["C20240501001", "C20240501002", "C20240501003"]

    # Another tenant counts on its own.
    assert resolve(database, record("L9", email="p0@example.com"), tenant="t2").customer_id == "C20240501001"
    assert resolve(database, record("L10", email="x@example.com"), tenant="t2").customer_id == "C20240501002"
    assert resolve(database, record("L4", email="p4@example.com")).customer_id == "C20240501004"

    # A new UTC day starts again at 001.
    clock.set(datetime(2024, 5, 2, 0, 0, 1, tzinfo=UTC))
    assert resolve(database, record("L5", email="p5@example.com")).customer_id == "C20240502001"
    assert resolve(database, record("L11", email="y@example.com"), tenant="t2").customer_id == "C20240502001"


def test_sequence_grows_past_three_digits(database, clock):
    with database.session("t1") as session:
        for _ in range(1000):
            last = identities.next_customer_id(session, tenant="t1")
    assert last == "C202405011000"
    assert re.fullmatch(r"C\d{8}\d{3,}", last)


@pytest.mark.parametrize(
    ("second", "matched_on"),
    [
        ({"email": "ANN@example.com"}, ("email",)),
        ({"email": "ａｎｎ@example.com", "phone": "13900139000"}, ("email",)),
        ({"phone": "+86 138-0013-8000"}, ("phone",)),
        ({"phone": "0086 13800138000", "email": "other@example.com"}, ("phone",)),
        ({"email": "ann@example.com", "phone": "138 0013 8000"}, ("email", "phone")),
    ],
)
def test_second_record_with_same_email_or_phone_matches(database, clock, outbox_events, second, matched_on):
    first = resolve(database, record("L1", email="ann@example.com", phone="13800138000"))

    resolution = resolve(database, record("C7", service="sales", kind="contact", **second))

    assert resolution == identities.Resolution(first.customer_id, False, matched_on)
    with database.session("t1") as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 1
        links = session.scalars(select(RecordLink).order_by(RecordLink.id)).all()
        assert [(link.service, link.record_id, link.customer_id) for link in links] == [
            ("leads", "L1", first.customer_id), ("sales", "C7", first.customer_id),
        ]
        # A new identifying value of the matched record now points at the same customer.
        keys = {(k.kind, k.value): k.customer_id for k in session.scalars(select(IdentityKey))}
    assert set(keys.values()) == {first.customer_id}
    events = outbox_events(database, IdentityResolved)
    assert events[-1] == ("t1", IdentityResolved(record=RecordRef(service="sales", kind="contact", id="C7"),
                                                 customer_id=first.customer_id, created=False,
                                                 matched_on=list(matched_on)))


def test_email_wins_over_a_phone_of_another_customer(database, clock):
    by_email = resolve(database, record("L1", email="ann@example.com")).customer_id
    by_phone = resolve(database, record("L2", phone="13800138000")).customer_id
    assert by_email != by_phone

    both = resolve(database, record("L3", email="ann@example.com", phone="13800138000"))

    assert both == identities.Resolution(by_email, False, ("email", "phone"))
    with database.session("t1") as session:
        phone_key_row = session.scalar(select(IdentityKey).where(IdentityKey.kind == "phone"))
    assert phone_key_row.customer_id == by_phone  # merging is the review queue's job, not intake's


def test_matching_never_crosses_tenants(database, clock):
    in_t1 = resolve(database, record("L1", email="ann@example.com"))
    in_t2 = resolve(database, record("L1", email="ann@example.com"), tenant="t2")
    assert in_t2.created
    assert in_t1.customer_id == in_t2.customer_id == "C20240501001"  # same number, separate tenants
    with database.kernel_session() as session:
        assert sorted(c.tenant_id for c in session.scalars(select(Customer))) == ["t1", "t2"]


def test_resolve_is_idempotent_per_record(database, clock, outbox_events):
    first = resolve(database, record("L1", email="ann@example.com"))
    again = resolve(database, record("L1", email="changed@example.com", phone="13800138000"))

    assert again == identities.Resolution(first.customer_id, False, ())
    with database.session("t1") as session:
        assert session.scalar(select(func.count()).select_from(RecordLink)) == 1
        assert session.scalar(select(func.count()).select_from(Customer)) == 1
    assert len(outbox_events(database, IdentityResolved)) == 1


@pytest.mark.parametrize(
    ("rec", "fields"),
    [
        (record("", email="a@example.com"), {"record.id"}),
        (record("L1", service="", email="a@example.com"), {"record.service"}),
        (record("L1", kind="", email="a@example.com"), {"record.kind"}),
        (record("L1"), {"email"}),
        (record("L1", email="not-an-email", phone="123"), {"email"}),
        (record("", service="", kind=""), {"record.id", "record.service", "record.kind", "email"}),
    ],
)
def test_invalid_records_are_rejected(database, clock, rec, fields):
    with pytest.raises(InvalidArgument) as error:
        resolve(database, rec)
    assert {v.field for v in error.value.violations} == fields


def test_lead_created_handler_resolves_the_lead(database, clock, outbox_events):
    with database.session("t1") as session:
        on_lead_created(session, LeadCreated(lead_id="L1", name="Ann", email="ann@example.com", owner_id="rep-1"),
                        envelope=None, tenant="t1")
        on_lead_created(session, LeadCreated(lead_id="L2", name="No contact"), envelope=None, tenant="t1")
    [(tenant, event)] = outbox_events(database, IdentityResolved)
    assert (tenant, event.record.id, event.customer_id, event.created) == ("t1", "L1", "C20240501001", True)
    assert get(database, _caller("sales", subject="rep-1"), "C20240501001")[1] == [("leads", "lead", "L1")]


# -- reading -----------------------------------------------------------------------------------------------


def _caller(*roles, tenant="t1", subject="u1", kind="user"):
    from services.core.auth import Caller

    return Caller(tenant_id=tenant, subject=subject, kind=kind, roles=frozenset(roles))


def test_get_customer_is_visible_to_the_owning_rep_and_managers_only(database, clock):
    customer_id = resolve(database, record("L1", email="ann@example.com", owner_id="rep-1")).customer_id
    resolve(database, record("C1", service="sales", kind="contact", email="ann@example.com", owner_id="rep-3"))

    customer, links = get(database, _caller("sales", subject="rep-1"), customer_id)
    assert customer.id == customer_id
    assert links == [("leads", "lead", "L1"), ("sales", "contact", "C1")]
    assert get(database, _caller("sales", subject="rep-3"), customer_id)[0].id == customer_id

    with pytest.raises(NotFound):
        get(database, _caller("sales", subject="rep-2"), customer_id)  # R-SEC-2
    for role in ("manager", "admin", "auditor", "marketing", "service_agent"):
        assert get(database, _caller(role, subject="someone"), customer_id)[0].id == customer_id
    with pytest.raises(NotFound):
        get(database, _caller("admin", tenant="t2"), customer_id, tenant="t2")  # R-SEC-4
    with pytest.raises(NotFound):
        get(database, _caller("admin"), "C20990101001")
    with pytest.raises(NotFound):
        get(database, _caller("admin"), "")


# -- through the gRPC API ------------------------------------------------------------------------------------


@pytest.fixture
def service(grpc_service, clock):
    return grpc_service("identity")


@pytest.fixture
def stub(service):
    return identity_pb2_grpc.IdentityServiceStub(service.channel)


def _resolve_request(record_id="L1", **fields):
    return identity_pb2.ResolveRecordRequest(record=RecordRef(service="leads", kind="lead", id=record_id), **fields)


def test_api_resolve_and_get(service, stub):
    rep = service.metadata("sales", subject="rep-1")
    first = stub.ResolveRecord(_resolve_request(name="Ann", email="ann@example.com"), metadata=rep, timeout=5)
    assert (first.customer_id, first.created, list(first.matched_on)) == ("C20240501001", True, [])

    second = stub.ResolveRecord(_resolve_request("L2", phone="13800138000", email="ANN@example.com"),
                                metadata=rep, timeout=5)
    assert (second.customer_id, second.created, list(second.matched_on)) == ("C20240501001", False, ["email"])

    customer = stub.GetCustomer(identity_pb2.GetCustomerRequest(id="C20240501001"), metadata=rep,
                                timeout=5).customer
    assert (customer.id, customer.name, customer.email) == ("C20240501001", "Ann", "ann@example.com")
    assert [(r.service, r.kind, r.id) for r in customer.records] == [("leads", "lead", "L1"), ("leads", "lead", "L2")]
    assert customer.create_time.seconds > 0

    # The caller became the owner of the records it resolved; another rep sees nothing.
    with pytest.raises(grpc.RpcError) as error:
        stub.GetCustomer(identity_pb2.GetCustomerRequest(id="C20240501001"),
                         metadata=service.metadata("sales", subject="rep-2"), timeout=5)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


def test_api_owner_can_be_given_explicitly(service, stub):
    stub.ResolveRecord(_resolve_request(email="ann@example.com", owner_id="rep-9"),
                       metadata=service.metadata("manager", subject="boss"), timeout=5)
    customer = stub.GetCustomer(identity_pb2.GetCustomerRequest(id="C20240501001"),
                                metadata=service.metadata("sales", subject="rep-9"), timeout=5).customer
    assert customer.id == "C20240501001"


def test_api_errors(service, stub):
    with pytest.raises(grpc.RpcError) as error:
        stub.ResolveRecord(_resolve_request(email="ann@example.com"), metadata=service.metadata("auditor"),
                           timeout=5)
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED

    with pytest.raises(grpc.RpcError) as error:
        stub.ResolveRecord(identity_pb2.ResolveRecordRequest(), metadata=service.metadata("sales"), timeout=5)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(service.violations(error.value)) == {"record.service", "record.kind", "record.id", "email"}
