"""Tasks (issue #5 item 1, R-SALES-5): a rep's to-do on a record with a due time and a priority; its durable
reminder fires task.due once, at the due time or an earlier reminder time, and never for a completed or cancelled
task; overdue tasks are listed; who creates, reads and closes; the gRPC API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from crm.events.v1.sales_pb2 import TaskDue
from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.core import timers
from services.core.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from services.core.timers import fire_due
from services.sales import tasks
from services.sales.models import SalesTask
from services.sales.timers import TIMERS
from tests.unit.services.test_sales_activities import records
from tests.unit.services.test_sales_opportunities import ADMIN, add_roster

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def database(migrated_database):
    database = migrated_database("sales")
    add_roster(database)
    return database


def create(database, who, **kwargs):
    kwargs.setdefault("title", "send the proposal")
    kwargs.setdefault("due_at", T0 + timedelta(days=1))
    with database.session("t1") as session:
        return tasks.create_task(session, caller=who, now=T0, **kwargs)


def close(database, function, who, task_id, **kwargs):
    with database.session("t1") as session:
        return function(session, caller=who, task_id=task_id, now=T0 + timedelta(hours=1), **kwargs)


def task(database, task_id):
    with database.session("t1") as session:
        return session.get(SalesTask, task_id)


def listed(database, who, **kwargs):
    with database.session("t1") as session:
        found, more = tasks.list_tasks(session, caller=who, **kwargs)
        return [row.title for row in found], more


def test_the_reminder_fires_once_at_the_due_time_or_the_reminder_time(database, caller, outbox_events):
    account_id, contact_id, opportunity_id = records(database, caller)
    rep = caller("sales", subject="rep-1")
    plain = create(database, rep, title="call back", account_id=account_id, priority="high")
    early = create(database, rep, title="prepare demo", opportunity_id=opportunity_id,
                   due_at=T0 + timedelta(days=2), remind_at=T0 + timedelta(days=1, hours=20))
    assert (plain.status, plain.priority, plain.assignee_id, plain.team, plain.remind_at) == (
        "open", "high", "rep-1", "east", T0 + timedelta(days=1))
    with database.session("t1") as session:
        assert timers.pending(session, tasks.REMINDER_TIMER, plain.id)[0] == T0 + timedelta(days=1)
        assert timers.pending(session, tasks.REMINDER_TIMER, early.id)[0] == T0 + timedelta(days=1, hours=20)

    assert fire_due(database, TIMERS, now=T0 + timedelta(hours=23)) == 0
    assert outbox_events(database, TaskDue) == []
    fire_due(database, TIMERS, now=T0 + timedelta(days=1))
    [(tenant, due)] = outbox_events(database, TaskDue)
    assert (tenant, due.task_id, due.title, due.assignee_id, due.team, due.priority, due.record_kind,
            due.record_id, due.account_id) == ("t1", plain.id, "call back", "rep-1", "east", "high", "account",
                                               account_id, account_id)
    assert due.due_time.ToDatetime(tzinfo=UTC) == T0 + timedelta(days=1)
    assert task(database, plain.id).reminded_at is not None
    # Once: firing again later sends nothing more for it, and the early reminder comes before its due time.
    fire_due(database, TIMERS, now=T0 + timedelta(days=1, hours=21))
    assert [e.task_id for _, e in outbox_events(database, TaskDue)] == [plain.id, early.id]
    fire_due(database, TIMERS, now=T0 + timedelta(days=30))
    assert len(outbox_events(database, TaskDue)) == 2
    assert task(database, early.id).record_kind == "opportunity"
    # A task on a contact: its account is the contact's.
    assert create(database, rep, contact_id=contact_id).account_id == account_id


def test_completing_or_cancelling_cancels_the_reminder(database, caller, outbox_events):
    account_id, _, _ = records(database, caller)
    rep = caller("sales", subject="rep-1")
    done = create(database, rep, title="done early", account_id=account_id)
    dropped = create(database, rep, title="dropped", account_id=account_id)
    kept = create(database, rep, title="kept", account_id=account_id)
    closed = close(database, tasks.complete, rep, done.id, note="sent")
    assert (closed.status, closed.closed_by, closed.close_note, closed.closed_at) == (
        "done", "rep-1", "sent", T0 + timedelta(hours=1))
    assert close(database, tasks.cancel, caller("manager", subject="boss-east"), dropped.id,
                 reason="customer went quiet").status == "cancelled"
    with database.session("t1") as session:
        assert timers.pending(session, tasks.REMINDER_TIMER, done.id) is None
        assert timers.pending(session, tasks.REMINDER_TIMER, dropped.id) is None
        assert timers.pending(session, tasks.REMINDER_TIMER, kept.id) is not None
    fire_due(database, TIMERS, now=T0 + timedelta(days=2))
    assert [e.task_id for _, e in outbox_events(database, TaskDue)] == [kept.id]
    # Closed tasks stay closed.
    for function in (tasks.complete, tasks.cancel):
        with pytest.raises(FailedPrecondition) as raised:
            close(database, function, rep, done.id)
        assert "is done" in str(raised.value)


def test_a_reminder_claimed_after_the_task_was_closed_does_nothing(database, caller, outbox_events):
    account_id, _, _ = records(database, caller)
    row = create(database, caller("sales", subject="rep-1"), account_id=account_id)
    with database.session("t1") as session:
        # Closed behind the timer's back (as if the cancel had raced with a claim).
        session.get(SalesTask, row.id).status = "done"
    assert fire_due(database, TIMERS, now=T0 + timedelta(days=2)) == 1
    assert outbox_events(database, TaskDue) == []


def test_overdue_tasks_are_open_ones_past_their_due_time(database, caller):
    account_id, _, _ = records(database, caller)
    rep = caller("sales", subject="rep-1")
    late = create(database, rep, title="late", account_id=account_id, due_at=T0 + timedelta(hours=2))
    create(database, rep, title="later", account_id=account_id, due_at=T0 + timedelta(hours=5))
    done = create(database, rep, title="done late", account_id=account_id, due_at=T0 + timedelta(hours=1))
    close(database, tasks.complete, rep, done.id)
    create(database, rep, title="future", account_id=account_id, due_at=T0 + timedelta(days=3))
    now = T0 + timedelta(hours=6)
    assert listed(database, rep, overdue=True, now=now) == (["late", "later"], False)
    assert listed(database, rep, overdue=True, now=now, limit=1) == (["late"], True)
    assert listed(database, rep, status="open", now=now) == (["late", "later", "future"], False)
    assert listed(database, rep, status="done") == (["done late"], False)
    assert listed(database, rep) == (["done late", "late", "later", "future"], False)
    assert tasks.is_overdue(task(database, late.id), now) and not tasks.is_overdue(task(database, done.id), now)
    with pytest.raises(InvalidArgument) as raised:
        listed(database, rep, overdue=True, status="done")
    assert [v.field for v in raised.value.violations] == ["overdue"]


def test_who_creates_reads_and_closes_tasks(database, caller):
    account_id, _, _ = records(database, caller)
    west_account, _, _ = records(database, caller, owner="rep-3")
    rep1, rep2, rep3 = (caller("sales", subject=who) for who in ("rep-1", "rep-2", "rep-3"))
    boss_east, boss_west = caller("manager", subject="boss-east"), caller("manager", subject="boss-west")
    auditor = caller("auditor", subject="audit-1")
    # The manager assigns a rep of their team on a record they read; the rep creates for themselves.
    assigned = create(database, boss_east, title="visit", account_id=account_id, assignee_id="rep-1")
    own = create(database, rep1, title="own", account_id=account_id)
    assert (assigned.assignee_id, assigned.created_by, assigned.team) == ("rep-1", "boss-east", "east")
    for who, kwargs, error in (
        (rep1, {"account_id": account_id, "assignee_id": "rep-2"}, PermissionDenied),  # a rep assigns no one else
        (boss_east, {"account_id": account_id, "assignee_id": "rep-3"}, PermissionDenied),  # another team's rep
        (rep2, {"account_id": account_id}, NotFound),  # a record they may not read
        (boss_west, {"account_id": account_id, "assignee_id": "rep-3"}, NotFound),
        (auditor, {"account_id": account_id}, PermissionDenied),  # no sales role
    ):
        with pytest.raises(error):
            create(database, who, **kwargs)
    create(database, ADMIN, title="admin's", account_id=west_account, assignee_id="rep-3")

    # Readers: assignee, creator, the assignee's team manager, admin, auditor. Others: NOT_FOUND.
    assert listed(database, rep1) == (["visit", "own"], False)
    assert listed(database, boss_east) == (["visit", "own"], False)
    assert listed(database, rep2) == ([], False)
    assert listed(database, rep3) == (["admin's"], False)
    assert listed(database, boss_west) == (["admin's"], False)
    assert listed(database, auditor) == (["visit", "own", "admin's"], False)
    assert listed(database, ADMIN, team="east") == (["visit", "own"], False)
    assert listed(database, ADMIN, assignee_id="rep-3") == (["admin's"], False)
    assert listed(database, rep1, account_id=account_id) == (["visit", "own"], False)
    with database.session("t1") as session:
        for who in (rep1, boss_east, ADMIN, auditor):
            assert tasks.readable(session, caller=who, task_id=assigned.id).id == assigned.id
        for who in (rep2, rep3, boss_west):
            with pytest.raises(NotFound):
                tasks.readable(session, caller=who, task_id=assigned.id)
    with pytest.raises(PermissionDenied):
        close(database, tasks.complete, auditor, own.id)
    with pytest.raises(NotFound):
        close(database, tasks.cancel, rep2, own.id)
    assert close(database, tasks.complete, boss_east, own.id).closed_by == "boss-east"


def test_task_validation(database, caller):
    account_id, contact_id, _ = records(database, caller)
    rep = caller("sales", subject="rep-1")
    cases = [
        ({"title": " ", "account_id": account_id, "due_at": None}, {"title", "due_time"}),
        ({"account_id": account_id, "priority": "urgent"}, {"priority"}),
        ({"account_id": account_id, "remind_at": T0 + timedelta(days=2)}, {"remind_time"}),
        ({"account_id": account_id, "due_at": datetime(2026, 11, 3, 9, 0)}, {"due_time"}),
        ({"account_id": account_id, "contact_id": contact_id}, {"account_id"}),
        ({}, {"account_id"}),
    ]
    for kwargs, fields in cases:
        with pytest.raises(InvalidArgument) as raised:
            create(database, rep, **kwargs)
        assert {v.field for v in raised.value.violations} == fields, kwargs


def stamp(moment):
    value = Timestamp()
    value.FromDatetime(moment)
    return value


def test_task_rpcs(grpc_service):
    service = grpc_service("sales")
    stub = sales_pb2_grpc.SalesServiceStub(service.channel)
    admin = service.metadata("admin", subject="root")
    stub.UpsertMember(sales_pb2.UpsertMemberRequest(member=sales_pb2.Member(user_id="rep-1", team="east")),
                      metadata=admin)
    rep = service.metadata("sales", subject="rep-1")
    account = stub.CreateAccount(sales_pb2.CreateAccountRequest(name="Acme"), metadata=rep).account
    past = datetime.now(UTC) - timedelta(days=1)
    late = stub.CreateTask(sales_pb2.CreateTaskRequest(title="overdue one", account_id=account.id,
                                                       due_time=stamp(past)), metadata=rep).task
    assert (late.status, late.priority, late.overdue, late.assignee_id, late.team) == (
        "open", "normal", True, "rep-1", "east")
    future = stub.CreateTask(sales_pb2.CreateTaskRequest(
        title="later", account_id=account.id, due_time=stamp(past + timedelta(days=10)),
        remind_time=stamp(past + timedelta(days=9)), priority="low"), metadata=rep).task
    assert not future.overdue and future.remind_time.ToDatetime(tzinfo=UTC) == past + timedelta(days=9)
    overdue = stub.ListTasks(sales_pb2.ListTasksRequest(overdue=True), metadata=rep)
    assert [t.id for t in overdue.tasks] == [late.id] and not overdue.page.next_page_token
    done = stub.CompleteTask(sales_pb2.CompleteTaskRequest(id=late.id, note="called"), metadata=rep).task
    assert (done.status, done.close_note, done.overdue) == ("done", "called", False) and done.close_time.seconds
    assert stub.CancelTask(sales_pb2.CancelTaskRequest(id=future.id), metadata=rep).task.status == "cancelled"
    assert stub.GetTask(sales_pb2.GetTaskRequest(id=future.id), metadata=rep).task.status == "cancelled"
    with pytest.raises(grpc.RpcError) as raised:
        stub.CompleteTask(sales_pb2.CompleteTaskRequest(id=future.id), metadata=rep)
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.RpcError) as raised:
        stub.CreateTask(sales_pb2.CreateTaskRequest(title="x", account_id=account.id), metadata=rep)
    assert set(service.violations(raised.value)) == {"due_time"}
    with pytest.raises(grpc.RpcError) as raised:
        stub.GetTask(sales_pb2.GetTaskRequest(id=late.id), metadata=service.metadata("sales", subject="rep-9"))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
