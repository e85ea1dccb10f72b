"""Sales contacts linked to identity customer ids (issue #5 item 1, R-ID-1, ADR 0023): sales announces contacts
(contact.created / contact.updated), identity resolves them as records (sales, contact, id) like leads, and sales
takes the customer id from identity.resolved and follows identity.merged / identity.unmerged. Events travel between
the two SQLite databases through the kernel's inbox (`pump`), as the bus would carry them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.common.v1.common_pb2 import RecordRef
from crm.events.v1.envelope_pb2 import Envelope
from crm.events.v1.identity_pb2 import IdentityMerged, IdentityResolved, IdentityUnmerged
from crm.events.v1.leads_pb2 import LeadCreated, LeadQualified
from crm.events.v1.sales_pb2 import ContactCreated, ContactUpdated
from services.core.auth import Caller
from services.core.consumers import Consumer, InboxDispatcher
from services.core.db import Database
from services.core.events import new_envelope, unpack
from services.core.kernel_models import OutboxMessage
from services.core.privacy import Subject
from services.identity import events as identity_events
from services.identity import graph
from services.identity.models import Customer, SourceRecord
from services.sales import accounts, privacy
from services.sales import events as sales_events
from services.sales.accounts import ContactFields
from services.sales.models import Account, Contact
from tests.unit.services.test_sales_opportunities import add_roster

IDENTITY_MANAGER = Caller("t1", "boss", "user", frozenset({"manager"}))


@pytest.fixture
def sales_db(migrated_database):
    database = migrated_database("sales")
    add_roster(database)
    return database


def consumer(consumers: list[Consumer], purpose: str) -> Consumer:
    return next(c for c in consumers if c.purpose == purpose)


def pump(source: Database, service: str, target_consumer: Consumer, target: Database) -> list[str]:
    """Deliver every event waiting in `source`'s outbox (all of them, every time: the bus may redeliver) to the
    consumer; returns the types it applied (a duplicate the inbox dropped is not listed)."""
    dispatcher = InboxDispatcher(service, target_consumer, target)
    with source.kernel_session() as session:
        bodies = list(session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id)))
    handled = set(target_consumer.routing_keys())
    return [applied for applied in (dispatcher(body) for body in bodies) if applied in handled]


def to_identity(sales_db, identity_db) -> list[str]:
    return pump(sales_db, "identity", consumer(identity_events.CONSUMERS, "sales"), identity_db)


def to_sales(identity_db, sales_db) -> list[str]:
    return pump(identity_db, "sales", consumer(sales_events.CONSUMERS, "identity"), sales_db)


def outbox(database, payload_cls) -> list:
    """The payloads of this type in the database's outbox, oldest first."""
    with database.kernel_session() as session:
        bodies = list(session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id)))
    envelopes = [Envelope.FromString(body) for body in bodies]
    return [unpack(e, payload_cls) for e in envelopes if e.payload.Is(payload_cls.DESCRIPTOR)]


def new_account(sales_db, caller, name="杭州云栖科技有限公司", owner="rep-1", customer_id=""):
    with sales_db.session("t1") as session:
        return accounts.create_account(session, tenant="t1", caller=caller("sales", subject=owner), name=name,
                                       customer_id=customer_id).id


def new_contact(sales_db, caller, account_id, owner="rep-1", **fields):
    fields.setdefault("name", "张伟")
    with sales_db.session("t1") as session:
        return accounts.create_contact(session, caller=caller("sales", subject=owner), account_id=account_id,
                                       fields=ContactFields(**fields)).id


def edit_contact(sales_db, caller, contact_id, owner="rep-1", **fields):
    with sales_db.session("t1") as session:
        accounts.update_contact(session, caller=caller("sales", subject=owner), contact_id=contact_id,
                                fields=ContactFields(**fields))


def customer_of(sales_db, contact_id) -> str:
    with sales_db.session("t1") as session:
        return session.get(Contact, contact_id).customer_id


def account_customer(sales_db, account_id) -> str:
    with sales_db.session("t1") as session:
        return session.get(Account, account_id).customer_id


def linked(identity_db, contact_id) -> str | None:
    with identity_db.session("t1") as session:
        return session.scalar(select(SourceRecord.customer_id).where(
            SourceRecord.service == "sales", SourceRecord.kind == "contact", SourceRecord.record_id == contact_id))


def lead_created(identity_db, lead_id, **fields) -> str:
    """A lead.created resolved by identity; returns the lead's customer id."""
    envelope = new_envelope(LeadCreated(lead_id=lead_id, owner_id="rep-1", **fields), tenant_id="t1",
                            producer="leads")
    InboxDispatcher("identity", consumer(identity_events.CONSUMERS, "intake"), identity_db)(
        envelope.SerializeToString())
    with identity_db.session("t1") as session:
        return session.scalar(select(SourceRecord.customer_id).where(SourceRecord.record_id == lead_id))


# --- sales announces contacts ---------------------------------------------------------------------------------


def test_contacts_are_announced_on_create_and_on_edits_of_what_identity_matches(sales_db, caller):
    account_id = new_account(sales_db, caller)
    contact_id = new_contact(sales_db, caller, account_id, title="采购经理", email="zw@example.cn",
                             phone="+86 138-0013-8000")
    [created] = outbox(sales_db, ContactCreated)
    assert (created.contact_id, created.account_id, created.name, created.company, created.email, created.phone,
            created.owner_id, created.customer_id) == (
        contact_id, account_id, "张伟", "杭州云栖科技有限公司", "zw@example.cn", "+86 138-0013-8000", "rep-1", "")
    # Title and customer id are not matched on: no event; an e-mail (or name, phone) edit is announced, whole.
    edit_contact(sales_db, caller, contact_id, title="CTO", customer_id="C-7")
    edit_contact(sales_db, caller, contact_id, email="zw@example.cn")  # the same value: nothing changed
    assert outbox(sales_db, ContactUpdated) == []
    edit_contact(sales_db, caller, contact_id, email="zhang.wei@example.cn")
    [updated] = outbox(sales_db, ContactUpdated)
    assert (updated.contact_id, updated.name, updated.company, updated.email, updated.phone, updated.owner_id,
            updated.customer_id) == (contact_id, "张伟", "杭州云栖科技有限公司", "zhang.wei@example.cn",
                                     "+86 138-0013-8000", "rep-1", "C-7")


def test_a_contact_made_from_a_qualified_lead_is_announced_once(sales_db):
    lead = LeadQualified(lead_id="lead-1", name="李娜", company="云栖科技", email="ln@example.cn", owner_id="rep-2",
                         customer_id="C20260301001")
    envelope = new_envelope(lead, tenant_id="t1", producer="leads")
    dispatcher = InboxDispatcher("sales", consumer(sales_events.CONSUMERS, "leads"), sales_db)
    dispatcher(envelope.SerializeToString())
    dispatcher(envelope.SerializeToString())  # redelivered: dropped
    # Another lead of the same person at the same account finds the contact: no second announcement.
    dispatcher(new_envelope(LeadQualified(lead_id="lead-2", name="李娜", company="云栖科技", email="ln@example.cn",
                                          owner_id="rep-2", customer_id="C20260301001"),
                            tenant_id="t1", producer="leads").SerializeToString())
    [created] = outbox(sales_db, ContactCreated)
    with sales_db.session("t1") as session:
        [contact] = session.scalars(select(Contact)).all()
        account = session.get(Account, contact.account_id)
    assert (created.contact_id, created.account_id, created.name, created.company, created.email, created.owner_id,
            created.customer_id) == (contact.id, account.id, "李娜", "云栖科技", "ln@example.cn", "rep-2",
                                     "C20260301001")


# --- identity resolves them; sales stores the customer id ----------------------------------------------------


def test_a_contact_joins_the_customer_of_a_lead_with_the_same_email_and_sales_stores_its_id(
        sales_db, identity_db, caller):
    lead_customer = lead_created(identity_db, "L1", name="王芳", company="杭州云栖科技有限公司",
                                 email="Wang.Fang@Example.cn")
    account_id = new_account(sales_db, caller)
    contact_id = new_contact(sales_db, caller, account_id, name="王芳", email="wang.fang@example.cn")
    stranger_id = new_contact(sales_db, caller, account_id, name="李雷", phone="13800000000")

    assert to_identity(sales_db, identity_db) == ["contact.created", "contact.created"]
    assert linked(identity_db, contact_id) == lead_customer
    stranger_customer = linked(identity_db, stranger_id)
    assert stranger_customer not in (None, lead_customer)
    resolved = {e.record.id: e for e in outbox(identity_db, IdentityResolved) if e.record.service == "sales"}
    assert (resolved[contact_id].record.kind, resolved[contact_id].customer_id, resolved[contact_id].created) == (
        "contact", lead_customer, False)
    with identity_db.session("t1") as session:  # the customer 360 lists the contact with the lead
        owners = {r.record_id: r.owner_id for r in session.scalars(
            select(SourceRecord).where(SourceRecord.customer_id == lead_customer))}
    assert owners == {"L1": "rep-1", contact_id: "rep-1"}

    # identity.resolved of leads is not sales' business; of its contacts, it stores the customer id.
    assert sorted(to_sales(identity_db, sales_db)) == ["identity.resolved"] * 3
    assert (customer_of(sales_db, contact_id), customer_of(sales_db, stranger_id)) == (lead_customer,
                                                                                       stranger_customer)
    assert account_customer(sales_db, account_id) == ""  # an account's id is its own (given, or its lead's)

    # Redelivering everything, both ways, changes nothing.
    with identity_db.session("t1") as session:
        customers = len(session.scalars(select(Customer)).all())
    assert to_identity(sales_db, identity_db) == [] and to_sales(identity_db, sales_db) == []
    with identity_db.session("t1") as session:
        assert len(session.scalars(select(Customer)).all()) == customers
    assert len(outbox(identity_db, IdentityResolved)) == 3


def test_a_customer_id_the_contact_has_stays_and_an_edit_resolves_what_could_not_be_resolved(
        sales_db, identity_db, caller):
    lead_customer = lead_created(identity_db, "L1", name="王芳", email="wang.fang@example.cn")
    account_id = new_account(sales_db, caller)
    given = new_contact(sales_db, caller, account_id, name="王芳", email="wang.fang@example.cn", customer_id="C-GIVEN")
    nameless = new_contact(sales_db, caller, account_id, name="赵六")  # nothing identifies them yet
    to_identity(sales_db, identity_db)
    to_sales(identity_db, sales_db)
    # Identity linked the record to the lead's customer; the contact keeps the id its creator gave.
    assert (linked(identity_db, given), customer_of(sales_db, given)) == (lead_customer, "C-GIVEN")
    assert (linked(identity_db, nameless), customer_of(sales_db, nameless)) == (None, "")

    # The edit that adds a phone announces the contact again: now identity resolves it.
    edit_contact(sales_db, caller, nameless, phone="13900001111")
    assert to_identity(sales_db, identity_db) == ["contact.updated"]
    assert to_sales(identity_db, sales_db) == ["identity.resolved"]
    assert customer_of(sales_db, nameless) == linked(identity_db, nameless) != ""
    # An edit of a record identity holds re-resolves the same record id: it keeps its customer, nothing is emitted.
    before = len(outbox(identity_db, IdentityResolved))
    edit_contact(sales_db, caller, nameless, phone="13900002222", email="zl@example.cn")
    assert to_identity(sales_db, identity_db) == ["contact.updated"]
    assert len(outbox(identity_db, IdentityResolved)) == before
    with identity_db.session("t1") as session:
        assert len(session.scalars(select(SourceRecord).where(SourceRecord.record_id == nameless)).all()) == 1


# --- merges and unmerges -------------------------------------------------------------------------------------


def test_a_merge_rekeys_contacts_and_accounts_and_an_unmerge_moves_them_back(sales_db, identity_db, caller):
    # Three accounts (branches) of one company: the same person at two of them is one customer.
    first, second, mixed = (new_account(sales_db, caller, name="云栖科技") for _ in range(3))
    fang = new_contact(sales_db, caller, first, name="王芳", email="wf@example.cn")
    lei = new_contact(sales_db, caller, second, name="李雷", email="ll@example.cn")
    lei_too = new_contact(sales_db, caller, mixed, name="李雷", email="ll@example.cn")
    fang_too = new_contact(sales_db, caller, mixed, name="王芳", email="wf@example.cn")
    to_identity(sales_db, identity_db)
    to_sales(identity_db, sales_db)
    survivor, absorbed = customer_of(sales_db, fang), customer_of(sales_db, lei)
    assert survivor != absorbed and "" not in (survivor, absorbed)
    assert (customer_of(sales_db, fang_too), customer_of(sales_db, lei_too)) == (survivor, absorbed)
    # The accounts carry their people's ids (as a lead's hand-over would give them).
    with sales_db.session("t1") as session:
        session.get(Account, first).customer_id = survivor
        session.get(Account, second).customer_id = absorbed
        session.get(Account, mixed).customer_id = absorbed
    explicit = new_contact(sales_db, caller, second, name="韩梅", customer_id="C-GIVEN")

    with identity_db.session("t1") as session:
        merge_id = graph.merge(session, caller=IDENTITY_MANAGER, survivor_id=survivor, absorbed_id=absorbed).merge_id
    assert "identity.merged" in to_sales(identity_db, sales_db)
    ids = {c: customer_of(sales_db, c) for c in (fang, lei, lei_too, fang_too, explicit)}
    assert ids == {fang: survivor, lei: survivor, lei_too: survivor, fang_too: survivor, explicit: "C-GIVEN"}
    assert [account_customer(sales_db, a) for a in (first, second, mixed)] == [survivor] * 3

    # Privacy finds the person's contacts by customer ids after the merge (R-SEC-5): identity's request names the
    # survivor and the customers merged into it; even one naming only the survivor finds the re-keyed contacts.
    for customer_ids in ((survivor, absorbed), (survivor,)):
        subject = Subject(request_id="r", kind="export", customer_id=survivor, customer_ids=customer_ids)
        with sales_db.session("t1") as session:
            found = {row["id"] for row in privacy.export(session, subject).section["contacts"]}
        assert {fang, lei, lei_too, fang_too} <= found

    with identity_db.session("t1") as session:
        graph.unmerge(session, caller=IDENTITY_MANAGER, merge_id=merge_id)
    [unmerged] = outbox(identity_db, IdentityUnmerged)
    assert {r.id for r in unmerged.records if r.service == "sales"} == {lei, lei_too}
    assert "identity.unmerged" in to_sales(identity_db, sales_db)
    # Lei's records went back: his contacts take the restored id. His account follows (no contact of it carries the
    # survivor's id any more; the one given by hand is not the survivor's); the mixed account stays with the
    # survivor, Wang Fang's contact there still being hers.
    ids = {c: customer_of(sales_db, c) for c in (fang, lei, lei_too, fang_too, explicit)}
    assert ids == {fang: survivor, lei: absorbed, lei_too: absorbed, fang_too: survivor, explicit: "C-GIVEN"}
    assert [account_customer(sales_db, a) for a in (first, second, mixed)] == [survivor, absorbed, survivor]
    subject = Subject(request_id="r2", kind="export", customer_id=absorbed, customer_ids=(absorbed,))
    with sales_db.session("t1") as session:
        found = {row["id"] for row in privacy.export(session, subject).section["contacts"]}
    assert lei in found and fang not in found

    # Redelivered, the merge and unmerge change nothing.
    assert to_sales(identity_db, sales_db) == []
    assert customer_of(sales_db, lei) == absorbed


def test_identity_events_on_their_own_follow_the_rules(sales_db, caller):
    """The rules on hand-made events: identity.resolved of a contact fills an empty id (only a contact's record
    counts); a merge re-keys every row of the absorbed id (given ones too: the id now resolves to the survivor); an
    unmerge moves back the listed contacts that carry the survivor's id."""
    account_id = new_account(sales_db, caller, customer_id="C2")
    moved = new_contact(sales_db, caller, account_id, name="甲", customer_id="C2")
    other = new_contact(sales_db, caller, account_id, name="乙", customer_id="C9")
    unlisted = new_contact(sales_db, caller, account_id, name="丙")
    dispatcher = InboxDispatcher("sales", consumer(sales_events.CONSUMERS, "identity"), sales_db)

    def deliver(payload, tenant="t1"):
        dispatcher(new_envelope(payload, tenant_id=tenant, producer="identity").SerializeToString())

    def ids():
        return (account_customer(sales_db, account_id), customer_of(sales_db, moved), customer_of(sales_db, other),
                customer_of(sales_db, unlisted))

    deliver(IdentityResolved(record=RecordRef(service="leads", kind="lead", id=unlisted), customer_id="C5"))
    deliver(IdentityResolved(record=RecordRef(service="sales", kind="contact", id=other), customer_id="C5"))
    assert ids() == ("C2", "C2", "C9", "")
    deliver(IdentityResolved(record=RecordRef(service="sales", kind="contact", id=unlisted), customer_id="C2"))
    assert ids() == ("C2", "C2", "C9", "C2")

    deliver(IdentityMerged(merge_id="m1", survivor_customer_id="C1", absorbed_customer_id="C2"))
    assert ids() == ("C1", "C1", "C9", "C1")
    # The unlisted contact's id is on another service's record: it is not a contact's, so it stays (and keeps the
    # account with the survivor).
    records = [RecordRef(service="sales", kind="contact", id=record_id) for record_id in (moved, other)]
    records.append(RecordRef(service="leads", kind="lead", id=unlisted))
    deliver(IdentityUnmerged(merge_id="m1", survivor_customer_id="C1", restored_customer_id="C2", records=records))
    assert ids() == ("C1", "C2", "C9", "C1")
    # Another tenant's merge of the same ids changes nothing here.
    deliver(IdentityMerged(merge_id="m2", survivor_customer_id="C7", absorbed_customer_id="C2"), tenant="t2")
    assert ids() == ("C1", "C2", "C9", "C1")
