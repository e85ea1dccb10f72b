"""The sales calendar (issue #5 item 1, R-SALES-5): a person's or a team's meetings and task due times in one
period, ordered by start; who may look at whose calendar; the iCalendar export (RFC 5545) read back with the
`icalendar` parser, escaping and line folding included; the gRPC API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from icalendar import Calendar

from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.core.errors import InvalidArgument, PermissionDenied
from services.sales import activities, calendar, tasks
from tests.unit.services.test_sales_activities import records
from tests.unit.services.test_sales_opportunities import ADMIN, add_roster

MONDAY = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)
WEEK = (MONDAY, MONDAY + timedelta(days=7))


@pytest.fixture
def database(migrated_database):
    database = migrated_database("sales")
    add_roster(database)
    return database


def meeting(database, who, account_id, subject, start, hours=1, attendees=(), location=""):
    with database.session("t1") as session:
        return activities.log_activity(session, caller=who, kind="meeting", subject=subject, account_id=account_id,
                                       occurred_at=start, ends_at=start + timedelta(hours=hours),
                                       attendees=attendees, location=location).id


def task(database, who, account_id, title, due, **kwargs):
    with database.session("t1") as session:
        return tasks.create_task(session, caller=who, title=title, account_id=account_id, due_at=due, **kwargs).id


def week_of(database, who, *, start=WEEK[0], end=WEEK[1], **kwargs):
    with database.session("t1") as session:
        return calendar.entries(session, caller=who, start=start, end=end, **kwargs)


def titles(view):
    return [(entry.kind, entry.title) for entry in view.entries]


@pytest.fixture
def week(database, caller):
    """rep-1's and rep-2's (team east) and rep-3's (west) week."""
    account_id, _, _ = records(database, caller)
    west_account, _, _ = records(database, caller, owner="rep-3")
    rep1, rep3 = caller("sales", subject="rep-1"), caller("sales", subject="rep-3")
    boss_east = caller("manager", subject="boss-east")
    ids = {
        "kick-off": meeting(database, rep1, account_id, "kick-off", MONDAY + timedelta(hours=1), attendees=["rep-2"],
                            location="Hangzhou"),
        "review": meeting(database, rep1, account_id, "review", MONDAY + timedelta(days=2, hours=6)),
        # Began the week before and ends within it: it overlaps.
        "offsite": meeting(database, rep1, account_id, "offsite", MONDAY - timedelta(days=2), hours=50),
        # Outside the week.
        "next week": meeting(database, rep1, account_id, "next week", WEEK[1]),
        "last week": meeting(database, rep1, account_id, "last week", MONDAY - timedelta(days=3)),
        "west": meeting(database, rep3, west_account, "west visit", MONDAY + timedelta(hours=3)),
        "proposal": task(database, rep1, account_id, "proposal", MONDAY + timedelta(days=1), priority="high"),
        "rep-2 call": task(database, boss_east, account_id, "rep-2 call", MONDAY + timedelta(days=2, hours=6),
                           assignee_id="rep-2"),
        "dropped": task(database, rep1, account_id, "dropped", MONDAY + timedelta(days=3)),
        "west task": task(database, rep3, west_account, "west task", MONDAY + timedelta(days=4)),
    }
    with database.session("t1") as session:
        tasks.cancel(session, caller=rep1, task_id=ids["dropped"])
    return ids


def test_a_persons_week_holds_their_meetings_and_tasks_by_start(database, caller, week):
    view = week_of(database, caller("sales", subject="rep-1"))
    assert titles(view) == [("meeting", "offsite"), ("meeting", "kick-off"), ("task", "proposal"),
                            ("meeting", "review")]
    assert not view.truncated
    kick_off = view.entries[1]
    assert (kick_off.user_ids, kick_off.location, kick_off.end) == (("rep-1", "rep-2"), "Hangzhou",
                                                                    MONDAY + timedelta(hours=2))
    proposal = view.entries[2]
    assert (proposal.status, proposal.priority, proposal.start, proposal.end, proposal.record_kind) == (
        "open", "high", MONDAY + timedelta(days=1), MONDAY + timedelta(days=1), "account")
    # An attendee has the meeting in their calendar too.
    assert titles(week_of(database, caller("sales", subject="rep-2"))) == [("meeting", "kick-off"),
                                                                            ("task", "rep-2 call")]
    # A shorter period: the meetings still running at its start, the task due just before its end.
    assert titles(week_of(database, caller("sales", subject="rep-1"), start=MONDAY + timedelta(hours=1, minutes=30),
                          end=MONDAY + timedelta(days=1, seconds=1))) == [("meeting", "offsite"),
                                                                          ("meeting", "kick-off"),
                                                                          ("task", "proposal")]
    assert titles(week_of(database, caller("sales", subject="rep-1"), start=MONDAY + timedelta(hours=2),
                          end=MONDAY + timedelta(days=1))) == []
    # A completed task stays (as done); a cancelled one is gone.
    with database.session("t1") as session:
        tasks.complete(session, caller=caller("sales", subject="rep-1"), task_id=week["proposal"])
    assert [e.status for e in week_of(database, caller("sales", subject="rep-1")).entries if e.kind == "task"] == [
        "done"]


def test_a_team_calendar_holds_each_meeting_once(database, caller, week):
    # At the same start (review, rep-2 call) the meeting comes before the task.
    view = week_of(database, caller("manager", subject="boss-east"), team="east")
    assert titles(view) == [("meeting", "offsite"), ("meeting", "kick-off"), ("task", "proposal"),
                            ("meeting", "review"), ("task", "rep-2 call")]
    assert titles(week_of(database, ADMIN, team="west")) == [("meeting", "west visit"), ("task", "west task")]
    assert titles(week_of(database, ADMIN, team="nobody")) == []


def test_who_may_see_whose_calendar(database, caller, week):
    boss_east = caller("manager", subject="boss-east")
    # The manager sees their reps' calendars, admin and auditor anyone's.
    assert titles(week_of(database, boss_east, user_id="rep-2")) == [("meeting", "kick-off"),
                                                                     ("task", "rep-2 call")]
    assert len(week_of(database, caller("auditor", subject="a"), user_id="rep-3").entries) == 2
    assert len(week_of(database, ADMIN, user_id="rep-1").entries) == 4
    for who, kwargs in ((caller("sales", subject="rep-1"), {"user_id": "rep-2"}),
                        (caller("sales", subject="rep-1"), {"team": "east"}),
                        (boss_east, {"user_id": "rep-3"}),
                        (boss_east, {"team": "west"})):
        with pytest.raises(PermissionDenied):
            week_of(database, who, **kwargs)


def test_calendar_validation(database, caller):
    rep = caller("sales", subject="rep-1")
    for kwargs, fields in (
        ({"start": None, "end": None}, {"start_time", "end_time"}),
        ({"start": MONDAY, "end": MONDAY}, {"end_time"}),
        ({"start": MONDAY, "end": MONDAY + timedelta(days=367)}, {"end_time"}),
        ({"user_id": "rep-1", "team": "east"}, {"user_id"}),
    ):
        with pytest.raises(InvalidArgument) as raised:
            week_of(database, rep, **kwargs)
        assert {v.field for v in raised.value.violations} == fields, kwargs


def test_the_icalendar_export_reads_back(database, caller):
    account_id, _, _ = records(database, caller)
    rep = caller("sales", subject="rep-1")
    # Commas, semicolons, a backslash, a new line, and Chinese long enough to be folded.
    subject = "季度回顾; 续约, 价格\\折扣\n第二项：" + "部署计划与培训安排" * 6
    meeting_id = meeting(database, rep, account_id, subject, MONDAY + timedelta(hours=1), attendees=["rep-2"],
                         location="会议室 A, 3 楼")
    task_id = task(database, rep, account_id, "send the proposal", MONDAY + timedelta(days=1),
                   remind_at=MONDAY + timedelta(hours=20), priority="high")
    done_id = task(database, rep, account_id, "call back", MONDAY + timedelta(days=2))
    with database.session("t1") as session:
        tasks.complete(session, caller=rep, task_id=done_id, now=MONDAY + timedelta(days=1, hours=3))
        ics, file_name = calendar.export(session, caller=rep, start=WEEK[0], end=WEEK[1])
    assert file_name == "calendar-user-rep-1.ics"
    lines = ics.split(b"\r\n")
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-1] == b"" and lines[-2] == b"END:VCALENDAR"
    # Lines are folded at 75 octets (RFC 5545 3.1), never inside a UTF-8 character.
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)
    assert b"\\;" in ics and b"\\," in ics and b"\\n" in ics and b"\\\\" in ics
    for line in lines:
        line.decode("utf-8")

    parsed = Calendar.from_ical(ics)
    assert (str(parsed["version"]), str(parsed["prodid"])) == ("2.0", calendar.PRODID)
    [event] = parsed.walk("VEVENT")
    assert str(event["summary"]) == subject and str(event["location"]) == "会议室 A, 3 楼"
    assert str(event["uid"]) == f"activity-{meeting_id}@crm-sales"
    assert (event.decoded("dtstart"), event.decoded("dtend")) == (MONDAY + timedelta(hours=1),
                                                                  MONDAY + timedelta(hours=2))
    todos = {str(todo["uid"]): todo for todo in parsed.walk("VTODO")}
    assert set(todos) == {f"task-{task_id}@crm-sales", f"task-{done_id}@crm-sales"}
    open_todo, done_todo = todos[f"task-{task_id}@crm-sales"], todos[f"task-{done_id}@crm-sales"]
    assert (str(open_todo["summary"]), open_todo.decoded("due"), int(open_todo["priority"]),
            str(open_todo["status"])) == ("send the proposal", MONDAY + timedelta(days=1), 1, "NEEDS-ACTION")
    [alarm] = open_todo.walk("VALARM")
    assert alarm["trigger"].params["VALUE"] == "DATE-TIME"
    assert (str(alarm["action"]), alarm.decoded("trigger")) == ("DISPLAY", MONDAY + timedelta(hours=20))
    assert (str(done_todo["status"]), done_todo.decoded("completed"), int(done_todo["priority"])) == (
        "COMPLETED", MONDAY + timedelta(days=1, hours=3), 5)
    assert done_todo.walk("VALARM") == []
    assert str(open_todo["x-crm-record"]) == f"account:{account_id}"


def stamp(moment):
    value = Timestamp()
    value.FromDatetime(moment)
    return value


def test_calendar_rpcs(grpc_service):
    service = grpc_service("sales")
    stub = sales_pb2_grpc.SalesServiceStub(service.channel)
    admin = service.metadata("admin", subject="root")
    for user, team in (("rep-1", "east"), ("boss-east", "east")):
        stub.UpsertMember(sales_pb2.UpsertMemberRequest(member=sales_pb2.Member(user_id=user, team=team)),
                          metadata=admin)
    rep = service.metadata("sales", subject="rep-1")
    account = stub.CreateAccount(sales_pb2.CreateAccountRequest(name="Acme"), metadata=rep).account
    stub.LogActivity(sales_pb2.LogActivityRequest(
        kind="meeting", account_id=account.id, subject="demo", occur_time=stamp(MONDAY + timedelta(hours=3)),
        end_time=stamp(MONDAY + timedelta(hours=4)), location="Hangzhou"), metadata=rep)
    stub.CreateTask(sales_pb2.CreateTaskRequest(title="follow up", account_id=account.id,
                                                due_time=stamp(MONDAY + timedelta(hours=1))), metadata=rep)
    request = sales_pb2.ListCalendarRequest(start_time=stamp(WEEK[0]), end_time=stamp(WEEK[1]))
    found = stub.ListCalendar(request, metadata=rep)
    assert [(e.kind, e.title) for e in found.entries] == [("task", "follow up"), ("meeting", "demo")]
    assert found.entries[1].end_time.ToDatetime(tzinfo=UTC) == MONDAY + timedelta(hours=4) and not found.truncated
    team = stub.ListCalendar(sales_pb2.ListCalendarRequest(start_time=stamp(WEEK[0]), end_time=stamp(WEEK[1]),
                                                           team="east"),
                             metadata=service.metadata("manager", subject="boss-east"))
    assert len(team.entries) == 2
    exported = stub.ExportCalendar(sales_pb2.ExportCalendarRequest(start_time=stamp(WEEK[0]),
                                                                   end_time=stamp(WEEK[1])), metadata=rep)
    parsed = Calendar.from_ical(exported.ics)
    assert [str(c["summary"]) for c in parsed.walk("VEVENT")] == ["demo"]
    assert [str(c["summary"]) for c in parsed.walk("VTODO")] == ["follow up"]
    assert exported.file_name == "calendar-user-rep-1.ics"
    with pytest.raises(grpc.RpcError) as raised:
        stub.ListCalendar(sales_pb2.ListCalendarRequest(start_time=stamp(WEEK[0]), end_time=stamp(WEEK[1]),
                                                        team="east"), metadata=rep)
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as raised:
        stub.ListCalendar(sales_pb2.ListCalendarRequest(), metadata=rep)
    assert set(service.violations(raised.value)) == {"start_time", "end_time"}
