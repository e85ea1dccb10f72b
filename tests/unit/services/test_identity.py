"""Identity: normalisation (R-ID-2), resolution at intake (R-ID-1), stable ids (R-ID-5), ownership (R-SEC-2)."""

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
from services.identity.models import Customer, LinkAudit, MatchKey, ReviewPair, SourceRecord
from services.identity.normalize import email_key, phone_key
from tests.unit.services.identity_support import DAY, caller, record, resolve, scripted_candidates


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


def get(database, who, customer_id, tenant="t1"):
    with database.session(tenant) as session:
        view = identities.get_customer(session, caller=who, customer_id=customer_id)
        return view.customer, [(r.service, r.kind, r.record_id) for r in view.records]


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


# -- resolution ---------------------------------------------------------------------------------------------


ANN = {"name": "Ann Lee", "email": "ann@example.com", "phone": "13800138000"}


def test_first_record_creates_a_dated_customer_with_its_record_keys_and_audit(database, clock, outbox_events):
    resolution = resolve(database, record("L1", company="Acme Ltd", city="Shenzhen", **ANN))

    assert (resolution.customer_id, resolution.created, resolution.matched_on) == ("C20240501001", True, ())
    with database.session("t1") as session:
        customer = session.get(Customer, ("t1", "C20240501001"))
        assert (customer.name, customer.email, customer.phone, customer.company, customer.city, customer.merged_into) \
            == ("Ann Lee", "ann@example.com", "13800138000", "Acme Ltd", "Shenzhen", "")
        [row] = session.scalars(select(SourceRecord)).all()
        assert (row.service, row.kind, row.record_id, row.customer_id, row.owner_id) == \
            ("leads", "lead", "L1", "C20240501001", "rep-1")
        assert row.features["email"] == "ann@example.com" and row.features["phone_valid"] == "1"
        keys = {(k.kind, k.value) for k in session.scalars(select(MatchKey).where(MatchKey.source_record_id == row.id))}
        assert ("email", "ann@example.com") in keys and ("phone", "13800138000") in keys
        [audit] = session.scalars(select(LinkAudit)).all()
        assert (audit.action, audit.source_record_id, audit.from_customer_id, audit.to_customer_id, audit.actor) == \
            ("link", row.id, "", "C20240501001", "tester")
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
    "second",
    [
        {"name": "Ann Lee", "email": "ANN@example.com"},
        {"name": "ann lee", "email": "ａｎｎ@example.com", "phone": "13900139000"},
        {"name": "Ann Lee", "phone": "+86 138-0013-8000", "email": "Ann@Example.com"},
        {"name": "Ann  Lee", "email": "ann@example.com", "phone": "138 0013 8000"},
    ],
)
def test_a_variant_of_a_known_record_joins_its_customer(database, clock, outbox_events, second):
    first = resolve(database, record("L1", **ANN))

    resolution = resolve(database, record("C7", service="sales", kind="contact", **second))

    assert (resolution.customer_id, resolution.created) == (first.customer_id, False)
    assert resolution.probability >= 0.95
    assert "name" in resolution.matched_on
    best = resolution.candidates[0]
    assert (best.customer_id, best.decision) == (first.customer_id, identities.LINK)
    assert {e.field for e in best.fields} >= {"name", "email", "phone"}
    with database.session("t1") as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 1
        links = session.scalars(select(SourceRecord).order_by(SourceRecord.id)).all()
        assert [(r.service, r.record_id, r.customer_id) for r in links] == [
            ("leads", "L1", first.customer_id), ("sales", "C7", first.customer_id),
        ]
    [*_, (_, event)] = outbox_events(database, IdentityResolved)
    assert (event.record.id, event.customer_id, event.created, list(event.matched_on)) == \
        ("C7", first.customer_id, False, list(resolution.matched_on))
    assert event.probability == pytest.approx(resolution.probability)


def test_a_different_person_gets_a_new_customer(database, clock):
    first = resolve(database, record("L1", **ANN))
    other = resolve(database, record("L2", name="Bob Stone", email="bob@elsewhere.org", phone="13911112222"))
    assert other.created and other.customer_id != first.customer_id


def test_between_the_thresholds_a_new_customer_and_a_review_pair(database, clock, monkeypatch):
    first = resolve(database, record("L1", **ANN))
    scripted_candidates(monkeypatch, [[(first.customer_id, 0.7)]])

    resolution = resolve(database, record("L2", name="Ann Li", phone="13800138001"))

    assert resolution.created and resolution.customer_id != first.customer_id
    assert resolution.review_pair_id
    assert [(c.customer_id, c.decision) for c in resolution.candidates] == [(first.customer_id, identities.REVIEW)]
    with database.session("t1") as session:
        pair = session.get(ReviewPair, resolution.review_pair_id)
        assert (pair.status, pair.origin, pair.record_customer_id, pair.candidate_customer_id, pair.probability) == \
            ("open", "intake", resolution.customer_id, first.customer_id, 0.7)
        assert [e["field"] for e in pair.evidence] == ["name", "phone"]


def test_above_the_auto_link_threshold_the_record_joins_the_candidate(database, clock, monkeypatch):
    first = resolve(database, record("L1", **ANN))
    scripted_candidates(monkeypatch, [[(first.customer_id, 0.97)]])
    resolution = resolve(database, record("L2", name="A. Lee", email="a.lee@example.com"))
    assert (resolution.customer_id, resolution.created, resolution.review_pair_id) == (first.customer_id, False, "")
    assert resolution.matched_on == ("name",)  # the fields whose level was exact or close


def test_a_record_like_two_customers_joins_the_best_and_merges_nothing(database, clock):
    by_email = resolve(database, record("L1", name="Ann Lee", email="ann@example.com")).customer_id
    by_phone = resolve(database, record("L2", name="Zhang Wei", phone="13800138000")).customer_id
    assert by_email != by_phone

    both = resolve(database, record("L3", name="Ann Lee", email="ann@example.com", phone="13800138000"))

    assert both.customer_id == by_email
    assert {c.customer_id for c in both.candidates} == {by_email, by_phone}
    with database.session("t1") as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 2  # merging is a decision, not intake's


def test_matching_never_crosses_tenants(database, clock):
    in_t1 = resolve(database, record("L1", **ANN))
    in_t2 = resolve(database, record("L1", **ANN), tenant="t2")
    assert in_t2.created and not in_t2.candidates
    assert in_t1.customer_id == in_t2.customer_id == "C20240501001"  # same number, separate tenants
    with database.kernel_session() as session:
        assert sorted(c.tenant_id for c in session.scalars(select(Customer))) == ["t1", "t2"]


def test_resolve_is_idempotent_per_record(database, clock, outbox_events):
    first = resolve(database, record("L1", email="ann@example.com"))
    again = resolve(database, record("L1", email="changed@example.com", phone="13800138000"))

    assert again == identities.Resolution(first.customer_id, False, ())
    with database.session("t1") as session:
        assert session.scalar(select(func.count()).select_from(SourceRecord)) == 1
        assert session.scalar(select(func.count()).select_from(Customer)) == 1
        assert session.scalar(select(func.count()).select_from(LinkAudit)) == 1
    assert len(outbox_events(database, IdentityResolved)) == 1


def test_the_golden_record_follows_the_linked_records(database, clock):
    first = resolve(database, record("L1", name="Ann Lee", company="Acme", email="ann@example.com",
                                     observed_at=datetime(2024, 1, 1, tzinfo=UTC)))
    resolve(database, record("C1", service="sales", kind="contact", name="Ann Lee", company="Acme Trading Ltd",
                             email="ann@example.com", phone="13800138000", city="Beijing",
                             observed_at=datetime(2024, 3, 1, tzinfo=UTC)))
    with database.session("t1") as session:
        customer = session.get(Customer, ("t1", first.customer_id))
        assert (customer.name, customer.company, customer.phone, customer.city) == \
            ("Ann Lee", "Acme Trading Ltd", "13800138000", "Beijing")


@pytest.mark.parametrize(
    ("rec", "fields"),
    [
        (record("", email="a@example.com"), {"record.id"}),
        (record("L1", service="", email="a@example.com"), {"record.service"}),
        (record("L1", kind="", email="a@example.com"), {"record.kind"}),
        (record("L1"), {"email"}),
        (record("L1", name="Ann", email="not-an-email", phone="123"), {"email"}),
        (record("L1", email="a@example.com", name="x" * 201), {"name"}),
        (record("", service="", kind=""), {"record.id", "record.service", "record.kind", "email"}),
    ],
)
def test_invalid_records_are_rejected(database, clock, rec, fields):
    with pytest.raises(InvalidArgument) as error:
        resolve(database, rec)
    assert {v.field for v in error.value.violations} == fields


def test_a_valid_credit_code_alone_identifies_a_company(database, clock):
    resolution = resolve(database, record("A1", service="sales", kind="account", company="华为技术有限公司",
                                          credit_code="914403001922038216"))
    assert resolution.created


def test_lead_created_handler_resolves_the_lead(database, clock, outbox_events):
    with database.session("t1") as session:
        on_lead_created(session, LeadCreated(lead_id="L1", name="Ann", email="ann@example.com", owner_id="rep-1"),
                        envelope=None, tenant="t1")
        on_lead_created(session, LeadCreated(lead_id="L2", name="No contact"), envelope=None, tenant="t1")
    [(tenant, event)] = outbox_events(database, IdentityResolved)
    assert (tenant, event.record.id, event.customer_id, event.created) == ("t1", "L1", "C20240501001", True)
    assert get(database, caller("sales", subject="rep-1"), "C20240501001")[1] == [("leads", "lead", "L1")]


def test_match_record_writes_nothing_and_skips_the_record_itself(database, clock):
    first = resolve(database, record("L1", **ANN))
    with database.session("t1") as session:
        found = identities.match(session, record=record("L1", **ANN))
        assert found.candidates == ()  # only itself would match
        found = identities.match(session, record=record("", service="", kind="", name="Ann Lee",
                                                        email="ann@example.com"))
        assert [c.customer_id for c in found.candidates] == [first.customer_id]
        assert found.candidates[0].decision == identities.LINK
        assert 0 < found.review < found.auto_link <= 1
        assert session.scalar(select(func.count()).select_from(SourceRecord)) == 1


# -- reading -----------------------------------------------------------------------------------------------


def _caller(*roles, tenant="t1", subject="u1", kind="user"):
    from services.core.auth import Caller

    return Caller(tenant_id=tenant, subject=subject, kind=kind, roles=frozenset(roles))


def test_get_customer_is_visible_to_the_owning_rep_and_managers_only(database, clock):
    customer_id = resolve(database, record("L1", owner_id="rep-1", **ANN)).customer_id
    resolve(database, record("C1", service="sales", kind="contact", owner_id="rep-3", **ANN))

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
    first = stub.ResolveRecord(_resolve_request(name="Ann", email="ann@example.com", city="Shenzhen"), metadata=rep,
                               timeout=5)
    assert (first.customer_id, first.created, list(first.matched_on)) == ("C20240501001", True, [])

    second = stub.ResolveRecord(_resolve_request("L2", name="Ann", phone="13800138000", email="ANN@example.com",
                                                 city="Shenzhen"), metadata=rep, timeout=5)
    assert (second.customer_id, second.created) == ("C20240501001", False)
    assert {"name", "email", "city"} <= set(second.matched_on)

    customer = stub.GetCustomer(identity_pb2.GetCustomerRequest(id="C20240501001"), metadata=rep,
                                timeout=5).customer
    # Golden record: the most recent valid e-mail and phone (the second record), the most frequent name.
    assert (customer.id, customer.name, customer.email, customer.phone) == \
        ("C20240501001", "Ann", "ANN@example.com", "13800138000")
    [candidate] = second.candidates
    assert (candidate.customer_id, candidate.decision) == ("C20240501001", identity_pb2.MATCH_DECISION_LINK)
    assert candidate.probability == pytest.approx(second.probability) and candidate.probability >= 0.95
    evidence = {e.field: e for e in candidate.fields}
    assert evidence["email"].level == identity_pb2.MATCH_LEVEL_EXACT and evidence["email"].weight > 0
    assert evidence["phone"].level == identity_pb2.MATCH_LEVEL_MISSING and evidence["phone"].weight == 0
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


def test_api_match_record_scores_without_storing(service, stub):
    rep = service.metadata("sales", subject="rep-1")
    stub.ResolveRecord(_resolve_request(name="Ann Lee", email="ann@example.com", phone="13800138000"), metadata=rep,
                       timeout=5)
    request = identity_pb2.MatchRecordRequest(name="Ann Lee", email="ANN@example.com", phone="+86 138 0013 8000")

    found = stub.MatchRecord(request, metadata=rep, timeout=5)

    [candidate] = found.candidates
    assert (candidate.customer_id, candidate.decision) == ("C20240501001", identity_pb2.MATCH_DECISION_LINK)
    assert {f.field: f.level for f in candidate.fields}["phone"] == identity_pb2.MATCH_LEVEL_EXACT
    assert 0 < found.review_threshold < found.auto_link_threshold <= 1
    with service.database.session("t1") as session:
        assert session.scalar(select(func.count()).select_from(SourceRecord)) == 1

    # The stored record is not its own candidate; limits and roles are checked.
    itself = identity_pb2.MatchRecordRequest(record=RecordRef(service="leads", kind="lead", id="L1"),
                                             name="Ann Lee", email="ann@example.com", phone="13800138000")
    assert list(stub.MatchRecord(itself, metadata=rep, timeout=5).candidates) == []
    with pytest.raises(grpc.RpcError) as error:
        stub.MatchRecord(identity_pb2.MatchRecordRequest(email="a@example.com", limit=21), metadata=rep, timeout=5)
    assert set(service.violations(error.value)) == {"limit"}
    with pytest.raises(grpc.RpcError) as error:
        stub.MatchRecord(request, metadata=service.metadata("auditor"), timeout=5)
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_api_survivorship_rules(service, stub):
    boss = service.metadata("manager")
    rules = stub.GetSurvivorshipRules(identity_pb2.GetSurvivorshipRulesRequest(), metadata=boss, timeout=5)
    assert {r.field: r.rule for r in rules.rules}["name"] == identity_pb2.SURVIVORSHIP_RULE_MOST_FREQUENT
    assert list(rules.source_priority) == ["sales", "support", "leads", "marketing"]

    updated = stub.UpdateSurvivorshipRules(identity_pb2.UpdateSurvivorshipRulesRequest(
        rules=[identity_pb2.FieldRule(field="name", rule=identity_pb2.SURVIVORSHIP_RULE_MOST_RECENT)],
        source_priority=["support", "sales"]), metadata=boss, timeout=5)
    assert {r.field: r.rule for r in updated.rules}["name"] == identity_pb2.SURVIVORSHIP_RULE_MOST_RECENT
    assert list(updated.source_priority) == ["support", "sales"]

    stub.ResolveRecord(_resolve_request(name="Ann Lee", email="ann@example.com", phone="13800138000"), metadata=boss,
                       timeout=5)
    stub.ResolveRecord(_resolve_request("L2", name="Ann Lee", email="ann@example.com", phone="13800138000"),
                       metadata=boss, timeout=5)
    stub.ResolveRecord(_resolve_request("L3", name="Annie Lee", email="ann@example.com", phone="13800138000"),
                       metadata=boss, timeout=5)
    customer = stub.GetCustomer(identity_pb2.GetCustomerRequest(id="C20240501001"), metadata=boss, timeout=5)
    assert customer.customer.name == "Annie Lee"  # most recent now, not most frequent

    with pytest.raises(grpc.RpcError) as error:
        stub.UpdateSurvivorshipRules(identity_pb2.UpdateSurvivorshipRulesRequest(
            rules=[identity_pb2.FieldRule(field="name")]), metadata=boss, timeout=5)
    assert set(service.violations(error.value)) == {"rules.name"}
    with pytest.raises(grpc.RpcError) as error:
        stub.UpdateSurvivorshipRules(identity_pb2.UpdateSurvivorshipRulesRequest(),
                                     metadata=service.metadata("auditor"), timeout=5)
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_a_resolution_audits_the_new_customer_and_its_record_as_created(database, clock, outbox_events):
    """Intake writes the customer, the record, its keys and its link with its own statements (one on PostgreSQL,
    ADR 0024): the audit still shows the customer (golden values) and the record as created, with the actor."""
    from crm.events.v1.audit_pb2 import AuditRecorded

    resolve(database, record("L1", company="Acme Ltd", **ANN))
    [(tenant, audit)] = outbox_events(database, AuditRecorded)
    created = {record.entity: {change.field: change.new_value for change in record.changes}
               for record in audit.records if record.action == "created"}
    assert tenant == "t1" and set(created) == {"customer", "source_record"}
    assert {name: created["customer"][name] for name in ("id", "name", "email", "company")} == \
        {"id": "C20240501001", "name": "Ann Lee", "email": "ann@example.com", "company": "Acme Ltd"}
    with database.session("t1") as session:
        row = session.scalars(select(SourceRecord)).one()
    assert created["source_record"]["id"] == str(row.id) and created["source_record"]["record_id"] == "L1"
    assert "features" not in created["source_record"]  # not customer data (SourceRecord.__audit_exclude__)
