"""The identity graph (R-ID-3, R-SEC-3): merge with a dry-run diff, tombstones, exact unmerge, the link audit,
events other services re-key on, and who may do it."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc
import pytest
from sqlalchemy import func, select

from crm.common.v1.common_pb2 import PageRequest, RecordRef
from crm.events.v1.identity_pb2 import IdentityMerged, IdentityUnmerged
from crm.identity.v1 import identity_pb2, identity_pb2_grpc
from services.core.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from services.identity import golden, graph, identities, review
from services.identity.models import CustomerMerge, LinkAudit, ReviewPair, SourceRecord
from services.leads.events import on_identity_merged, on_identity_unmerged
from services.leads.models import Lead
from tests.unit.services.identity_support import (
    DAY,
    MANAGER,
    caller,
    customer,
    record,
    records_of,
    resolve,
    scripted_candidates,
    seed,
)


@pytest.fixture
def database(migrated_database):
    return migrated_database("identity")


def when(day: int) -> datetime:
    return datetime(2024, 5, day, tzinfo=UTC)


ANN_LEAD = {"record_id": "L1", "name": "Ann Lee", "email": "ann@example.com", "company": "Acme",
            "observed_at": when(1)}
ANN_CONTACT = {"record_id": "C1", "service": "sales", "kind": "contact", "name": "Ann Lee", "phone": "13800138000",
               "company": "Acme Trading Co", "email": "ann.lee@acme.example", "observed_at": when(3)}
ANN_TICKET = {"record_id": "T1", "service": "support", "kind": "ticket", "name": "Annie Lee", "city": "Beijing",
              "email": "annie@example.com", "observed_at": when(2)}


def merge(database, survivor, absorbed, *, who=MANAGER, dry_run=False, reason="same person"):  # noqa: ANN001
    with database.session(who.tenant_id) as session:
        return graph.merge(session, caller=who, survivor_id=survivor, absorbed_id=absorbed, dry_run=dry_run,
                           reason=reason)


def unmerge(database, merge_id, *, who=MANAGER, dry_run=False):  # noqa: ANN001
    with database.session(who.tenant_id) as session:
        return graph.unmerge(session, caller=who, merge_id=merge_id, dry_run=dry_run, reason="not the same")


def state(database, *customer_ids):  # noqa: ANN001
    """Everything a merge may change, to compare before and after a round trip."""
    return {cid: (golden.snapshot(customer(database, cid)), customer(database, cid).merged_into,
                  records_of(database, cid)) for cid in customer_ids}


def test_dry_run_shows_the_diff_and_changes_nothing(database, outbox_events):
    ann, contact = seed(database, [ANN_LEAD, ANN_CONTACT])
    before = state(database, ann, contact)

    outcome = merge(database, ann, contact, dry_run=True)

    assert outcome.merge_id == ""
    assert [r.record_id for r in outcome.records] == ["C1"]
    assert dict((name, (old, new)) for name, old, new in outcome.changes) == {
        "company": ("Acme", "Acme Trading Co"),  # most complete
        "email": ("ann@example.com", "ann.lee@acme.example"),  # most recent valid
        "phone": ("", "13800138000"),
    }
    assert outcome.golden_after["name"] == "Ann Lee"
    assert state(database, ann, contact) == before
    with database.session("t1") as session:
        assert session.scalar(select(func.count()).select_from(CustomerMerge)) == 0
        assert session.scalar(select(func.count()).select_from(LinkAudit)) == 0
    assert outbox_events(database, IdentityMerged) == []


def test_merge_moves_the_records_tombstones_the_absorbed_and_audits(database, outbox_events):
    ann, contact = seed(database, [ANN_LEAD, ANN_CONTACT])

    outcome = merge(database, ann, contact)

    assert outcome.merge_id
    assert records_of(database, ann) == ["L1", "C1"] and records_of(database, contact) == []
    survivor, absorbed = customer(database, ann), customer(database, contact)
    assert (survivor.email, survivor.phone, survivor.company, survivor.merged_into) == \
        ("ann.lee@acme.example", "13800138000", "Acme Trading Co", "")
    assert absorbed.merged_into == ann
    assert absorbed.email == "ann.lee@acme.example"  # the tombstone keeps its last golden record
    with database.session("t1") as session:
        row = session.get(CustomerMerge, outcome.merge_id)
        assert (row.survivor_id, row.absorbed_id, row.merged_by, row.reason, row.undone_at) == \
            (ann, contact, "boss", "same person", None)
        assert row.survivor_before["email"] == "ann@example.com" and row.absorbed_before["phone"] == "13800138000"
        [audit] = session.scalars(select(LinkAudit)).all()
        moved = session.scalar(select(SourceRecord).where(SourceRecord.record_id == "C1"))
        assert (audit.action, audit.source_record_id, audit.from_customer_id, audit.to_customer_id, audit.merge_id,
                audit.actor, audit.reason) == ("merge", moved.id, contact, ann, outcome.merge_id, "boss", "same person")
    assert outbox_events(database, IdentityMerged) == [
        ("t1", IdentityMerged(merge_id=outcome.merge_id, survivor_customer_id=ann, absorbed_customer_id=contact,
                              records=[RecordRef(service="sales", kind="contact", id="C1")])),
    ]


def test_an_absorbed_id_still_resolves_to_its_survivor(database):
    ann, contact, ticket = seed(database, [ANN_LEAD, ANN_CONTACT, ANN_TICKET])
    merge(database, contact, ticket)
    merge(database, ann, contact)  # ticket -> contact -> ann: a chain of tombstones
    with database.session("t1") as session:
        for asked in (ticket, contact, ann):
            view = identities.get_customer(session, caller=MANAGER, customer_id=asked)
            assert view.customer.id == ann
            assert view.resolved_from == ("" if asked == ann else asked)
        assert [r.record_id for r in view.records] == ["L1", "C1", "T1"]
        # A rep who owns one of the records reads it through the old id too (R-SEC-2); others do not.
        assert identities.get_customer(session, caller=caller("sales", subject="rep-1"), customer_id=ticket)
        with pytest.raises(NotFound):
            identities.get_customer(session, caller=caller("sales", subject="rep-2"), customer_id=ticket)


def test_unmerge_restores_exactly_what_the_merge_moved(database, outbox_events):
    ann, contact = seed(database, [ANN_LEAD, ANN_CONTACT])
    before = state(database, ann, contact)
    merged = merge(database, ann, contact)

    preview = unmerge(database, merged.merge_id, dry_run=True)
    assert preview.dry_run and [r.record_id for r in preview.records] == ["C1"]
    assert dict((name, new) for name, _, new in preview.survivor_changes) == \
        {"email": "ann@example.com", "phone": "", "company": "Acme"}
    assert records_of(database, contact) == []  # nothing moved yet

    outcome = unmerge(database, merged.merge_id)

    assert state(database, ann, contact) == before
    assert outcome.restored == golden.snapshot(customer(database, contact))
    with database.session("t1") as session:
        row = session.get(CustomerMerge, merged.merge_id)
        assert row.undone_at is not None and row.undone_by == "boss"
        audits = session.scalars(select(LinkAudit).order_by(LinkAudit.id)).all()
        assert [(a.action, a.from_customer_id, a.to_customer_id, a.merge_id) for a in audits] == [
            ("merge", contact, ann, merged.merge_id), ("unmerge", ann, contact, merged.merge_id),
        ]
    assert outbox_events(database, IdentityUnmerged) == [
        ("t1", IdentityUnmerged(merge_id=merged.merge_id, survivor_customer_id=ann, restored_customer_id=contact,
                                records=[RecordRef(service="sales", kind="contact", id="C1")])),
    ]
    with pytest.raises(FailedPrecondition):
        unmerge(database, merged.merge_id)  # once


def test_records_linked_to_the_survivor_after_the_merge_stay_with_it(database, monkeypatch):
    ann, contact = seed(database, [ANN_LEAD, ANN_CONTACT])
    merged = merge(database, ann, contact)
    scripted_candidates(monkeypatch, [[(ann, 0.99)]])
    later = resolve(database, record("L9", name="Ann Lee", email="ann@example.com", city="Shanghai",
                                     observed_at=when(9)))
    assert later.customer_id == ann

    unmerge(database, merged.merge_id)

    assert records_of(database, ann) == ["L1", "L9"] and records_of(database, contact) == ["C1"]
    assert customer(database, ann).city == "Shanghai"  # recomputed from what stays


def test_merges_undo_in_reverse_order(database):
    ann, contact, ticket = seed(database, [ANN_LEAD, ANN_CONTACT, ANN_TICKET])
    before = state(database, ann, contact, ticket)
    first = merge(database, contact, ticket)
    second = merge(database, ann, contact)

    with pytest.raises(FailedPrecondition) as error:
        unmerge(database, first.merge_id)  # its survivor was absorbed since
    assert "undo that merge first" in str(error.value)

    unmerge(database, second.merge_id)
    unmerge(database, first.merge_id)
    assert state(database, ann, contact, ticket) == before


@pytest.mark.parametrize(
    ("survivor", "absorbed", "error", "fields"),
    [
        ("", "", InvalidArgument, {"survivor_id", "absorbed_id"}),
        ("C20240501001", "C20240501001", InvalidArgument, {"absorbed_id"}),
        ("C20240501001", "C20990101001", NotFound, None),
    ],
)
def test_merge_validation(database, survivor, absorbed, error, fields):
    seed(database, [ANN_LEAD])
    with pytest.raises(error) as raised:
        merge(database, survivor, absorbed)
    if fields:
        assert {v.field for v in raised.value.violations} == fields


def test_a_tombstone_cannot_be_merged_again(database):
    ann, contact, ticket = seed(database, [ANN_LEAD, ANN_CONTACT, ANN_TICKET])
    merge(database, ann, contact)
    for survivor, absorbed in ((contact, ticket), (ticket, contact)):
        with pytest.raises(FailedPrecondition):
            merge(database, survivor, absorbed)
    with pytest.raises(NotFound):
        unmerge(database, "no-such-merge")


@pytest.mark.parametrize("role", ["sales", "marketing", "service_agent", "auditor"])
def test_only_managers_and_admins_merge_and_unmerge(database, role):
    ann, contact = seed(database, [ANN_LEAD, ANN_CONTACT])
    with pytest.raises(PermissionDenied):
        merge(database, ann, contact, who=caller(role), dry_run=True)
    merged = merge(database, ann, contact, who=caller("admin"))
    with pytest.raises(PermissionDenied):
        unmerge(database, merged.merge_id, who=caller(role))
    assert unmerge(database, merged.merge_id, who=caller("identity", kind="service")).restored_id == contact


def test_merging_never_crosses_tenants(database):
    [ann] = seed(database, [ANN_LEAD])
    [other] = seed(database, [{**ANN_CONTACT, "record_id": "X1"}], tenant="t2")
    assert ann == other  # the same number in two tenants
    with pytest.raises(InvalidArgument):
        merge(database, ann, other)
    [stranger] = seed(database, [{**ANN_TICKET, "record_id": "X2"}], tenant="t2")
    with pytest.raises(NotFound):
        merge(database, ann, stranger)  # t2's second customer does not exist in t1
    merged = merge(database, ann, seed(database, [ANN_CONTACT])[0])
    with pytest.raises(NotFound):
        unmerge(database, merged.merge_id, who=caller("manager", tenant="t2"))


def test_merge_supersedes_open_review_pairs_and_unmerge_reopens_them(database, monkeypatch):
    [ann] = seed(database, [ANN_LEAD])
    scripted_candidates(monkeypatch, [[(ann, 0.7)]])
    queued = resolve(database, record("L2", name="Ann Lee", phone="13800138000"))
    assert queued.review_pair_id

    merged = merge(database, ann, queued.customer_id)
    with database.session("t1") as session:
        pair = session.get(ReviewPair, queued.review_pair_id)
        assert (pair.status, pair.merge_id) == (review.SUPERSEDED, merged.merge_id)

    unmerge(database, merged.merge_id)
    with database.session("t1") as session:
        pair = session.get(ReviewPair, queued.review_pair_id)
        assert (pair.status, pair.merge_id) == (review.OPEN, "")


def test_the_audit_log_lists_link_changes_newest_first(database):
    ann, contact, ticket = seed(database, [ANN_LEAD, ANN_CONTACT, ANN_TICKET])
    first = merge(database, ann, contact)
    second = merge(database, ann, ticket)
    with database.session("t1") as session:
        entries, more = graph.list_audit(session, caller=caller("auditor"), customer_id=ann)
        assert not more
        assert [(e.entry.action, e.record.record_id, e.entry.merge_id) for e in entries] == [
            ("merge", "T1", second.merge_id), ("merge", "C1", first.merge_id),
        ]
        page, more = graph.list_audit(session, caller=MANAGER, limit=1)
        assert more and len(page) == 1
        assert [e.record.record_id for e in graph.list_audit(session, caller=MANAGER,
                                                              merge_id=first.merge_id)[0]] == ["C1"]
        with pytest.raises(PermissionDenied):
            graph.list_audit(session, caller=caller("sales"))


# -- other services re-key ------------------------------------------------------------------------------------


def test_leads_follow_merges_and_unmerges(migrated_database):
    leads_db = migrated_database("leads")
    with leads_db.session("t1") as session:
        for lead_id, customer_id in (("L1", "C1"), ("L2", "C2"), ("L3", "C2"), ("L4", "C3")):
            session.add(Lead(id=lead_id, tenant_id="t1", name=lead_id, channel="web", customer_id=customer_id))

    merged = IdentityMerged(merge_id="m1", survivor_customer_id="C1", absorbed_customer_id="C2",
                            records=[RecordRef(service="leads", kind="lead", id="L2"),
                                     RecordRef(service="leads", kind="lead", id="L3")])
    with leads_db.session("t1") as session:
        on_identity_merged(session, merged, envelope=None, tenant="t1")
    with leads_db.session("t1") as session:
        assert {lead.id: lead.customer_id for lead in session.scalars(select(Lead))} == \
            {"L1": "C1", "L2": "C1", "L3": "C1", "L4": "C3"}

    unmerged = IdentityUnmerged(merge_id="m1", survivor_customer_id="C1", restored_customer_id="C2",
                                records=[*merged.records, RecordRef(service="sales", kind="contact", id="L4")])
    with leads_db.session("t1") as session:
        on_identity_unmerged(session, unmerged, envelope=None, tenant="t1")
    with leads_db.session("t1") as session:
        assert {lead.id: lead.customer_id for lead in session.scalars(select(Lead))} == \
            {"L1": "C1", "L2": "C2", "L3": "C2", "L4": "C3"}  # another service's record L4 is not a lead


# -- through the gRPC API ------------------------------------------------------------------------------------


@pytest.fixture
def service(grpc_service, monkeypatch):
    monkeypatch.setattr(identities, "utcnow", lambda: DAY)
    return grpc_service("identity")


@pytest.fixture
def stub(service):
    return identity_pb2_grpc.IdentityServiceStub(service.channel)


def test_api_merge_unmerge_and_audit(service, stub):
    ann, contact = seed(service.database, [ANN_LEAD, ANN_CONTACT])
    boss = service.metadata("manager", subject="boss")

    preview = stub.MergeCustomers(identity_pb2.MergeCustomersRequest(survivor_id=ann, absorbed_id=contact,
                                                                     dry_run=True), metadata=boss, timeout=5)
    assert preview.merge_id == ""
    assert {c.field: (c.before, c.after) for c in preview.changes}["phone"] == ("", "13800138000")
    assert [r.id for r in preview.survivor.records] == ["L1", "C1"] and preview.survivor.phone == "13800138000"

    merged = stub.MergeCustomers(identity_pb2.MergeCustomersRequest(survivor_id=ann, absorbed_id=contact,
                                                                    reason="dup"), metadata=boss, timeout=5)
    assert merged.merge_id and [r.id for r in merged.records] == ["C1"]
    assert merged.survivor.email == "ann.lee@acme.example"

    got = stub.GetCustomer(identity_pb2.GetCustomerRequest(id=contact), metadata=boss, timeout=5)
    assert (got.customer.id, got.merged_id) == (ann, contact)

    changes = stub.ListLinkChanges(identity_pb2.ListLinkChangesRequest(customer_id=ann), metadata=boss, timeout=5)
    [change] = changes.changes
    assert (change.action, change.record.id, change.from_customer_id, change.to_customer_id, change.actor,
            change.reason) == (identity_pb2.LINK_ACTION_MERGE, "C1", contact, ann, "boss", "dup")
    assert change.change_time.seconds > 0 and changes.page.next_page_token == ""

    undone = stub.UnmergeCustomers(identity_pb2.UnmergeCustomersRequest(merge_id=merged.merge_id),
                                   metadata=boss, timeout=5)
    assert (undone.survivor.id, undone.restored.id, [r.id for r in undone.records]) == (ann, contact, ["C1"])
    assert undone.restored.phone == "13800138000" and undone.survivor.phone == ""
    assert [r.id for r in undone.survivor.records] == ["L1"]

    with pytest.raises(grpc.RpcError) as error:
        stub.UnmergeCustomers(identity_pb2.UnmergeCustomersRequest(merge_id=merged.merge_id), metadata=boss,
                              timeout=5)
    assert error.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.RpcError) as error:
        stub.MergeCustomers(identity_pb2.MergeCustomersRequest(survivor_id=ann, absorbed_id=contact),
                            metadata=service.metadata("sales"), timeout=5)
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_api_paging_of_the_audit_log(service, stub):
    ann, *others = seed(service.database, [ANN_LEAD, ANN_CONTACT, ANN_TICKET, {**ANN_TICKET, "record_id": "T2"}])
    boss = service.metadata("admin")
    for other in others:
        stub.MergeCustomers(identity_pb2.MergeCustomersRequest(survivor_id=ann, absorbed_id=other), metadata=boss,
                            timeout=5)
    seen, token = [], ""
    while True:
        page = stub.ListLinkChanges(identity_pb2.ListLinkChangesRequest(
            page=PageRequest(page_size=2, page_token=token)), metadata=boss, timeout=5)
        seen += [c.record.id for c in page.changes]
        token = page.page.next_page_token
        if not token:
            break
    assert seen == ["T2", "T1", "C1"]
    for bad in (PageRequest(page_token="garbage"), PageRequest(page_size=501), PageRequest(page_size=-1)):
        with pytest.raises(grpc.RpcError) as error:
            stub.ListLinkChanges(identity_pb2.ListLinkChangesRequest(page=bad), metadata=boss, timeout=5)
        assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
