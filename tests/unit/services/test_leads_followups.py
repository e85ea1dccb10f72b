"""Follow-ups and reminders (R-LEAD-8): records, reminder times as people say them, firing exactly once through the
durable timers (also with two workers and after a restart), cancelling, listing, permissions, the gRPC API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import select

from crm.events.v1.leads_pb2 import LeadReminderDue
from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.core import timers
from services.core.client import connect
from services.core.db import Database
from services.core.devcluster import free_port
from services.core.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied, Validator
from services.core.runtime import Platform
from services.core.settings import load_settings
from services.core.timers import TimerWorker, fire_due
from services.leads import followups, leads, pool, rules
from services.leads.followups import ReminderRequest, ReminderTime, resolve_reminder_time
from services.leads.models import AssignmentSettings, FollowUp, Lead, Reminder, Rep
from services.leads.timers import TIMERS
from tests.unit.conftest import TOKEN_KEY, token, wait_for
from tests.unit.services.conftest import make_caller

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 2026-05-10 10:00 in Shanghai: the second quarter.
NOW = datetime(2026, 5, 10, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)
REP = make_caller("sales", subject="rep1")
OTHER_REP = make_caller("sales", subject="rep2")
MANAGER = make_caller("manager", subject="boss")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)


def resolve(now=NOW, zone=SHANGHAI, **when):
    check = Validator()
    result = resolve_reminder_time(ReminderTime(**when), now=now, zone=zone, check=check)
    return result, {v.field: str(v.description) for v in check.violations}


@pytest.mark.parametrize(
    ("when", "expected", "label"),
    [
        # "Budget frozen in Q4": remind at the end of Q3, 09:00 local time.
        ({"anchor": "end_of_quarter", "quarter": 3}, local(2026, 9, 30, 9), "end_of_quarter Q3 2026"),
        ({"anchor": "end_of_quarter"}, local(2026, 6, 30, 9), "end_of_quarter Q2 2026"),  # the current quarter
        ({"anchor": "start_of_quarter", "quarter": 1, "year": 2027}, local(2027, 1, 1, 9), "start_of_quarter Q1 2027"),
        ({"anchor": "start_of_quarter", "quarter": 4}, local(2026, 10, 1, 9), "start_of_quarter Q4 2026"),
        ({"anchor": "end_of_month"}, local(2026, 5, 31, 9), "end_of_month 2026-05"),
        ({"anchor": "end_of_month", "month": 2, "year": 2028}, local(2028, 2, 29, 9), "end_of_month 2028-02"),
        ({"anchor": "in_days", "count": 3}, local(2026, 5, 13, 9), "in_days 3"),
        ({"anchor": "in_weeks", "count": 2}, local(2026, 5, 24, 9), "in_weeks 2"),
        ({"at": NOW + timedelta(hours=5)}, NOW + timedelta(hours=5), ""),
    ],
)
def test_reminder_times_resolve_in_the_tenants_zone_at_nine(when, expected, label):
    (moment, how), violations = resolve(**when)
    assert violations == {}
    assert (moment, how) == (expected, label)
    assert moment.tzinfo == UTC


@pytest.mark.parametrize(
    ("when", "field", "text"),
    [
        ({"anchor": "end_of_quarter", "quarter": 1}, "when.anchor",
         "end_of_quarter Q1 2026 (2026-03-31 09:00) has passed: choose a later one"),
        ({"anchor": "end_of_month", "month": 4}, "when.anchor", "end_of_month 2026-04 (2026-04-30 09:00) has passed"),
        ({"at": NOW - timedelta(minutes=1)}, "when.at", "must be in the future"),
        ({"at": NOW + timedelta(days=1), "anchor": "in_days"}, "when.anchor", "must be empty when a time is given"),
        ({"at": NOW + timedelta(days=6 * 366)}, "when.at", "must be at most 5 years ahead"),
        ({}, "when", "give a time or an anchor"),
        ({"anchor": "next_tuesday"}, "when.anchor", "must be one of: end_of_quarter"),
        ({"anchor": "in_days"}, "when.count", "must be between 1 and 1825"),
        ({"anchor": "in_weeks", "count": 261}, "when.count", "must be between 1 and 260"),
        ({"anchor": "end_of_quarter", "quarter": 5}, "when.quarter", "must be between 1 and 4"),
        ({"anchor": "end_of_quarter", "quarter": 3, "year": 2025}, "when.year", "must be between 2026 and 2031"),
        ({"anchor": "end_of_month", "month": 13}, "when.month", "must be between 1 and 12"),
    ],
)
def test_a_reminder_time_in_the_past_or_malformed_is_a_field_violation(when, field, text):
    (moment, _how), violations = resolve(**when)
    assert moment is None
    assert text in violations[field]


def test_the_current_quarter_and_the_cut_off_are_those_of_the_tenants_day():
    # 20:00 UTC on 30 June is already 1 July in Shanghai: the current quarter there is Q3.
    (moment, how), _ = resolve(now=datetime(2026, 6, 30, 20, 0, tzinfo=UTC), anchor="end_of_quarter")
    assert how == "end_of_quarter Q3 2026"
    assert moment == local(2026, 9, 30, 9)
    # On the last day of the quarter the anchor is still ahead at 08:00 local, and has passed at 09:30.
    (moment, _), violations = resolve(now=local(2026, 6, 30, 8), anchor="end_of_quarter")
    assert moment == local(2026, 6, 30, 9) and violations == {}
    (moment, _), violations = resolve(now=local(2026, 6, 30, 9, 30), anchor="end_of_quarter")
    assert moment is None and "has passed" in violations["when.anchor"]


# --- domain ----------------------------------------------------------------------------------------------------


@pytest.fixture
def lead(leads_db) -> Lead:
    """rep1's lead; boss manages rep1's team, rep2 is in another team."""
    with leads_db.session("t1") as session:
        session.add_all([Rep(user_id="boss", team="east", takes_leads=False), Rep(user_id="rep1", team="east"),
                         Rep(user_id="rep2", team="west")])
    with leads_db.session("t1") as session:
        return leads.create_lead(session, tenant="t1", caller=REP, name="王芳", company="华为", channel="Baidu SEM",
                                 email="wang.fang@example.cn")


def add(database, caller=REP, now=NOW, **fields):
    fields.setdefault("kind", "call")
    fields.setdefault("content", "谈了报价")
    with database.session(caller.tenant_id) as session:
        return followups.add_follow_up(session, caller=caller, now=now, **fields)


def reminder_of(database, reminder_id) -> Reminder:
    with database.session("t1") as session:
        return session.get(Reminder, reminder_id)


def due_events(database, outbox_events) -> list[LeadReminderDue]:
    return [event for _tenant, event in outbox_events(database, LeadReminderDue)]


def test_a_follow_up_is_recorded_and_stops_the_follow_up_clock(leads_db, lead):
    called = NOW - timedelta(hours=2)
    follow_up, reminder = add(leads_db, lead_id=lead.id, kind="visit", content="拜访了采购", objection="价格太高",
                              budget_cycle="Q4 预算冻结", next_step="发报价单", occurred_at=called)
    assert reminder is None
    with leads_db.session("t1") as session:
        stored = session.get(FollowUp, follow_up.id)
        assert (stored.kind, stored.objection, stored.budget_cycle, stored.next_step) == (
            "visit", "价格太高", "Q4 预算冻结", "发报价单")
        assert (stored.occurred_at, stored.author_id) == (called, "rep1")
        assert session.get(Lead, lead.id).last_follow_up_at == called
    # An older follow-up recorded later does not move the clock back.
    add(leads_db, lead_id=lead.id, occurred_at=called - timedelta(days=1))
    with leads_db.session("t1") as session:
        assert session.get(Lead, lead.id).last_follow_up_at == called


def test_a_follow_up_since_the_assignment_stops_the_pools_follow_up_clock(leads_db, lead):
    follow_up_clock = pool.timer_kind(pool.FOLLOW_UP, pool.RECLAIM)
    with leads_db.session("t1") as session:
        stored = session.get(Lead, lead.id)
        pool.start_clocks(session, stored, rules.PoolSettings(), NOW)
        stored.assigned_at = NOW
        assert timers.pending(session, follow_up_clock, lead.id) is not None
    add(leads_db, lead_id=lead.id, occurred_at=NOW + timedelta(hours=1), now=NOW + timedelta(hours=2))
    with leads_db.session("t1") as session:
        assert timers.pending(session, follow_up_clock, lead.id) is None
        # The conversion clock keeps running: a follow-up is not a conversion.
        assert timers.pending(session, pool.timer_kind(pool.CONVERSION, pool.RECLAIM), lead.id) is not None


def test_a_reminder_from_a_follow_up_budget_frozen_in_q4_fires_at_the_end_of_q3(leads_db, lead, outbox_events):
    follow_up, reminder = add(
        leads_db, lead_id=lead.id, budget_cycle="budget frozen in Q4", next_step="send the quote before the freeze",
        reminder=ReminderRequest(ReminderTime(anchor="end_of_quarter", quarter=3)),
    )
    assert (reminder.remind_at, reminder.anchor) == (local(2026, 9, 30, 9), "end_of_quarter Q3 2026")
    assert (reminder.recipient_id, reminder.note, reminder.follow_up_id) == (
        "rep1", "send the quote before the freeze", follow_up.id)
    with leads_db.session("t1") as session:
        assert timers.pending(session, "reminder", reminder.id) == (reminder.remind_at, {})

    assert fire_due(leads_db, TIMERS, now=reminder.remind_at - timedelta(seconds=1)) == 0
    assert due_events(leads_db, outbox_events) == []
    assert fire_due(leads_db, TIMERS, now=reminder.remind_at) == 1
    fired = reminder_of(leads_db, reminder.id)
    assert fired.status == "fired" and fired.fired_at is not None
    [event] = due_events(leads_db, outbox_events)
    assert (event.reminder_id, event.lead_id, event.recipient_id, event.lead_name, event.company) == (
        reminder.id, lead.id, "rep1", "王芳", "华为")
    assert (event.next_step, event.note, event.follow_up_id, event.owner_id) == (
        "send the quote before the freeze", "send the quote before the freeze", follow_up.id, "rep1")
    assert event.remind_at.ToDatetime(tzinfo=UTC) == reminder.remind_at
    # Once only.
    assert fire_due(leads_db, TIMERS, now=reminder.remind_at + timedelta(days=30)) == 0
    assert len(due_events(leads_db, outbox_events)) == 1


def test_invalid_follow_ups_report_every_field_and_store_nothing(leads_db, lead):
    with pytest.raises(InvalidArgument) as error:
        add(leads_db, lead_id=lead.id, kind="fax", content="", occurred_at=NOW + timedelta(hours=1),
            reminder=ReminderRequest(ReminderTime(anchor="end_of_quarter", quarter=1)))
    assert {v.field for v in error.value.violations} == {"kind", "content", "occur_time", "reminder.when.anchor"}
    with leads_db.session("t1") as session:
        assert session.scalars(select(FollowUp)).all() == []
        assert session.get(Lead, lead.id).last_follow_up_at is None


def test_only_who_may_change_the_lead_adds_follow_ups_and_reminders(leads_db, lead):
    with pytest.raises(NotFound):
        add(leads_db, caller=OTHER_REP, lead_id=lead.id)
    with pytest.raises(NotFound):
        add(leads_db, caller=make_caller("sales", tenant="t2", subject="rep1"), lead_id=lead.id)
    with pytest.raises(NotFound), leads_db.session("t1") as session:
        followups.schedule_reminder(session, caller=OTHER_REP, lead_id=lead.id, now=NOW,
                                    when=ReminderTime(anchor="in_days", count=1))
    with pytest.raises(NotFound), leads_db.session("t1") as session:
        followups.list_follow_ups(session, caller=OTHER_REP, lead_id=lead.id)
    # A rep reminds only themselves; a manager may remind the rep.
    with pytest.raises(PermissionDenied):
        add(leads_db, lead_id=lead.id, reminder=ReminderRequest(ReminderTime(anchor="in_days", count=1),
                                                                 recipient_id="rep2"))
    _, reminder = add(leads_db, caller=MANAGER, lead_id=lead.id,
                      reminder=ReminderRequest(ReminderTime(anchor="in_days", count=1), recipient_id="rep1"))
    assert (reminder.recipient_id, reminder.created_by) == ("rep1", "boss")
    with leads_db.session("t1") as session:
        found, more = followups.list_follow_ups(session, caller=MANAGER, lead_id=lead.id)
    assert [f.author_id for f in found] == ["boss"] and more is False


def test_a_reminder_needs_a_recipient_when_a_service_schedules_it_for_a_lead_without_owner(leads_db):
    service = make_caller(subject="gateway", kind="service")
    with leads_db.session("t1") as session:
        orphan = leads.create_lead(session, tenant="t1", caller=service, name="Li", channel="web", email="li@x.cn")
    with pytest.raises(InvalidArgument) as error, leads_db.session("t1") as session:
        followups.schedule_reminder(session, caller=service, lead_id=orphan.id, now=NOW,
                                    when=ReminderTime(anchor="in_days", count=1))
    assert [v.field for v in error.value.violations] == ["recipient_id"]


def test_scheduling_a_reminder_on_its_own_and_for_a_follow_up_of_another_lead(leads_db, lead):
    with leads_db.session("t1") as session:
        other = leads.create_lead(session, tenant="t1", caller=REP, name="B", channel="web", email="b@x.cn")
    follow_up, _ = add(leads_db, lead_id=other.id)
    with pytest.raises(InvalidArgument) as error, leads_db.session("t1") as session:
        followups.schedule_reminder(session, caller=REP, lead_id=lead.id, follow_up_id=follow_up.id, now=NOW,
                                    when=ReminderTime(anchor="end_of_month"))
    assert [v.field for v in error.value.violations] == ["follow_up_id"]
    with leads_db.session("t1") as session:
        reminder = followups.schedule_reminder(session, caller=REP, lead_id=lead.id, note="call back", now=NOW,
                                               when=ReminderTime(at=NOW + timedelta(hours=3)))
    assert (reminder.remind_at, reminder.anchor, reminder.note) == (NOW + timedelta(hours=3), "", "call back")


def test_reminders_use_the_tenants_time_zone(leads_db, lead):
    with leads_db.session("t1") as session:
        session.add(AssignmentSettings(tenant_id="t1", rules=[], pool={"time_zone": "Europe/Berlin"}))
    with leads_db.session("t1") as session:
        reminder = followups.schedule_reminder(session, caller=REP, lead_id=lead.id, now=NOW,
                                               when=ReminderTime(anchor="in_days", count=1))
    assert reminder.remind_at == datetime(2026, 5, 11, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)


def test_a_cancelled_reminder_never_fires(leads_db, lead, outbox_events):
    _, reminder = add(leads_db, lead_id=lead.id, reminder=ReminderRequest(ReminderTime(anchor="in_days", count=2)))
    with pytest.raises(NotFound), leads_db.session("t1") as session:
        followups.cancel_reminder(session, caller=OTHER_REP, reminder_id=reminder.id)
    with leads_db.session("t1") as session:
        cancelled = followups.cancel_reminder(session, caller=REP, reminder_id=reminder.id, now=NOW)
        assert timers.pending(session, "reminder", reminder.id) is None
    assert (cancelled.status, cancelled.cancelled_at) == ("cancelled", NOW)
    with leads_db.session("t1") as session:  # again: nothing changes
        assert followups.cancel_reminder(session, caller=REP, reminder_id=reminder.id).cancelled_at == NOW
    assert fire_due(leads_db, TIMERS, now=NOW + timedelta(days=10)) == 0
    assert due_events(leads_db, outbox_events) == []
    with pytest.raises(NotFound), leads_db.session("t1") as session:
        followups.cancel_reminder(session, caller=REP, reminder_id="no-such-reminder")


def test_a_fired_reminder_cannot_be_cancelled(leads_db, lead):
    _, reminder = add(leads_db, lead_id=lead.id, reminder=ReminderRequest(ReminderTime(anchor="in_days", count=1)))
    fire_due(leads_db, TIMERS, now=reminder.remind_at)
    with pytest.raises(FailedPrecondition), leads_db.session("t1") as session:
        followups.cancel_reminder(session, caller=REP, reminder_id=reminder.id)
    assert reminder_of(leads_db, reminder.id).status == "fired"


def test_listing_the_callers_upcoming_and_fired_reminders_and_a_leads(leads_db, lead):
    ids = {}
    for days in (5, 1, 3):
        _, reminder = add(leads_db, lead_id=lead.id,
                          reminder=ReminderRequest(ReminderTime(anchor="in_days", count=days)))
        ids[days] = reminder.id
    add(leads_db, caller=MANAGER, lead_id=lead.id,
        reminder=ReminderRequest(ReminderTime(anchor="in_days", count=2)))  # the manager's own
    fire_due(leads_db, TIMERS, now=local(2026, 5, 11, 12))  # the 1-day one fires

    def listed(caller=REP, **filters):
        with leads_db.session("t1") as session:
            found, more = followups.list_reminders(session, caller=caller, **filters)
        return [r.id for r in found], more

    assert listed() == ([ids[3], ids[5]], False)  # upcoming, soonest first
    assert listed(status="fired") == ([ids[1]], False)
    assert listed(status="all")[0] == [ids[5], ids[3], ids[1]]
    assert len(listed(caller=MANAGER, lead_id=lead.id, status="all")[0]) == 4
    assert listed(caller=OTHER_REP) == ([], False)
    assert listed(limit=1) == ([ids[3]], True)
    assert listed(offset=1, limit=1) == ([ids[5]], False)
    with pytest.raises(NotFound):
        listed(caller=OTHER_REP, lead_id=lead.id)
    with pytest.raises(InvalidArgument):
        listed(status="overdue")


def test_reminders_fire_once_with_two_workers_and_after_a_restart(leads_db, lead, outbox_events):
    # Scheduled "two days ago": every reminder fell due while no worker ran (the service was down).
    long_ago = datetime.now(UTC) - timedelta(days=2)
    with leads_db.session("t1") as session:
        for n in range(120):
            followups.schedule_reminder(session, caller=REP, lead_id=lead.id, note=f"r{n}", now=long_ago,
                                        when=ReminderTime(anchor="in_days", count=1))
    replicas = [Database("leads", leads_db.url) for _ in range(2)]  # two processes' worth of engines
    workers = [TimerWorker(database, TIMERS, poll_seconds=0.05, batch_size=20) for database in replicas]
    for worker in workers:
        worker.start()
    try:
        wait_for(lambda: sum(worker.fired for worker in workers) >= 120, timeout=20)
    finally:
        for worker in workers:
            worker.stop()
        for database in replicas:
            database.dispose()
    events = due_events(leads_db, outbox_events)
    assert len(events) == 120 and len({event.reminder_id for event in events}) == 120
    with leads_db.session("t1") as session:
        assert {r.status for r in session.scalars(select(Reminder))} == {"fired"}


# --- gRPC ------------------------------------------------------------------------------------------------------


def test_the_grpc_api_adds_lists_and_cancels(grpc_service):
    service = grpc_service("leads")
    stub = leads_pb2_grpc.LeadsServiceStub(service.channel)
    rep = service.metadata("sales", subject="rep1")
    lead_id = stub.CreateLead(leads_pb2.CreateLeadRequest(name="Ann", channel="web", email="ann@x.cn"),
                              metadata=rep).lead.id
    quarter_end = leads_pb2.ReminderTime(anchor="end_of_quarter", year=datetime.now(UTC).year + 1, quarter=3)
    added = stub.AddFollowUp(leads_pb2.AddFollowUpRequest(
        lead_id=lead_id, kind="call", objection="too expensive", budget_cycle="frozen in Q4", next_step="quote",
        reminder=leads_pb2.ReminderRequest(when=quarter_end)), metadata=rep)
    assert added.follow_up.kind == "call" and added.follow_up.author_id == "rep1"
    assert added.reminder.status == "scheduled" and added.reminder.note == "quote"
    assert added.reminder.anchor == f"end_of_quarter Q3 {datetime.now(UTC).year + 1}"
    assert added.reminder.remind_time.ToDatetime(tzinfo=UTC).astimezone(SHANGHAI).hour == 9
    assert stub.GetLead(leads_pb2.GetLeadRequest(id=lead_id), metadata=rep).lead.HasField("last_follow_up_time")

    with pytest.raises(grpc.RpcError) as error:
        stub.ScheduleReminder(leads_pb2.ScheduleReminderRequest(
            lead_id=lead_id, when=leads_pb2.ReminderTime(anchor="end_of_quarter", quarter=1, year=2020)),
            metadata=rep)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "when.year" in service.violations(error.value)

    second = stub.ScheduleReminder(leads_pb2.ScheduleReminderRequest(
        lead_id=lead_id, when=leads_pb2.ReminderTime(anchor="in_days", count=1), note="ping"), metadata=rep)
    page = stub.ListReminders(leads_pb2.ListRemindersRequest(page={"page_size": 1}), metadata=rep)
    assert [r.id for r in page.reminders] == [second.reminder.id] and page.page.next_page_token
    page = stub.ListReminders(leads_pb2.ListRemindersRequest(page={"page_size": 1,
                                                                   "page_token": page.page.next_page_token}),
                              metadata=rep)
    assert [r.id for r in page.reminders] == [added.reminder.id] and not page.page.next_page_token

    cancelled = stub.CancelReminder(leads_pb2.CancelReminderRequest(reminder_id=second.reminder.id), metadata=rep)
    assert cancelled.reminder.status == "cancelled" and cancelled.reminder.HasField("cancel_time")
    listed = stub.ListFollowUps(leads_pb2.ListFollowUpsRequest(lead_id=lead_id), metadata=rep)
    assert [f.objection for f in listed.follow_ups] == ["too expensive"]
    with pytest.raises(grpc.RpcError) as error:
        stub.ListFollowUps(leads_pb2.ListFollowUpsRequest(lead_id=lead_id),
                           metadata=service.metadata("sales", subject="rep2"))
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


def test_the_running_service_fires_a_reminder_through_its_timer_worker(clean_env, tmp_path):
    clean_env.setenv("CRM_LEADS_ADDR", f"127.0.0.1:{free_port()}")
    clean_env.setenv("CRM_DATA_DIR", str(tmp_path / "data"))
    clean_env.setenv("CRM_TOKEN_KEY", TOKEN_KEY)
    clean_env.setenv("CRM_TIMER_POLL_MS", "100")
    platform = Platform(load_settings(), ["leads"], migrate=True)
    platform.start()
    try:
        assert platform.wait_until_serving(15)
        worker = platform.runtime("leads").timers
        assert worker is not None and worker.is_alive() and worker.poll_seconds == 0.1
        stub = connect("leads", leads_pb2_grpc.LeadsServiceStub, platform.settings,
                       token=token("sales", subject="rep1"))
        lead_id = stub.CreateLead(leads_pb2.CreateLeadRequest(name="Ann", channel="web", email="a@x.cn")).lead.id
        at = Timestamp()
        at.FromDatetime(datetime.now(UTC) + timedelta(seconds=1))
        reminder = stub.ScheduleReminder(leads_pb2.ScheduleReminderRequest(
            lead_id=lead_id, when=leads_pb2.ReminderTime(at=at))).reminder
        fired = wait_for(lambda: stub.ListReminders(leads_pb2.ListRemindersRequest(status="fired")).reminders,
                         timeout=10)
        assert [r.id for r in fired] == [reminder.id]
    finally:
        platform.stop(grace=1)
    assert not worker.is_alive()
