"""Personal data export and erase across services (R-SEC-5): the saga identity runs over the bus, in process.

Six services on SQLite; `Bus.pump` plays the outbox relay and the broker: it takes every service's outbox rows and
hands each event to the inbox of every consumer bound to its type, until nothing is left. The data of one person
(a lead with a follow-up, a reminder and behaviour; a sales account, contact and opportunity; a ticket; a consent)
sits next to another person's, which nothing may touch.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import grpc
import pytest
from sqlalchemy import select

from crm.events.v1.audit_pb2 import AuditRecorded
from crm.events.v1.envelope_pb2 import Envelope
from crm.events.v1.privacy_pb2 import PrivacyRequested, PrivacyStepCompleted
from crm.identity.v1 import identity_pb2 as pb
from crm.identity.v1 import identity_pb2_grpc
from services.analytics.models import AuditEntry
from services.core.consumers import InboxDispatcher
from services.core.db import Database
from services.core.events import new_envelope, unpack
from services.core.kernel_models import OutboxMessage
from services.core.migrate import upgrade
from services.core.runtime import load_definition
from services.identity import graph
from services.identity.models import Customer, MatchKey, PrivacyRequest, PrivacyStep, SourceRecord
from services.leads import followups, leads, scoring
from services.leads.followups import ReminderRequest, ReminderTime
from services.leads.models import BehaviourEvent, FollowUp, Lead, Reminder
from services.marketing import consent
from services.marketing import privacy as marketing_privacy
from services.marketing.models import Consent
from services.sales.models import Account, Contact, Opportunity
from services.support import tickets
from services.support.models import Ticket
from tests.unit.services.conftest import RunningService, make_caller

MANAGER = make_caller("manager", subject="boss")
PARTICIPANTS = ("leads", "sales", "support", "marketing", "analytics")
ERASED = "[erased]"


@dataclass
class Bus:
    """The outbox relay and the broker in one loop, over every service's database."""

    databases: dict[str, Database]
    dispatchers: list[tuple[str, InboxDispatcher, list[str]]] = field(default_factory=list)
    delivered: list[tuple[str, bytes]] = field(default_factory=list)  # (event type, body), in delivery order

    def __post_init__(self) -> None:
        for name, database in self.databases.items():
            for consumer in load_definition(name).consumers:
                self.dispatchers.append((name, InboxDispatcher(name, consumer, database), consumer.routing_keys()))

    def take(self, *only: str) -> list[bytes]:
        """Remove the waiting outbox rows (of these event types) of every service, oldest first per service."""
        bodies = []
        for database in self.databases.values():
            with database.kernel_session() as session:
                for row in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all():
                    if not only or row.event_type in only:
                        bodies.append(row.body)
                        session.delete(row)
        return bodies

    def deliver(self, body: bytes, *, to: tuple[str, ...] = ()) -> list[str]:
        event_type = Envelope.FromString(body).type
        results = []
        for name, dispatcher, keys in self.dispatchers:
            if event_type in keys and (not to or name in to):
                results.append(dispatcher(body))
        self.delivered.append((event_type, body))
        return results

    def pump(self, *only: str) -> int:
        """Relay and deliver until every outbox is empty (of these types); returns how many events moved."""
        moved = 0
        while bodies := self.take(*only):
            for body in bodies:
                self.deliver(body)
            moved += len(bodies)
        return moved

    def sent(self, payload_cls: type) -> list:
        return [unpack(Envelope.FromString(body), payload_cls) for event_type, body in self.delivered
                if Envelope.FromString(body).payload.Is(payload_cls.DESCRIPTOR)]


@dataclass
class World:
    bus: Bus
    stub: identity_pb2_grpc.IdentityServiceStub
    metadata: object
    customer_id: str
    other_customer_id: str
    lead_id: str
    other_lead_id: str

    def db(self, name: str) -> Database:
        return self.bus.databases[name]

    def start(self, kind=pb.PRIVACY_REQUEST_KIND_EXPORT, roles=("admin",), customer_id=None, **fields):
        request = pb.StartPrivacyRequestRequest(customer_id=customer_id or self.customer_id, kind=kind,
                                                reason=fields.pop("reason", "GDPR art. 15/17 request"), **fields)
        return self.stub.StartPrivacyRequest(request, metadata=self.metadata(*roles, subject="dpo")).request

    def get(self, request_id: str, roles=("admin",)) -> pb.GetPrivacyRequestResponse:
        return self.stub.GetPrivacyRequest(pb.GetPrivacyRequestRequest(id=request_id),
                                           metadata=self.metadata(*roles, subject="dpo"))


def _steps(request: pb.PrivacyRequest) -> dict[str, int]:
    return {step.service: step.status for step in request.steps}


@dataclass(frozen=True)
class Seeded:
    """Migrated databases of the six services holding both people's data, to copy for each test."""

    folder: Path
    customer_id: str
    other_customer_id: str
    lead_id: str
    other_lead_id: str


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Seeded:
    folder = tmp_path_factory.mktemp("privacy-seed")
    databases = {}
    for name in ("identity", *PARTICIPANTS):
        databases[name] = Database(name, f"sqlite:///{folder}/{name}.db")
        upgrade(load_definition(name), databases[name])
    try:
        return _seed(Bus(databases), folder)
    finally:
        for database in databases.values():
            database.dispose()  # the last connection to close checkpoints the WAL into the file


def _seed(bus: Bus, folder: Path) -> Seeded:
    databases = bus.databases
    now = datetime.now(UTC)
    with databases["leads"].session("t1") as session:
        lead = leads.create_lead(session, tenant="t1", caller=MANAGER, name="Wang Wei", channel="web-form",
                                 company="Wang Wei Trading", email="wang.wei@example.com", phone="13800138000",
                                 region="Shanghai", budget="50000")
        other = leads.create_lead(session, tenant="t1", caller=MANAGER, name="Li Na", channel="fair",
                                  company="Li Ltd", email="li.na@example.com", phone="13900139000")
        lead_id, other_id = lead.id, other.id
    bus.pump()  # identity resolves both leads; the leads learn their customer ids
    with databases["leads"].session("t1") as session:
        customer_id = session.get(Lead, lead_id).customer_id
        other_customer_id = session.get(Lead, other_id).customer_id
        followups.add_follow_up(session, caller=MANAGER, lead_id=lead_id, kind="call",
                                content="Wang Wei asked for a callback on his mobile", objection="price",
                                next_step="send the offer to wang.wei@example.com",
                                reminder=ReminderRequest(when=ReminderTime(at=now + timedelta(days=2)),
                                                         note="call Wang back"), now=now)
        followups.add_follow_up(session, caller=MANAGER, lead_id=other_id, kind="call", content="Li Na: not now",
                                now=now)
        scoring.record_behaviour(session, caller=MANAGER, kind="page_view", lead_id=lead_id, source="website",
                                 detail="/pricing?ref=wang.wei", now=now)
    assert customer_id and other_customer_id and customer_id != other_customer_id

    with databases["sales"].session("t1") as session:
        for customer, name, amount in ((customer_id, "Wang Wei", "120000.00"), (other_customer_id, "Li Na", "5.00")):
            account = Account(tenant_id="t1", name=f"{name} Trading", customer_id=customer, region="Shanghai",
                              owner_id="rep1")
            session.add(account)
            session.flush()
            session.add(Contact(tenant_id="t1", account_id=account.id, name=name, email=f"{name}@example.com",
                                phone="13800138000"))
            session.add(Opportunity(tenant_id="t1", name=f"{name} - CRM licences", account_id=account.id,
                                    stage="03", max_rank=3, amount=Decimal(amount), owner_id="rep1",
                                    team="east", lost_note=""))
    with databases["support"].session("t1") as session:
        for customer, name in ((customer_id, "Wang Wei"), (other_customer_id, "Li Na")):
            tickets.open_ticket(session, tenant="t1", caller=MANAGER, customer_id=customer, ticket_type="COMPLAINT",
                                channel="PHONE", subject=f"Invoice for {name}", description=f"{name}: 13800138000")
    with databases["marketing"].session("t1") as session:
        for customer in (customer_id, other_customer_id):
            consent.set_consent(session, tenant="t1", caller=MANAGER, customer_id=customer, channel="EMAIL",
                                purpose="newsletter", granted=True, source="web-form")
    bus.pump()  # the audit events reach the analytics audit log
    return Seeded(folder, customer_id, other_customer_id, lead_id, other_id)


@pytest.fixture
def world(seeded, tmp_path, grpc_service, migrated_database) -> World:
    for name in ("identity", *PARTICIPANTS):
        shutil.copyfile(seeded.folder / f"{name}.db", tmp_path / f"{name}.db")
    identity = grpc_service("identity")  # opens the copies (already at head)
    bus = Bus({"identity": identity.database, **{name: migrated_database(name) for name in PARTICIPANTS}})
    return World(bus, identity_pb2_grpc.IdentityServiceStub(identity.channel), identity.metadata, seeded.customer_id,
                 seeded.other_customer_id, seeded.lead_id, seeded.other_lead_id)


# --- export --------------------------------------------------------------------------------------------------------


def test_an_export_collects_every_services_data_about_the_person_and_nobody_elses(world):
    started = world.start()
    assert started.status == pb.PRIVACY_REQUEST_STATUS_PENDING
    assert _steps(started) == {name: pb.PRIVACY_STEP_STATUS_PENDING for name in (*PARTICIPANTS, "identity")}
    assert world.get(started.id).export_json == ""  # nothing before it completed

    world.bus.pump()

    response = world.get(started.id)
    assert response.request.status == pb.PRIVACY_REQUEST_STATUS_COMPLETED
    assert response.request.HasField("complete_time")
    assert set(_steps(response.request).values()) == {pb.PRIVACY_STEP_STATUS_COMPLETED}
    export = json.loads(response.export_json)
    assert export["request"]["customer_id"] == world.customer_id
    sections = export["services"]
    assert set(sections) == {*PARTICIPANTS, "identity"}
    [lead] = sections["leads"]["leads"]
    assert (lead["name"], lead["email"], lead["budget"]) == ("Wang Wei", "wang.wei@example.com", "50000.00")
    assert [f["content"] for f in sections["leads"]["follow_ups"]] == ["Wang Wei asked for a callback on his mobile"]
    assert [r["note"] for r in sections["leads"]["reminders"]] == ["call Wang back"]
    assert [b["detail"] for b in sections["leads"]["behaviour"]] == ["/pricing?ref=wang.wei"]
    assert [a["name"] for a in sections["sales"]["accounts"]] == ["Wang Wei Trading"]
    assert [c["name"] for c in sections["sales"]["contacts"]] == ["Wang Wei"]
    assert [(o["amount"], o["stage"]) for o in sections["sales"]["opportunities"]] == [("120000.0000", "03")]
    assert [t["subject"] for t in sections["support"]["tickets"]] == ["Invoice for Wang Wei"]
    assert [(c["channel"], c["purpose"], c["granted"], c["source"]) for c in sections["marketing"]["consents"]] == [
        ("EMAIL", "newsletter", True, "web-form")]
    audited = {(e["service"], e["entity"], e["record_id"]) for e in sections["analytics"]["audit_log"]}
    assert ("leads", "lead", world.lead_id) in audited
    assert sections["identity"]["customer"]["email"] == "wang.wei@example.com"
    assert [r["record_id"] for r in sections["identity"]["records"]] == [world.lead_id]
    assert "Li Na" not in response.export_json and world.other_lead_id not in response.export_json
    # Item counts per service are visible with the progress.
    counts = {step.service: step.item_count for step in response.request.steps}
    assert counts["leads"] == 4 and counts["sales"] == 3 and counts["support"] == 1 and counts["marketing"] == 1


def test_progress_shows_each_service_as_it_answers(world):
    started = world.start()
    [requested] = world.bus.take("privacy.requested")
    world.bus.deliver(requested, to=("leads",))
    world.bus.pump("privacy.step_completed")

    running = world.get(started.id).request
    assert running.status == pb.PRIVACY_REQUEST_STATUS_RUNNING
    steps = _steps(running)
    assert steps.pop("leads") == pb.PRIVACY_STEP_STATUS_COMPLETED
    assert set(steps.values()) == {pb.PRIVACY_STEP_STATUS_PENDING}
    assert world.get(started.id).export_json == ""

    world.bus.deliver(requested, to=("sales", "support", "marketing", "analytics"))
    world.bus.pump()
    assert world.get(started.id).request.status == pb.PRIVACY_REQUEST_STATUS_COMPLETED


# --- erase ---------------------------------------------------------------------------------------------------------


def test_an_erase_anonymises_every_service_and_keeps_the_facts_statistics_need(world):
    started = world.start(pb.PRIVACY_REQUEST_KIND_ERASE)
    world.bus.pump()

    response = world.get(started.id)
    assert response.request.status == pb.PRIVACY_REQUEST_STATUS_COMPLETED
    assert response.export_json == ""
    steps = {step.service: step for step in response.request.steps}
    assert "append-only" in steps["analytics"].error  # the note: what was kept, and why

    with world.db("leads").session("t1") as session:
        lead, other = session.get(Lead, world.lead_id), session.get(Lead, world.other_lead_id)
        assert (lead.name, lead.company, lead.email, lead.phone, lead.email_key, lead.phone_key) == (
            ERASED, ERASED, "", "", "", "")
        assert (lead.channel, lead.region, lead.budget, lead.status) == ("web-form", "Shanghai", Decimal("50000"),
                                                                         "open")
        follow_up = session.scalar(select(FollowUp).where(FollowUp.lead_id == lead.id))
        assert (follow_up.content, follow_up.objection, follow_up.next_step, follow_up.budget_cycle) == (
            ERASED, ERASED, ERASED, "")  # an empty text stays empty
        assert follow_up.kind == "call"
        assert session.scalar(select(Reminder.note).where(Reminder.lead_id == lead.id)) == ERASED
        assert session.scalar(select(BehaviourEvent.detail).where(BehaviourEvent.lead_id == lead.id)) == ERASED
        assert (other.name, other.email) == ("Li Na", "li.na@example.com")
    with world.db("sales").session("t1") as session:
        accounts = {a.customer_id: a for a in session.scalars(select(Account))}
        assert accounts[world.customer_id].name == ERASED
        assert accounts[world.other_customer_id].name == "Li Na Trading"
        mine = session.scalar(select(Opportunity).where(Opportunity.account_id == accounts[world.customer_id].id))
        assert (mine.name, mine.amount, mine.stage, mine.owner_id, mine.lost_note) == (
            ERASED, Decimal("120000"), "03", "rep1", "")
        contact = session.scalar(select(Contact).where(Contact.account_id == accounts[world.customer_id].id))
        assert (contact.name, contact.email, contact.phone) == (ERASED, "", "")
    with world.db("support").session("t1") as session:
        found = {t.customer_id: t for t in session.scalars(select(Ticket))}
        mine = found[world.customer_id]
        assert (mine.subject, mine.description, mine.type, mine.priority, mine.status) == (
            ERASED, ERASED, "COMPLAINT", "P3", "OPEN")
        assert found[world.other_customer_id].subject == "Invoice for Li Na"
    with world.db("marketing").session("t1") as session:
        answers = {c.customer_id: c for c in session.scalars(select(Consent))}
        assert (answers[world.customer_id].granted, answers[world.customer_id].purpose,
                answers[world.customer_id].source) == (False, "newsletter", "privacy-erasure")
        assert answers[world.other_customer_id].granted
        # The address is never contacted again, however it is spelt, and it is not stored.
        assert marketing_privacy.is_suppressed(session, tenant="t1", kind="email", value=" Wang.Wei@Example.com")
        assert marketing_privacy.is_suppressed(session, tenant="t1", kind="phone", value="+86 138-0013-8000")
        assert not marketing_privacy.is_suppressed(session, tenant="t1", kind="email", value="li.na@example.com")
    with world.db("identity").session("t1") as session:
        customer = session.get(Customer, ("t1", world.customer_id))
        assert (customer.name, customer.email, customer.phone, customer.company) == (ERASED, "", "", "")
        [record] = session.scalars(select(SourceRecord).where(SourceRecord.customer_id == world.customer_id))
        assert (record.name, record.email, record.phone, record.record_id) == ("", "", "", world.lead_id)
        assert session.scalars(select(MatchKey).where(MatchKey.source_record_id == record.id)).all() == []
        assert session.get(Customer, ("t1", world.other_customer_id)).name == "Li Na"
    # The erasure reached the append-only audit log without the values it erased.
    with world.db("analytics").session("t1") as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.correlation_id != "")).all()
        erasures = [e for e in entries if e.entity == "lead" and e.record_id == world.lead_id
                    and e.changes.get("name") == [None, ERASED]]
        assert erasures and erasures[-1].changes["email"] == [None, ""]
    erased_audits = world.bus.sent(AuditRecorded)
    assert erased_audits and not any("Wang" in str(event) or "wang.wei" in str(event) for event in erased_audits)


def test_a_new_lead_with_the_erased_persons_address_is_a_new_customer(world):
    world.start(pb.PRIVACY_REQUEST_KIND_ERASE)
    world.bus.pump()
    with world.db("leads").session("t1") as session:
        again = leads.create_lead(session, tenant="t1", caller=MANAGER, name="Wang Wei", channel="web-form",
                                  email="wang.wei@example.com")
        assert again.status == "open"  # not a repeat of the erased lead: its contact keys are gone
        again_id = again.id
    world.bus.pump()
    with world.db("leads").session("t1") as session:
        assert session.get(Lead, again_id).customer_id not in ("", world.customer_id)


def test_an_erase_removes_the_exports_made_before_it(world):
    export = world.start()
    world.bus.pump()
    assert "Wang Wei" in world.get(export.id).export_json
    world.start(pb.PRIVACY_REQUEST_KIND_ERASE)
    world.bus.pump()
    response = world.get(export.id)
    assert response.request.status == pb.PRIVACY_REQUEST_STATUS_COMPLETED  # the request and its counts stay
    assert response.export_json == ""
    with world.db("identity").session("t1") as session:
        assert session.scalars(select(PrivacyStep.export).where(PrivacyStep.request_id == export.id)).all() == [
            None] * 6


# --- redelivery, idempotency, failures -----------------------------------------------------------------------------


def _snapshot(world: World) -> dict:
    found = {}
    with world.db("identity").session("t1") as session:
        found["steps"] = sorted((s.service, s.status, s.item_count) for s in session.scalars(select(PrivacyStep)))
        found["requests"] = sorted((r.id, r.status, r.completed_at) for r in session.scalars(select(PrivacyRequest)))
    with world.db("leads").session("t1") as session:
        found["leads"] = sorted((lead.id, lead.name, lead.email) for lead in session.scalars(select(Lead)))
    with world.db("marketing").session("t1") as session:
        found["consents"] = sorted((c.customer_id, c.granted, c.source) for c in session.scalars(select(Consent)))
    return found


def test_a_redelivered_event_changes_nothing(world):
    world.start(pb.PRIVACY_REQUEST_KIND_ERASE)
    world.bus.pump()
    before = _snapshot(world)
    saga = [(event_type, body) for event_type, body in world.bus.delivered if event_type.startswith("privacy.")]
    assert [event_type for event_type, _ in saga].count("privacy.step_completed") == len(PARTICIPANTS)

    for _, body in saga:
        assert set(world.bus.deliver(body)) == {""}  # every inbox knew the event id
    assert world.bus.take() == []  # ... and nothing was emitted again
    assert _snapshot(world) == before


def test_an_answer_repeated_under_a_new_event_id_is_counted_once(world):
    started = world.start()
    world.bus.pump()
    before = _snapshot(world)
    # A service that forgot it answered (its inbox purged) answers again, differently: the first answer stands.
    repeat = new_envelope(PrivacyStepCompleted(request_id=started.id, service="leads", status="completed",
                                               item_count=99, export_json=b"{}"), tenant_id="t1", producer="leads")
    assert world.bus.deliver(repeat.SerializeToString()) == ["privacy.step_completed"]
    assert _snapshot(world) == before
    export = json.loads(world.get(started.id).export_json)
    assert export["services"]["leads"]["leads"][0]["name"] == "Wang Wei"


def test_doing_a_step_again_under_a_new_event_id_leaves_the_same_state(world):
    world.start(pb.PRIVACY_REQUEST_KIND_ERASE)
    [requested] = world.bus.take("privacy.requested")
    world.bus.deliver(requested)
    world.bus.pump()
    before = _snapshot(world)
    again = Envelope.FromString(requested)
    again.id = new_envelope(PrivacyRequested(), tenant_id="t1", producer="identity").id
    world.bus.deliver(again.SerializeToString())
    world.bus.pump()
    assert _snapshot(world) == before


def test_a_failed_step_fails_the_request_and_identity_keeps_its_links(world):
    started = world.start(pb.PRIVACY_REQUEST_KIND_ERASE)
    [requested] = world.bus.take("privacy.requested")
    world.bus.deliver(requested, to=("leads", "sales", "support", "analytics"))
    failure = new_envelope(PrivacyStepCompleted(request_id=started.id, service="marketing", status="failed",
                                                error="consent store unavailable"), tenant_id="t1",
                           producer="marketing")
    world.bus.deliver(failure.SerializeToString())
    world.bus.pump()

    request = world.get(started.id).request
    assert request.status == pb.PRIVACY_REQUEST_STATUS_FAILED
    steps = {step.service: step for step in request.steps}
    assert steps["marketing"].status == pb.PRIVACY_STEP_STATUS_FAILED
    assert steps["marketing"].error == "consent store unavailable"
    assert steps["identity"].status == pb.PRIVACY_STEP_STATUS_SKIPPED
    with world.db("identity").session("t1") as session:
        assert session.get(Customer, ("t1", world.customer_id)).email == "wang.wei@example.com"
    # A new request finds the same records again and completes.
    retry = world.start(pb.PRIVACY_REQUEST_KIND_ERASE)
    world.bus.pump()
    assert world.get(retry.id).request.status == pb.PRIVACY_REQUEST_STATUS_COMPLETED


def test_the_client_request_id_makes_start_idempotent(world):
    first = world.start(request_id="ticket-4711")
    second = world.start(request_id="ticket-4711")
    assert first.id == second.id and first.request_id == "ticket-4711"
    assert len(world.bus.take("privacy.requested")) == 1


def test_privacy_requested_names_the_records_ids_and_contacts_of_the_person(world):
    started = world.start()
    [body] = world.bus.take("privacy.requested")
    event = unpack(Envelope.FromString(body), PrivacyRequested)
    assert (event.request_id, event.kind, event.customer_id) == (started.id, "export", world.customer_id)
    assert list(event.customer_ids) == [world.customer_id]
    assert [(r.service, r.kind, r.id) for r in event.records] == [("leads", "lead", world.lead_id)]
    assert list(event.emails) == ["wang.wei@example.com"] and event.phones
    assert (event.reason, event.requested_by) == ("GDPR art. 15/17 request", "dpo")


# --- the API: roles, validation, listing ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["sales", "manager", "marketing", "auditor"])
def test_only_admins_and_services_start_a_request(world, role):
    with pytest.raises(grpc.RpcError) as raised:
        world.start(roles=(role,))
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert world.bus.take() == []


def test_auditors_follow_progress_but_do_not_read_the_export_and_reps_see_nothing(world):
    started = world.start()
    world.bus.pump()
    assert world.get(started.id, roles=("auditor",)).request.status == pb.PRIVACY_REQUEST_STATUS_COMPLETED
    assert world.get(started.id, roles=("auditor",)).export_json == ""
    assert world.get(started.id, roles=("admin",)).export_json
    with pytest.raises(grpc.RpcError) as raised:
        world.get(started.id, roles=("sales",))
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_bad_requests_are_refused_field_by_field(world):
    with pytest.raises(grpc.RpcError) as raised:
        world.stub.StartPrivacyRequest(pb.StartPrivacyRequestRequest(), metadata=world.metadata("admin"))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(RunningService.violations(raised.value)) == {"customer_id", "kind", "reason"}
    with pytest.raises(grpc.RpcError) as raised:
        world.start(customer_id="C19990101001")
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as raised:
        world.get("no-such-request")
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


def test_another_tenant_neither_starts_nor_reads_a_request_about_this_tenants_customer(world):
    started = world.start()
    other_tenant = world.metadata("admin", tenant="t2", subject="dpo")
    with pytest.raises(grpc.RpcError) as raised:
        world.stub.StartPrivacyRequest(pb.StartPrivacyRequestRequest(
            customer_id=world.customer_id, kind=pb.PRIVACY_REQUEST_KIND_ERASE, reason="r"), metadata=other_tenant)
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as raised:
        world.stub.GetPrivacyRequest(pb.GetPrivacyRequestRequest(id=started.id), metadata=other_tenant)
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    assert world.stub.ListPrivacyRequests(pb.ListPrivacyRequestsRequest(), metadata=other_tenant).requests == []


def test_requests_are_listed_newest_first_and_by_customer(world):
    first = world.start()
    second = world.start(pb.PRIVACY_REQUEST_KIND_ERASE, customer_id=world.other_customer_id)
    listed = world.stub.ListPrivacyRequests(pb.ListPrivacyRequestsRequest(), metadata=world.metadata("auditor"))
    assert [r.id for r in listed.requests] == [second.id, first.id]
    mine = world.stub.ListPrivacyRequests(pb.ListPrivacyRequestsRequest(customer_id=world.customer_id),
                                          metadata=world.metadata("admin"))
    assert [(r.id, r.kind, len(r.steps)) for r in mine.requests] == [(first.id, pb.PRIVACY_REQUEST_KIND_EXPORT, 6)]


def test_a_request_for_an_absorbed_customer_is_about_the_survivor(world):
    with world.db("identity").session("t1") as session:
        graph.merge(session, caller=MANAGER, survivor_id=world.customer_id, absorbed_id=world.other_customer_id)
    world.bus.pump()
    started = world.start(customer_id=world.other_customer_id)
    assert started.customer_id == world.customer_id
    [body] = world.bus.take("privacy.requested")
    event = unpack(Envelope.FromString(body), PrivacyRequested)
    assert list(event.customer_ids) == [world.customer_id, world.other_customer_id]
    # Both people's records are now the survivor's: the request covers them.
    assert {r.id for r in event.records} == {world.lead_id, world.other_lead_id}
