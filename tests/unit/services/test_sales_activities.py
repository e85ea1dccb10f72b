"""Activities (issue #5 item 1, R-SALES-5): calls, meetings, e-mails and notes on an account, a contact or an
opportunity, listed newest first per record and paged, with the record's visibility (R-SEC-2); contacts carry the
identity customer id of the lead they came from; editing activities (a meeting's calendar rows follow) and tasks (a
new due or reminder time reschedules the reminder, which fires again when moved later); the gRPC API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from crm.events.v1.sales_pb2 import TaskDue
from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.core import timers
from services.core.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from services.core.privacy import Subject
from services.core.timers import fire_due
from services.sales import accounts, activities, calendar, opportunities, privacy, tasks, territories
from services.sales.models import Account, Activity, ActivityAttendee, Contact, SalesTask
from services.sales.timers import TIMERS
from tests.unit.services.test_sales_opportunities import ADMIN, add_roster, deliver, qualified

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def database(migrated_database):
    database = migrated_database("sales")
    add_roster(database)
    return database


def records(database, caller, owner="rep-1"):
    """An account of `owner` with a contact and an opportunity: (account, contact, opportunity) ids."""
    rep = caller("sales", subject=owner)
    with database.session("t1") as session:
        account = accounts.create_account(session, tenant="t1", caller=rep, name="杭州云栖科技", region="east-region")
        contact = Contact(account_id=account.id, name="张伟", email="zw@example.cn")
        session.add(contact)
        session.flush()
        opportunity = opportunities.create_opportunity(session, caller=rep, name="ERP 2026", account_id=account.id)
        return account.id, contact.id, opportunity.id


def log(database, who, **kwargs):
    kwargs.setdefault("kind", "call")
    kwargs.setdefault("subject", "follow-up")
    with database.session("t1") as session:
        return activities.log_activity(session, caller=who, **kwargs)


def listed(database, who, **kwargs):
    with database.session("t1") as session:
        found, more = activities.list_activities(session, caller=who, **kwargs)
        return [activity.subject for activity in found], more


def test_activities_are_listed_per_record_newest_first_and_paged(database, caller):
    account_id, contact_id, opportunity_id = records(database, caller)
    rep = caller("sales", subject="rep-1")
    for hours, kind, subject in ((1, "call", "first call"), (5, "email", "sent the brochure"),
                                 (3, "note", "budget in Q1"), (8, "call", "second call")):
        log(database, rep, kind=kind, subject=subject, account_id=account_id, occurred_at=T0 + timedelta(hours=hours),
            outcome="interested" if kind == "call" else "")
    log(database, rep, subject="asked for a demo", contact_id=contact_id, occurred_at=T0)
    log(database, rep, kind="note", subject="champion: 张伟", opportunity_id=opportunity_id, occurred_at=T0)

    assert listed(database, rep, account_id=account_id) == (
        ["second call", "sent the brochure", "budget in Q1", "first call"], False)
    assert listed(database, rep, account_id=account_id, limit=3) == (
        ["second call", "sent the brochure", "budget in Q1"], True)
    assert listed(database, rep, account_id=account_id, offset=3, limit=3) == (["first call"], False)
    assert listed(database, rep, account_id=account_id, kind="call") == (["second call", "first call"], False)
    # Each record lists its own.
    assert listed(database, rep, contact_id=contact_id) == (["asked for a demo"], False)
    assert listed(database, rep, opportunity_id=opportunity_id) == (["champion: 张伟"], False)

    with database.session("t1") as session:
        [first] = [a for a in activities.list_activities(session, caller=rep, contact_id=contact_id)[0]]
        assert (first.record_kind, first.account_id, first.user_id, first.logged_by, first.owner_id, first.team) == (
            "contact", account_id, "rep-1", "rep-1", "rep-1", "east")


def test_who_reads_and_who_logs_follow_the_record(database, caller):
    account_id, _, opportunity_id = records(database, caller)
    log(database, caller("sales", subject="rep-1"), account_id=account_id, subject="call 1")
    log(database, caller("sales", subject="rep-1"), opportunity_id=opportunity_id, subject="deal note")
    readers = (caller("sales", subject="rep-1"), caller("manager", subject="boss-east"), ADMIN,
               caller("auditor", subject="audit-1"))
    for who in readers:
        assert listed(database, who, account_id=account_id) == (["call 1"], False), who
    # A rep of the same team, the other team's manager, an approver: NOT_FOUND, as the record itself.
    for who in (caller("sales", subject="rep-2"), caller("manager", subject="boss-west"),
                caller("sales", subject="fin")):
        with pytest.raises(NotFound):
            listed(database, who, account_id=account_id)
        with pytest.raises(NotFound):
            log(database, who, account_id=account_id)
    # The auditor reads but does not log.
    with pytest.raises(PermissionDenied):
        log(database, caller("auditor", subject="audit-1"), account_id=account_id)
    # A territory manager reads the opportunity, hence its activities, but does not log on it.
    with database.session("t1") as session:
        territories.upsert(session, caller=ADMIN, name="华东", regions=["east-region"], manager_id="boss-west")
    boss_west = caller("manager", subject="boss-west")
    assert listed(database, boss_west, opportunity_id=opportunity_id) == (["deal note"], False)
    with pytest.raises(PermissionDenied):
        log(database, boss_west, opportunity_id=opportunity_id)
    # Another tenant does not see the record at all.
    with database.session("t2") as session, pytest.raises(NotFound):
        activities.list_activities(session, caller=caller("admin", tenant="t2"), account_id=account_id)


def test_logging_for_someone_else(database, caller):
    account_id, _, _ = records(database, caller)
    # The manager logs the call a rep of their team made; admin for anyone.
    done = log(database, caller("manager", subject="boss-east"), account_id=account_id, user_id="rep-1")
    assert (done.user_id, done.logged_by) == ("rep-1", "boss-east")
    assert log(database, ADMIN, account_id=account_id, user_id="rep-3").user_id == "rep-3"
    # A rep only for themselves; a manager not for another team.
    with pytest.raises(PermissionDenied):
        log(database, caller("sales", subject="rep-1"), account_id=account_id, user_id="rep-2")
    with pytest.raises(PermissionDenied):
        log(database, caller("manager", subject="boss-east"), account_id=account_id, user_id="rep-3")


def test_meetings_need_a_start_and_an_end_and_only_they_have_place_and_attendees(database, caller):
    account_id, contact_id, _ = records(database, caller)
    rep = caller("sales", subject="rep-1")
    meeting = log(database, rep, kind="meeting", subject="季度回顾", account_id=account_id, occurred_at=T0,
                  ends_at=T0 + timedelta(hours=1), location="会议室 A", attendees=["rep-2", " boss-east", "rep-2",
                                                                                  "rep-1"])
    # The holder is not repeated among the attendees; duplicates and blanks are dropped.
    assert (meeting.attendees, meeting.occurred_at, meeting.ends_at) == (["rep-2", "boss-east"], T0,
                                                                         T0 + timedelta(hours=1))
    with database.session("t1") as session:
        rows = session.query(ActivityAttendee).order_by(ActivityAttendee.user_id).all()
        assert [(row.user_id, row.starts_at) for row in rows] == [("boss-east", T0), ("rep-1", T0), ("rep-2", T0)]

    cases = [
        ({"kind": "meeting", "account_id": account_id}, {"occur_time", "end_time"}),
        ({"kind": "meeting", "account_id": account_id, "occurred_at": T0, "ends_at": T0}, {"end_time"}),
        ({"kind": "meeting", "account_id": account_id, "occurred_at": T0, "ends_at": T0 + timedelta(days=15)},
         {"end_time"}),
        ({"kind": "call", "account_id": account_id, "location": "x", "attendees": ["rep-2"],
          "ends_at": T0}, {"location", "attendee_ids", "end_time"}),
        ({"kind": "visit", "account_id": account_id, "subject": " "}, {"kind", "subject"}),
        ({"account_id": account_id, "contact_id": contact_id}, {"account_id"}),
        ({}, {"account_id"}),
        ({"account_id": account_id, "occurred_at": datetime(2026, 11, 2, 9, 0)}, {"occur_time"}),
    ]
    for kwargs, fields in cases:
        with pytest.raises(InvalidArgument) as raised:
            log(database, rep, **kwargs)
        assert {v.field for v in raised.value.violations} == fields, kwargs


def test_a_qualified_leads_contact_carries_its_customer_id(database):
    deliver(database, qualified())
    with database.session("t1") as session:
        [contact] = session.query(Contact).all()
        assert contact.customer_id == "C20260301001"


def test_a_persons_activities_and_tasks_are_exported_and_erased(database, caller):
    account_id, contact_id, opportunity_id = records(database, caller)
    other_account, _, _ = records(database, caller)
    rep = caller("sales", subject="rep-1")
    with database.session("t1") as session:
        session.get(Contact, contact_id).customer_id = "C-1"
    log(database, rep, subject="电话：张伟想要报价", contact_id=contact_id, notes="家庭住址 ...", outcome="interested")
    log(database, rep, kind="meeting", subject="demo", opportunity_id=opportunity_id, occurred_at=T0,
        ends_at=T0 + timedelta(hours=1), location="张伟家")
    kept = log(database, rep, subject="another customer", account_id=other_account).id
    with database.session("t1") as session:
        tasks.create_task(session, caller=rep, title="call 张伟 back", contact_id=contact_id, notes="mobile ...",
                          due_at=T0 + timedelta(days=1))
    subject = Subject(request_id="r-1", kind="erase", customer_id="C-1", customer_ids=("C-1",))
    # The contact carries the person's customer id: its activities and tasks, not the account's others.
    with database.session("t1") as session:
        section = privacy.export(session, subject).section
    assert [a["subject"] for a in section["activities"]] == ["电话：张伟想要报价"]
    assert [task["title"] for task in section["tasks"]] == ["call 张伟 back"]
    # Through the account's customer id, the opportunity's meeting too.
    with database.session("t1") as session:
        session.get(Account, account_id).customer_id = "C-1"
    with database.session("t1") as session:
        privacy.erase(session, subject)
    with database.session("t1") as session:
        rows = {row.id: row for row in session.query(Activity).all()}
        erased = [(row.subject, row.notes, row.outcome, row.location) for key, row in sorted(rows.items())
                  if key != kept]
        assert erased == [("[erased]", "", "", ""), ("[erased]", "", "", "")]
        assert rows[kept].subject == "another customer"
        [row] = session.query(SalesTask).all()
        assert (row.title, row.notes, row.status) == ("[erased]", "", "open")


def stamp(moment):
    value = Timestamp()
    value.FromDatetime(moment)
    return value


def test_activity_rpcs(grpc_service):
    service = grpc_service("sales")
    stub = sales_pb2_grpc.SalesServiceStub(service.channel)
    admin = service.metadata("admin", subject="root")
    stub.UpsertMember(sales_pb2.UpsertMemberRequest(member=sales_pb2.Member(user_id="rep-1", team="east")),
                      metadata=admin)
    rep = service.metadata("sales", subject="rep-1")
    account = stub.CreateAccount(sales_pb2.CreateAccountRequest(name="Acme"), metadata=rep).account
    for hour in range(3):
        stub.LogActivity(sales_pb2.LogActivityRequest(kind="call", account_id=account.id, subject=f"call {hour}",
                                                      occur_time=stamp(T0 + timedelta(hours=hour))), metadata=rep)
    meeting = stub.LogActivity(sales_pb2.LogActivityRequest(
        kind="meeting", account_id=account.id, subject="demo", occur_time=stamp(T0 + timedelta(days=1)),
        end_time=stamp(T0 + timedelta(days=1, hours=2)), location="Hangzhou", attendee_ids=["rep-2"]),
        metadata=rep).activity
    assert (meeting.kind, meeting.user_id, list(meeting.attendee_ids), meeting.team) == ("meeting", "rep-1",
                                                                                         ["rep-2"], "east")
    assert meeting.end_time.ToDatetime(tzinfo=UTC) == T0 + timedelta(days=1, hours=2)
    first = stub.ListActivities(sales_pb2.ListActivitiesRequest(
        account_id=account.id, page={"page_size": 3}), metadata=rep)
    assert [a.subject for a in first.activities] == ["demo", "call 2", "call 1"] and first.page.next_page_token
    second = stub.ListActivities(sales_pb2.ListActivitiesRequest(
        account_id=account.id, page={"page_size": 3, "page_token": first.page.next_page_token}), metadata=rep)
    assert [a.subject for a in second.activities] == ["call 0"] and not second.page.next_page_token
    with pytest.raises(grpc.RpcError) as raised:
        stub.LogActivity(sales_pb2.LogActivityRequest(kind="meeting", account_id=account.id, subject="x"),
                         metadata=rep)
    assert set(service.violations(raised.value)) == {"occur_time", "end_time"}
    with pytest.raises(grpc.RpcError) as raised:
        stub.ListActivities(sales_pb2.ListActivitiesRequest(account_id=account.id),
                            metadata=service.metadata("sales", subject="rep-9"))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


# --- editing activities and tasks ---------------------------------------------------------------------------------


def edit(database, who, activity_id, **kwargs):
    with database.session("t1") as session:
        return activities.update_activity(session, caller=who, activity_id=activity_id, **kwargs)


def calendar_of(database, user_id, start, end):
    with database.session("t1") as session:
        return [(entry.id, entry.start, entry.end) for entry in calendar.entries(
            session, caller=ADMIN, start=start, end=end, user_id=user_id).entries if entry.kind == "meeting"]


def test_an_edited_meeting_moves_in_the_calendars_of_its_holder_and_attendees(database, caller):
    account_id, _, _ = records(database, caller)
    rep = caller("sales", subject="rep-1")
    meeting = log(database, rep, kind="meeting", subject="季度回顾", account_id=account_id, occurred_at=T0,
                  ends_at=T0 + timedelta(hours=1), location="会议室 A", attendees=["rep-2", "boss-east"])
    start, end = T0 + timedelta(days=2), T0 + timedelta(days=2, hours=2)
    edited = edit(database, rep, meeting.id, subject="季度回顾（改期）", occurred_at=start, ends_at=end,
                  location="", attendees=["rep-2", "rep-3", "rep-1", " "])
    assert (edited.subject, edited.occurred_at, edited.ends_at, edited.location, edited.attendees) == (
        "季度回顾（改期）", start, end, "", ["rep-2", "rep-3"])
    assert (edited.notes, edited.kind, edited.user_id) == ("", "meeting", "rep-1")
    with database.session("t1") as session:
        rows = session.query(ActivityAttendee).order_by(ActivityAttendee.user_id).all()
        assert [(row.user_id, row.starts_at, row.ends_at) for row in rows] == [
            ("rep-1", start, end), ("rep-2", start, end), ("rep-3", start, end)]
    week = (T0, T0 + timedelta(days=7))
    for user_id in ("rep-1", "rep-2", "rep-3"):
        assert calendar_of(database, user_id, *week) == [(meeting.id, start, end)], user_id
    assert calendar_of(database, "boss-east", *week) == []  # no longer invited
    assert calendar_of(database, "rep-1", T0, T0 + timedelta(days=1)) == []  # no longer on the old day

    # Moving only the start keeps the end: the rows follow; a start past the end is refused on occur_time.
    edit(database, rep, meeting.id, occurred_at=start + timedelta(hours=1))
    assert calendar_of(database, "rep-3", *week) == [(meeting.id, start + timedelta(hours=1), end)]
    # Attendees only, the times stay; an empty list leaves the holder alone.
    edit(database, rep, meeting.id, attendees=[])
    assert calendar_of(database, "rep-2", *week) == []
    assert calendar_of(database, "rep-1", *week) == [(meeting.id, start + timedelta(hours=1), end)]
    cases = [
        ({"occurred_at": end}, {"occur_time"}),
        ({"ends_at": start + timedelta(days=15)}, {"end_time"}),
        ({"subject": " ", "notes": "n" * 10001, "outcome": "o" * 201}, {"subject", "notes", "outcome"}),
        ({"ends_at": datetime(2026, 11, 5, 9, 0)}, {"end_time"}),
        ({"attendees": [f"user-{n}" for n in range(51)]}, {"attendees.user_ids"}),
    ]
    for kwargs, fields in cases:
        with pytest.raises(InvalidArgument) as raised:
            edit(database, rep, meeting.id, **kwargs)
        assert {v.field for v in raised.value.violations} == fields, kwargs
    # A call has no end, place or attendees.
    call = log(database, rep, account_id=account_id, occurred_at=T0)
    with pytest.raises(InvalidArgument) as raised:
        edit(database, rep, call.id, location="x", attendees=["rep-2"], ends_at=T0 + timedelta(hours=1))
    assert {v.field for v in raised.value.violations} == {"location", "attendees", "end_time"}
    moved = edit(database, rep, call.id, occurred_at=T0 - timedelta(hours=1), outcome="回电")
    assert (moved.occurred_at, moved.outcome, moved.subject) == (T0 - timedelta(hours=1), "回电", "follow-up")
    with database.session("t1") as session:
        assert session.query(ActivityAttendee).filter_by(activity_id=call.id).count() == 0


def test_who_edits_an_activity_is_who_logs_on_its_record(database, caller):
    account_id, _, opportunity_id = records(database, caller)
    on_account = log(database, caller("sales", subject="rep-1"), account_id=account_id).id
    on_deal = log(database, caller("sales", subject="rep-1"), opportunity_id=opportunity_id).id
    assert edit(database, caller("manager", subject="boss-east"), on_account, notes="manager's").notes == "manager's"
    assert edit(database, ADMIN, on_account, notes="admin's").notes == "admin's"
    for who in (caller("sales", subject="rep-2"), caller("sales", subject="rep-3"),
                caller("manager", subject="boss-west")):
        with pytest.raises(NotFound):
            edit(database, who, on_account, notes="x")
    with pytest.raises(PermissionDenied):
        edit(database, caller("auditor", subject="audit-1"), on_account, notes="x")
    with pytest.raises(NotFound):
        edit(database, ADMIN, "missing", notes="x")
    # A territory manager reads the opportunity's activities but does not edit them.
    with database.session("t1") as session:
        territories.upsert(session, caller=ADMIN, name="华东", regions=["east-region"], manager_id="boss-west")
    with pytest.raises(PermissionDenied):
        edit(database, caller("manager", subject="boss-west"), on_deal, notes="x")
    with database.session("t1") as session:
        assert session.get(Activity, on_account).notes == "admin's"
        assert session.get(Activity, on_deal).notes == ""


def make_task(database, who, **kwargs):
    kwargs.setdefault("title", "send the proposal")
    kwargs.setdefault("due_at", T0 + timedelta(days=1))
    with database.session("t1") as session:
        return tasks.create_task(session, caller=who, now=T0, **kwargs)


def edit_task(database, who, task_id, **kwargs):
    with database.session("t1") as session:
        return tasks.update_task(session, caller=who, task_id=task_id, **kwargs)


def reminder(database, task_id):
    with database.session("t1") as session:
        found = timers.pending(session, tasks.REMINDER_TIMER, task_id)
        return found[0] if found is not None else None


def test_a_new_due_or_reminder_time_reschedules_the_reminder(database, caller, outbox_events):
    account_id, _, _ = records(database, caller)
    rep = caller("sales", subject="rep-1")
    plain = make_task(database, rep, account_id=account_id)
    early = make_task(database, rep, account_id=account_id, title="demo", due_at=T0 + timedelta(days=2),
                      remind_at=T0 + timedelta(days=2) - timedelta(hours=4))
    # A later due time: the reminder (at the due time) follows it, and the early one keeps its 4 hours' lead.
    moved = edit_task(database, rep, plain.id, due_at=T0 + timedelta(days=3))
    assert (moved.due_at, moved.remind_at) == (T0 + timedelta(days=3), T0 + timedelta(days=3))
    assert reminder(database, plain.id) == T0 + timedelta(days=3)
    edit_task(database, rep, early.id, due_at=T0 + timedelta(days=5))
    assert reminder(database, early.id) == T0 + timedelta(days=5) - timedelta(hours=4)
    fire_due(database, TIMERS, now=T0 + timedelta(days=2, hours=23))
    assert outbox_events(database, TaskDue) == []  # the old times pass silently

    # A reminder time of its own; after the due time is refused.
    edit_task(database, rep, plain.id, remind_at=T0 + timedelta(days=2))
    assert reminder(database, plain.id) == T0 + timedelta(days=2)
    with pytest.raises(InvalidArgument) as raised:
        edit_task(database, rep, plain.id, remind_at=T0 + timedelta(days=4))
    assert [v.field for v in raised.value.violations] == ["remind_time"]
    fire_due(database, TIMERS, now=T0 + timedelta(days=3))
    [(_, first)] = outbox_events(database, TaskDue)
    assert (first.task_id, first.due_time.ToDatetime(tzinfo=UTC)) == (plain.id, T0 + timedelta(days=3))

    # Fired, then moved later: it reminds again, at the new time, once.
    edit_task(database, rep, plain.id, title="send the revised proposal")
    assert reminder(database, plain.id) is None  # a title is no reason to remind again
    again = edit_task(database, rep, plain.id, due_at=T0 + timedelta(days=6))
    assert (again.reminded_at, again.remind_at) == (None, T0 + timedelta(days=5))  # the 1 day lead kept
    assert fire_due(database, TIMERS, now=T0 + timedelta(days=5)) == 2  # its new reminder and the early one's
    fire_due(database, TIMERS, now=T0 + timedelta(days=30))
    dues = [event for _, event in outbox_events(database, TaskDue) if event.task_id == plain.id]
    assert [(e.title, e.due_time.ToDatetime(tzinfo=UTC)) for e in dues] == [
        ("send the proposal", T0 + timedelta(days=3)), ("send the revised proposal", T0 + timedelta(days=6))]
    # Fired, then moved earlier: nothing more.
    earlier = edit_task(database, rep, plain.id, remind_at=T0 + timedelta(days=4))
    assert earlier.reminded_at is not None and reminder(database, plain.id) is None
    fire_due(database, TIMERS, now=T0 + timedelta(days=60))
    assert len([e for _, e in outbox_events(database, TaskDue) if e.task_id == plain.id]) == 2


def test_who_edits_a_task_and_only_while_it_is_open(database, caller):
    account_id, _, _ = records(database, caller)
    rep1, rep2, rep3 = (caller("sales", subject=who) for who in ("rep-1", "rep-2", "rep-3"))
    boss_east = caller("manager", subject="boss-east")
    row = make_task(database, rep1, account_id=account_id)
    edited = edit_task(database, rep1, row.id, title=" call the CFO ", notes="budget", priority="HIGH")
    assert (edited.title, edited.notes, edited.priority) == ("call the CFO", "budget", "high")
    # Another rep, of the same team or not: the task is not theirs to see.
    for who in (rep2, rep3, caller("manager", subject="boss-west")):
        with pytest.raises(NotFound):
            edit_task(database, who, row.id, title="x")
    with pytest.raises(PermissionDenied):
        edit_task(database, caller("auditor", subject="audit-1"), row.id, title="x")
    # Reassigning: to whom the caller may assign tasks; the task takes the new assignee's team.
    with pytest.raises(PermissionDenied):
        edit_task(database, rep1, row.id, assignee_id="rep-2")
    with pytest.raises(PermissionDenied):
        edit_task(database, boss_east, row.id, assignee_id="rep-3")
    assert (edit_task(database, boss_east, row.id, assignee_id="rep-2").team) == "east"
    moved = edit_task(database, ADMIN, row.id, assignee_id="rep-3")
    assert (moved.assignee_id, moved.team) == ("rep-3", "west")
    assert edit_task(database, rep3, row.id, priority="low").priority == "low"
    assert edit_task(database, rep1, row.id, notes="still the creator").notes == "still the creator"
    with pytest.raises(NotFound):
        edit_task(database, boss_east, row.id, notes="x")  # no longer their team's
    cases = [
        ({"title": " ", "notes": "n" * 4001}, {"title", "notes"}),
        ({"priority": "urgent", "assignee_id": " "}, {"priority", "assignee_id"}),
        ({"due_at": datetime(2026, 11, 5, 9, 0)}, {"due_time"}),
    ]
    for kwargs, fields in cases:
        with pytest.raises(InvalidArgument) as raised:
            edit_task(database, rep3, row.id, **kwargs)
        assert {v.field for v in raised.value.violations} == fields, kwargs
    with database.session("t1") as session:
        tasks.complete(session, caller=rep3, task_id=row.id)
    with pytest.raises(FailedPrecondition) as raised:
        edit_task(database, rep3, row.id, due_at=T0 + timedelta(days=9))
    assert "only an open task can be edited" in str(raised.value)
    assert reminder(database, row.id) is None


def test_update_activity_and_task_rpcs(grpc_service):
    service = grpc_service("sales")
    stub = sales_pb2_grpc.SalesServiceStub(service.channel)
    stub.UpsertMember(sales_pb2.UpsertMemberRequest(member=sales_pb2.Member(user_id="rep-1", team="east")),
                      metadata=service.metadata("admin", subject="root"))
    rep = service.metadata("sales", subject="rep-1")
    account = stub.CreateAccount(sales_pb2.CreateAccountRequest(name="Acme"), metadata=rep).account
    meeting = stub.LogActivity(sales_pb2.LogActivityRequest(
        kind="meeting", account_id=account.id, subject="demo", notes="bring the laptop", occur_time=stamp(T0),
        end_time=stamp(T0 + timedelta(hours=1)), location="Hangzhou", attendee_ids=["rep-2"]), metadata=rep).activity
    # Unset fields stay; a set one replaces, "" and an empty attendee list included.
    edited = stub.UpdateActivity(sales_pb2.UpdateActivityRequest(
        id=meeting.id, location="", end_time=stamp(T0 + timedelta(hours=2)),
        attendees=sales_pb2.Attendees(user_ids=["rep-3"])), metadata=rep).activity
    assert (edited.subject, edited.notes, edited.location, list(edited.attendee_ids)) == (
        "demo", "bring the laptop", "", ["rep-3"])
    assert edited.end_time.ToDatetime(tzinfo=UTC) == T0 + timedelta(hours=2)
    cleared = stub.UpdateActivity(sales_pb2.UpdateActivityRequest(id=meeting.id, attendees=sales_pb2.Attendees()),
                                  metadata=rep).activity
    assert list(cleared.attendee_ids) == [] and cleared.location == ""
    with pytest.raises(grpc.RpcError) as raised:
        stub.UpdateActivity(sales_pb2.UpdateActivityRequest(id=meeting.id, subject=""), metadata=rep)
    assert set(service.violations(raised.value)) == {"subject"}

    due = datetime.now(UTC) + timedelta(days=1)
    task = stub.CreateTask(sales_pb2.CreateTaskRequest(title="call back", notes="after 3pm", account_id=account.id,
                                                       due_time=stamp(due)), metadata=rep).task
    later = stub.UpdateTask(sales_pb2.UpdateTaskRequest(id=task.id, due_time=stamp(due + timedelta(days=1)),
                                                        priority="high"), metadata=rep).task
    assert (later.title, later.notes, later.priority) == ("call back", "after 3pm", "high")
    assert later.remind_time.ToDatetime(tzinfo=UTC) == due + timedelta(days=1)
    assert stub.UpdateTask(sales_pb2.UpdateTaskRequest(id=task.id, notes=""), metadata=rep).task.notes == ""
    with pytest.raises(grpc.RpcError) as raised:
        stub.UpdateTask(sales_pb2.UpdateTaskRequest(id=task.id, remind_time=stamp(due + timedelta(days=3))),
                        metadata=rep)
    assert set(service.violations(raised.value)) == {"remind_time"}
    with pytest.raises(grpc.RpcError) as raised:
        stub.UpdateTask(sales_pb2.UpdateTaskRequest(id=task.id, title="x"),
                        metadata=service.metadata("sales", subject="rep-9"))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    stub.CancelTask(sales_pb2.CancelTaskRequest(id=task.id), metadata=rep)
    with pytest.raises(grpc.RpcError) as raised:
        stub.UpdateTask(sales_pb2.UpdateTaskRequest(id=task.id, title="x"), metadata=rep)
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "only an open task can be edited" in raised.value.details()


def test_the_calendar_export_counts_each_change_so_calendar_programs_replace_their_copy(database, caller):
    from icalendar import Calendar

    account_id, _, _ = records(database, caller)
    rep = caller("sales", subject="rep-1")
    meeting = log(database, rep, kind="meeting", subject="Demo", account_id=account_id, occurred_at=T0,
                  ends_at=T0 + timedelta(hours=1))
    task = make_task(database, rep, account_id=account_id, assignee_id="rep-1")

    def exported() -> dict[str, tuple[int, datetime | None]]:
        with database.session("t1") as session:
            data, _ = calendar.export(session, caller=rep, start=T0 - timedelta(days=1), end=T0 + timedelta(days=9),
                                      user_id="rep-1")
        found = {}
        for component in Calendar.from_ical(data).walk():
            if component.name in ("VEVENT", "VTODO"):
                modified = component.get("last-modified")
                found[str(component["uid"]).split("@")[0]] = (int(component["sequence"]),
                                                              modified.dt if modified is not None else None)
        return found

    first = exported()
    assert first == {f"activity-{meeting.id}": (0, meeting.created_at.replace(microsecond=0)),
                     f"task-{task.id}": (0, task.created_at.replace(microsecond=0))}
    edit(database, rep, meeting.id, occurred_at=T0 + timedelta(days=2), ends_at=T0 + timedelta(days=2, hours=1))
    edit_task(database, rep, task.id, due_at=T0 + timedelta(days=3))
    second = exported()
    assert [second[key][0] for key in sorted(second)] == [1, 1]
    assert all(second[key][1] >= first[key][1] for key in second)  # iCalendar times have whole seconds
    with database.session("t1") as session:
        tasks.complete(session, caller=rep, task_id=task.id)
    assert exported()[f"task-{task.id}"][0] == 2
