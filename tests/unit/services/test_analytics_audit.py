"""Analytics: the audit log (R-SEC-3) fed by audit.recorded: stored once, append-only, searchable and exportable by
auditors and admins only, per tenant (R-SEC-2/4); and the path from a service's change to the log."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from crm.analytics.v1 import analytics_pb2, analytics_pb2_grpc
from crm.common.v1.common_pb2 import PageRequest
from crm.events.v1.audit_pb2 import AuditRecorded
from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.analytics import CONSUMERS, audit
from services.analytics.models import AuditEntry
from services.core.consumers import InboxDispatcher
from services.core.errors import PermissionDenied
from services.core.events import new_envelope, parse_envelope, unpack
from services.core.kernel_models import OutboxMessage

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
AUDIT = next(consumer for consumer in CONSUMERS if consumer.purpose == "audit")


def change(entity="lead", record_id="L1", action="updated", **fields):
    record = AuditRecorded.RecordChange(entity=entity, record_id=record_id, action=action)
    for name, (old, new) in fields.items():
        field = record.changes.add(field=name)
        if old is not None:
            field.old_value = old
        if new is not None:
            field.new_value = new
    return record


def audit_event(*records, actor="u1", actor_kind="user", tenant="t1", producer="leads", at=T0):
    envelope = new_envelope(AuditRecorded(actor=actor, actor_kind=actor_kind, records=records), tenant_id=tenant,
                            producer=producer)
    envelope.occurred_at.FromDatetime(at)
    return envelope.SerializeToString()


@pytest.fixture
def analytics(grpc_service):
    return grpc_service("analytics")


@pytest.fixture
def deliver(analytics):
    dispatcher = InboxDispatcher("analytics", AUDIT, analytics.database)
    return dispatcher


@pytest.fixture
def stub(analytics):
    return analytics_pb2_grpc.AnalyticsServiceStub(analytics.channel)


def entries(database, tenant="t1"):
    with database.session(tenant) as session:
        return [(e.service, e.entity, e.record_id, e.action, e.actor, e.changes)
                for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def search(stub, analytics, roles=("auditor",), tenant="t1", page_size=0, page_token="", **filters):
    request = analytics_pb2.SearchAuditLogRequest(filter=analytics_pb2.AuditLogFilter(**filters),
                                                  page=PageRequest(page_size=page_size, page_token=page_token))
    return stub.SearchAuditLog(request, metadata=analytics.metadata(*roles, tenant=tenant))


def test_the_consumer_listens_to_audit_recorded_on_its_own_queue():
    assert AUDIT.queue_for("analytics") == "analytics.audit"
    assert AUDIT.routing_keys() == ["audit.recorded"]


def test_each_record_change_becomes_one_entry_with_old_and_new(analytics, deliver):
    deliver(audit_event(
        change(record_id="L1", name=("Li Lei", "Li Lei (CEO)"), budget=("100.00", None)),
        change(entity="follow_up", record_id="F1", action="created", content=(None, "called")),
        actor="rep7",
    ))
    assert entries(analytics.database) == [
        ("leads", "lead", "L1", "updated", "rep7", {"name": ["Li Lei", "Li Lei (CEO)"], "budget": ["100.00", None]}),
        ("leads", "follow_up", "F1", "created", "rep7", {"content": [None, "called"]}),
    ]


def test_a_redelivered_event_is_stored_once_even_past_the_inbox(analytics, deliver):
    body = audit_event(change(name=("a", "b")), change(record_id="L2", name=("c", "d")))
    deliver(body)
    deliver(body)  # the inbox drops it
    envelope = parse_envelope(body)
    with analytics.database.session("t1") as session:  # the inbox forgot the id (purged): the unique key holds
        audit.record(session, tenant="t1", envelope=envelope, event=unpack(envelope, AuditRecorded))
    assert [row[2] for row in entries(analytics.database)] == ["L1", "L2"]


def test_audit_entries_cannot_be_updated_or_deleted(analytics, deliver):
    deliver(audit_event(change(name=("a", "b"))))
    database = analytics.database
    for statement in (update(AuditEntry).values(actor="someone else"), delete(AuditEntry)):
        with pytest.raises(DBAPIError, match="append-only"), database.session("t1") as session:
            session.execute(statement)
    for sql in ("UPDATE audit_entry SET changes = '{}'", "DELETE FROM audit_entry"):
        with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as connection:
            connection.execute(text(sql))
    assert entries(database)[0][4:] == ("u1", {"name": ["a", "b"]})


def test_auditors_search_by_record_actor_action_and_time(stub, analytics, deliver):
    deliver(audit_event(change(record_id="L1", name=("a", "b")), actor="rep1", at=T0))
    deliver(audit_event(change(record_id="L2", action="created", name=(None, "x")), actor="rep2",
                        at=T0 + timedelta(hours=1)))
    deliver(audit_event(change(entity="customer", record_id="C1", email=("a@x.cn", "b@x.cn")), actor="identity",
                        actor_kind="service", producer="identity", at=T0 + timedelta(hours=2)))
    deliver(audit_event(change(record_id="L1", action="deleted", name=("b", None)), actor="rep1",
                        at=T0 + timedelta(hours=3)))

    def ids(**filters):
        return [(e.entity, e.record_id, e.action) for e in search(stub, analytics, **filters).entries]

    assert ids() == [("lead", "L1", analytics_pb2.AUDIT_ACTION_UPDATED),
                     ("lead", "L2", analytics_pb2.AUDIT_ACTION_CREATED),
                     ("customer", "C1", analytics_pb2.AUDIT_ACTION_UPDATED),
                     ("lead", "L1", analytics_pb2.AUDIT_ACTION_DELETED)]
    assert [e[1] for e in ids(entity="lead", record_id="L1")] == ["L1", "L1"]
    assert ids(actor="rep2") == [("lead", "L2", analytics_pb2.AUDIT_ACTION_CREATED)]
    assert ids(service="identity") == [("customer", "C1", analytics_pb2.AUDIT_ACTION_UPDATED)]
    assert ids(action=analytics_pb2.AUDIT_ACTION_DELETED) == [("lead", "L1", analytics_pb2.AUDIT_ACTION_DELETED)]
    start, end = analytics_pb2.AuditLogFilter().start_time, analytics_pb2.AuditLogFilter().end_time
    start.FromDatetime(T0 + timedelta(hours=1))
    end.FromDatetime(T0 + timedelta(hours=3))  # exclusive
    assert [e[1] for e in ids(start_time=start, end_time=end)] == ["L2", "C1"]

    [entry] = search(stub, analytics, roles=("admin",), service="identity").entries
    assert (entry.actor, entry.actor_kind, entry.service) == ("identity", "service", "identity")
    assert entry.occur_time.ToDatetime(tzinfo=UTC) == T0 + timedelta(hours=2)
    [field] = entry.changes
    assert (field.field, field.old_value, field.new_value) == ("email", "a@x.cn", "b@x.cn")
    [deleted] = search(stub, analytics, action=analytics_pb2.AUDIT_ACTION_DELETED).entries
    assert deleted.changes[0].old_value == "b" and not deleted.changes[0].HasField("new_value")


def test_search_pages_with_tokens(stub, analytics, deliver):
    for number in range(5):
        deliver(audit_event(change(record_id=f"L{number}", name=("a", "b")), at=T0 + timedelta(minutes=number)))
    seen, token = [], ""
    for _ in range(3):
        response = search(stub, analytics, page_size=2, page_token=token)
        seen += [e.record_id for e in response.entries]
        token = response.page.next_page_token
    assert seen == ["L0", "L1", "L2", "L3", "L4"] and token == ""
    with pytest.raises(grpc.RpcError) as error:
        search(stub, analytics, page_token="nonsense")
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "page.page_token" in analytics.violations(error.value)


def test_a_period_that_ends_before_it_starts_is_refused(stub, analytics):
    start, end = analytics_pb2.AuditLogFilter().start_time, analytics_pb2.AuditLogFilter().end_time
    start.FromDatetime(T0)
    end.FromDatetime(T0 - timedelta(seconds=1))
    with pytest.raises(grpc.RpcError) as error:
        search(stub, analytics, start_time=start, end_time=end)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(analytics.violations(error.value)) == {"filter.end_time"}


@pytest.mark.parametrize("roles", [("sales",), ("manager",), ("marketing",), ("service_agent",), ()])
def test_only_auditors_and_admins_may_search_or_export(stub, analytics, deliver, roles):
    deliver(audit_event(change(name=("a", "b"))))
    with pytest.raises(grpc.RpcError) as error:
        search(stub, analytics, roles=roles)
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as error:
        list(stub.ExportAuditLog(analytics_pb2.ExportAuditLogRequest(), metadata=analytics.metadata(*roles)))
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_the_domain_refuses_other_roles_too(analytics, caller):
    with analytics.database.session("t1") as session, pytest.raises(PermissionDenied):
        audit.search(session, caller=caller("manager"), query=audit.AuditQuery(), offset=0, limit=10)
    with analytics.database.session("t1") as session:  # a service caller (the gateway) may
        assert audit.search(session, caller=caller(kind="service", subject="gateway"), query=audit.AuditQuery(),
                            offset=0, limit=10) == ([], False)


def test_a_tenant_sees_only_its_own_log(stub, analytics, deliver):
    deliver(audit_event(change(record_id="mine", name=("a", "b")), tenant="t1"))
    deliver(audit_event(change(record_id="theirs", name=("a", "b")), tenant="t2"))
    assert [e.record_id for e in search(stub, analytics, tenant="t2").entries] == ["theirs"]
    assert [e.record_id for e in search(stub, analytics, tenant="t1").entries] == ["mine"]


def export(stub, analytics, fmt, roles=("auditor",), **filters):
    request = analytics_pb2.ExportAuditLogRequest(filter=analytics_pb2.AuditLogFilter(**filters), format=fmt)
    return b"".join(part.chunk for part in stub.ExportAuditLog(request, metadata=analytics.metadata(*roles)))


def test_export_as_csv_and_json_lines_follows_the_filter_in_order(stub, analytics, deliver, monkeypatch):
    from services.analytics import api

    monkeypatch.setattr(api, "EXPORT_BATCH", 2)  # several slices and chunks
    monkeypatch.setattr(api, "CHUNK_BYTES", 100)
    for number in range(5):
        deliver(audit_event(change(record_id=f"L{number}", name=("旧", f"=HYPERLINK(\"x\",\"{number}\")")),
                            at=T0 + timedelta(minutes=number)))
    deliver(audit_event(change(entity="customer", record_id="C1", name=("a", "b"))))

    rows = list(csv.DictReader(io.StringIO(export(stub, analytics, analytics_pb2.AUDIT_EXPORT_FORMAT_CSV,
                                                  entity="lead").decode("utf-8"))))
    assert [row["record_id"] for row in rows] == ["L0", "L1", "L2", "L3", "L4"]
    assert list(rows[0]) == list(audit.CSV_COLUMNS)
    assert rows[1]["occurred_at"] == (T0 + timedelta(minutes=1)).isoformat()
    assert json.loads(rows[1]["changes"]) == {"name": ["旧", '=HYPERLINK("x","1")']}
    assert (rows[0]["actor"], rows[0]["action"], rows[0]["service"]) == ("u1", "updated", "leads")

    lines = export(stub, analytics, analytics_pb2.AUDIT_EXPORT_FORMAT_JSON_LINES, roles=("admin",),
                   record_id="L3").decode("utf-8").splitlines()
    [entry] = [json.loads(line) for line in lines]
    assert (entry["record_id"], entry["changes"]) == ("L3", {"name": ["旧", '=HYPERLINK("x","3")']})
    # Unspecified format: CSV; nothing matched: the header alone.
    assert export(stub, analytics, analytics_pb2.AUDIT_EXPORT_FORMAT_UNSPECIFIED,
                  actor="nobody").decode() == audit.csv_header()


# --- from a service's change to the log -------------------------------------------------------------------------


def outbox_audit_bodies(database):
    with database.kernel_session() as session:
        return session.scalars(select(OutboxMessage.body).where(OutboxMessage.event_type == "audit.recorded")
                               .order_by(OutboxMessage.id)).all()


def test_a_lead_changed_through_the_leads_api_is_found_in_the_log_with_its_actor(grpc_service, stub, analytics,
                                                                                 deliver):
    leads = grpc_service("leads")
    leads_stub = leads_pb2_grpc.LeadsServiceStub(leads.channel)
    rep = leads.metadata("sales", subject="rep1")
    lead = leads_stub.CreateLead(leads_pb2.CreateLeadRequest(name="Li Lei", email="li@example.com", channel="web"),
                                 metadata=rep).lead
    created = len(outbox_audit_bodies(leads.database))
    # A behaviour event rescores the lead (score, temperature): not customer data, so not in the log.
    leads_stub.RecordBehaviour(leads_pb2.RecordBehaviourRequest(lead_id=lead.id, kind="demo_attended"),
                               metadata=rep)
    assert len(outbox_audit_bodies(leads.database)) == created
    leads_stub.ReleaseLead(leads_pb2.ReleaseLeadRequest(lead_id=lead.id, note="not mine"), metadata=rep)

    for body in outbox_audit_bodies(leads.database):
        deliver(body)
    found = search(stub, analytics, entity="lead", record_id=lead.id).entries
    assert found[0].action == analytics_pb2.AUDIT_ACTION_CREATED
    assert {c.field: c.new_value for c in found[0].changes}["email"] == "li@example.com"
    [released] = [e for e in found if "pooled_at" in {c.field for c in e.changes}]
    assert (released.actor, released.actor_kind, released.service) == ("rep1", "user", "leads")
    owner = {c.field: c for c in released.changes}["owner_id"]
    assert (owner.old_value, owner.HasField("new_value"), owner.new_value) == ("rep1", True, "")
    assert all(e.actor == "rep1" for e in found)
    assert not {"score", "temperature", "updated_at", "email_key"} & {c.field for e in found for c in e.changes}
    with analytics.database.session("t1") as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == len(found)
