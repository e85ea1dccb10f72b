"""The public pool (issue #4 item 5, R-LEAD-10, R-LC-4d): reclaim clocks as durable timers with warnings, claims
within limits and cool-downs, masked contacts, releases, and bulk reassignment that restarts the clock honestly.

Timers are fast-forwarded with fire_due(now=...), never slept on."""

from __future__ import annotations

from datetime import timedelta

import grpc
import pytest

from crm.events.v1.leads_pb2 import LeadAssigned, LeadReclaimed, LeadReclaimWarning, LeadReleased
from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.core.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from services.core.timers import fire_due, pending
from services.leads import assignment, leads, pool, rules
from services.leads.api import lead_to_proto
from services.leads.models import Lead
from services.leads.timers import TIMERS
from tests.unit.services.leads_pool_support import (
    ADMIN,
    T0,
    add_lead,
    add_rep,
    caller,
    history,
    lead,
    new_assigned,
    set_pool,
)

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
FOLLOW_UP_RECLAIM = pool.timer_kind(pool.FOLLOW_UP, pool.RECLAIM)
CONVERSION_RECLAIM = pool.timer_kind(pool.CONVERSION, pool.RECLAIM)


@pytest.fixture
def db(leads_db):
    return leads_db


def fire(db, at):
    return fire_due(db, TIMERS, now=at)


def clock(db, kind, lead_id):
    with db.session("t1") as session:
        found = pending(session, kind, lead_id)
        return found[0] if found else None


def claim(db, who, lead_id, now):
    if isinstance(who, str):
        who = caller("sales", subject=who)
    with db.session("t1") as session:
        return pool.claim(session, caller=who, lead_id=lead_id, now=now).owner_id


def followed_up(db, lead_id, at):
    with db.session("t1") as session:
        pool.followed_up(session, session.get(Lead, lead_id), at)


@pytest.fixture
def ana_lead(db):
    add_rep(db, "ana")
    lead_id, owner = new_assigned(db, name="Wang Fang", company="Acme")
    assert owner == "ana"
    return lead_id


# -- the follow-up clock ------------------------------------------------------------------------------------------


def test_no_follow_up_in_48_hours_warns_then_reclaims(db, ana_lead, outbox_events):
    assert clock(db, FOLLOW_UP_RECLAIM, ana_lead) == T0 + 48 * HOUR
    fire(db, T0 + 43 * HOUR)
    assert outbox_events(db, LeadReclaimWarning) == []
    fire(db, T0 + 44 * HOUR)
    [(_, warning)] = outbox_events(db, LeadReclaimWarning)
    assert (warning.lead_id, warning.owner_id, warning.clock, warning.name, warning.company) == \
        (ana_lead, "ana", "follow_up", "Wang Fang", "Acme")
    assert warning.reclaim_time.ToDatetime() == (T0 + 48 * HOUR).replace(tzinfo=None)
    assert lead(db, ana_lead).owner_id == "ana"

    fire(db, T0 + 49 * HOUR)
    reclaimed = lead(db, ana_lead)
    assert (reclaimed.owner_id, reclaimed.pooled_at, reclaimed.assigned_at) == ("", T0 + 48 * HOUR, None)
    assert history(db, ana_lead) == [("", "ana", "auto"), ("ana", "", "reclaim_follow_up")]
    [(_, event)] = outbox_events(db, LeadReclaimed)
    assert (event.lead_id, event.previous_owner_id, event.clock) == (ana_lead, "ana", "follow_up")
    assert clock(db, CONVERSION_RECLAIM, ana_lead) is None  # a pool lead runs no clock
    assert fire(db, T0 + 60 * DAY) == 0


def test_a_follow_up_stops_the_48_hour_clock_but_not_the_conversion_clock(db, ana_lead, outbox_events):
    followed_up(db, ana_lead, T0 + 10 * HOUR)
    assert lead(db, ana_lead).last_follow_up_at == T0 + 10 * HOUR
    assert clock(db, FOLLOW_UP_RECLAIM, ana_lead) is None
    fire(db, T0 + 49 * HOUR)
    assert lead(db, ana_lead).owner_id == "ana"

    assert clock(db, CONVERSION_RECLAIM, ana_lead) == T0 + 30 * DAY
    fire(db, T0 + 28 * DAY)
    assert [e.clock for _, e in outbox_events(db, LeadReclaimWarning)] == ["conversion"]
    fire(db, T0 + 30 * DAY)
    assert lead(db, ana_lead).pooled_at == T0 + 30 * DAY
    assert history(db, ana_lead)[-1] == ("ana", "", "reclaim_conversion")


def test_a_follow_up_from_before_the_assignment_does_not_stop_the_new_owners_clock(db, ana_lead):
    followed_up(db, ana_lead, T0 - HOUR)
    fire(db, T0 + 49 * HOUR)
    assert lead(db, ana_lead).owner_id == ""


def test_a_follow_up_recorded_without_the_pool_still_counts_when_the_clock_fires(db, ana_lead):
    with db.session("t1") as session:
        session.get(Lead, ana_lead).last_follow_up_at = T0 + 5 * HOUR  # written directly, clock left running
    fire(db, T0 + 49 * HOUR)
    assert lead(db, ana_lead).owner_id == "ana"


@pytest.mark.parametrize("status", ["qualified", "converted", "lost", "duplicate"])
def test_a_lead_that_is_no_longer_open_stops_its_clocks(db, ana_lead, status):
    with db.session("t1") as session:
        found = session.get(Lead, ana_lead)
        found.status = status
        pool.status_changed(session, found)
    assert clock(db, FOLLOW_UP_RECLAIM, ana_lead) is None and clock(db, CONVERSION_RECLAIM, ana_lead) is None


def test_a_clock_that_fires_on_a_closed_lead_does_nothing(db, ana_lead, outbox_events):
    with db.session("t1") as session:
        session.get(Lead, ana_lead).status = "qualified"  # status_changed not called: the timer must still check
    fire(db, T0 + 31 * DAY)
    assert (lead(db, ana_lead).owner_id, outbox_events(db, LeadReclaimWarning), outbox_events(db, LeadReclaimed)) \
        == ("ana", [], [])


def test_the_follow_up_clock_reclaims_the_temperatures_the_tenant_chose(db):
    add_rep(db, "ana")
    set_pool(db, follow_up_temperatures=["hot"])
    cold, _ = new_assigned(db, temperature="cold")
    hot, _ = new_assigned(db, temperature="hot")
    fire(db, T0 + 49 * HOUR)
    assert (lead(db, cold).owner_id, lead(db, hot).owner_id) == ("ana", "")


def test_clock_lengths_and_warnings_are_tenant_settings(db):
    add_rep(db, "ana")
    set_pool(db, follow_up_hours=24, follow_up_warning_hours=0, conversion_days=0)
    lead_id, _ = new_assigned(db)
    with db.session("t1") as session:
        assert pending(session, pool.timer_kind(pool.FOLLOW_UP, pool.WARNING), lead_id) is None
    assert (clock(db, FOLLOW_UP_RECLAIM, lead_id), clock(db, CONVERSION_RECLAIM, lead_id)) == (T0 + 24 * HOUR, None)


def test_a_reclaimed_lead_can_be_reassigned_at_once_but_never_to_the_rep_who_lost_it(db, outbox_events):
    add_rep(db, "ana")
    add_rep(db, "ben")
    set_pool(db, reassign_on_reclaim=True)
    lead_id, _ = new_assigned(db)
    new_assigned(db, T0 + HOUR)  # ben's turn; ana is next in the round
    fire(db, T0 + 49 * HOUR)
    again = lead(db, lead_id)
    assert (again.owner_id, again.pooled_at, again.assigned_at) == ("ben", None, T0 + 48 * HOUR)
    assert history(db, lead_id) == [("", "ana", "auto"), ("ana", "", "reclaim_follow_up"), ("", "ben", "auto")]
    assert clock(db, FOLLOW_UP_RECLAIM, lead_id) == T0 + 96 * HOUR  # ben's own 48 hours
    assert [(e.owner_id, e.previous_owner_id) for _, e in outbox_events(db, LeadAssigned) if e.lead_id == lead_id] \
        == [("ana", ""), ("ben", "")]


# -- honest clocks on reassignment -------------------------------------------------------------------------------


def bulk(db, who, lead_ids, owner_id="", now=T0):
    with db.session("t1") as session:
        return assignment.bulk_reassign(session, caller=who, lead_ids=lead_ids, owner_id=owner_id, now=now,
                                        note="territory change")


def test_a_new_owner_gets_fresh_deadlines_and_the_old_timers_never_fire(db, ana_lead, outbox_events):
    add_rep(db, "ben")
    [result] = bulk(db, ADMIN, [ana_lead], "ben", now=T0 + 40 * HOUR)
    assert (result.ok, result.changed, result.owner_id) == (True, True, "ben")
    assert clock(db, FOLLOW_UP_RECLAIM, ana_lead) == T0 + 88 * HOUR
    fire(db, T0 + 49 * HOUR)  # ana's deadline passes: nothing happens to ben's lead
    assert lead(db, ana_lead).owner_id == "ben"
    assert outbox_events(db, LeadReclaimWarning) == []  # ana's warning (44 h) went with her clock
    fire(db, T0 + 89 * HOUR)
    assert [e.owner_id for _, e in outbox_events(db, LeadReclaimWarning)] == ["ben"]  # at 84 h
    assert lead(db, ana_lead).owner_id == ""
    assert history(db, ana_lead)[-1] == ("ben", "", "reclaim_follow_up")


def test_reassigning_to_the_same_owner_does_not_reset_the_clock(db, ana_lead):
    [result] = bulk(db, ADMIN, [ana_lead], "ana", now=T0 + 40 * HOUR)
    assert (result.ok, result.changed) == (True, False)
    fire(db, T0 + 49 * HOUR)
    assert lead(db, ana_lead).owner_id == ""  # the original 48 h still applied


def test_a_timer_of_a_previous_assignment_does_nothing(db, ana_lead):
    """The owner changed behind the pool's back (the clock was not restarted): the old clock must not strike."""
    with db.session("t1") as session:
        session.get(Lead, ana_lead).owner_id = "ben"
    fire(db, T0 + 49 * HOUR)
    assert lead(db, ana_lead).owner_id == "ben"


def test_bulk_reassign_reports_each_lead(db):
    add_rep(db, "boss", team="east", takes_leads=False)
    add_rep(db, "ana", team="east")
    add_rep(db, "ben", team="east", holding_limit=2)
    add_rep(db, "wu", team="west")
    ana1, ana2, ana3 = (add_lead(db, owner_id="ana", email=f"a{n}@example.com") for n in range(3))
    bens = add_lead(db, owner_id="ben", email="b@example.com")
    won = add_lead(db, owner_id="ana", status="converted", email="w@example.com")
    west = add_lead(db, owner_id="wu", email="west@example.com")
    boss = caller("manager", subject="boss")
    results = bulk(db, boss, [ana1, bens, "missing", west, won, ana2, ana1, ana3], "ben")
    assert [(r.lead_id, r.ok, r.changed, r.error_code) for r in results] == [
        (ana1, True, True, ""),
        (bens, True, False, ""),  # already ben's
        ("missing", False, False, "not_found"),
        (west, False, False, "not_found"),  # another team's lead: not the manager's business
        (won, False, False, "failed_precondition"),
        (ana2, False, False, "failed_precondition"),  # ben holds 2 open leads now: his limit
        (ana3, False, False, "failed_precondition"),
    ]
    assert results[5].error == "rep 'ben' already holds 2 open leads, their limit"
    assert (lead(db, ana1).owner_id, lead(db, ana2).owner_id) == ("ben", "ana")
    with db.session("t1") as session:
        rows, more = assignment.ownership_history(session, caller=boss, lead_id=ana1)
        assert [(r.from_owner, r.to_owner, r.reason, r.actor, r.note) for r in rows] == [
            ("ana", "ben", "manual", "boss", "territory change")]
        assert not more
        with pytest.raises(NotFound):
            assignment.ownership_history(session, caller=caller("sales", subject="wu"), lead_id=ana1)
    with pytest.raises(PermissionDenied):
        bulk(db, caller("sales", subject="ana"), [ana2], "ana")
    with pytest.raises(InvalidArgument):
        bulk(db, ADMIN, [])


def test_bulk_reassign_by_the_rules_moves_leads_away_from_their_owner(db):
    add_rep(db, "ana")
    add_rep(db, "ben")
    add_rep(db, "cai")
    ids = [add_lead(db, owner_id="ana", email=f"a{n}@example.com") for n in range(4)]
    results = bulk(db, ADMIN, ids)
    assert [r.owner_id for r in results] == ["ben", "cai", "ben", "cai"]
    assert all(r.changed for r in results)


# -- claims -------------------------------------------------------------------------------------------------------


def pooled(db, count=1, **fields):
    return [add_lead(db, pooled_at=T0 - DAY, email=f"p{n}@example.com", **fields) for n in range(count)]


def test_a_rep_claims_a_pool_lead_and_gets_fresh_clocks(db, outbox_events):
    add_rep(db, "ana")
    [lead_id] = pooled(db)
    assert claim(db, "ana", lead_id, T0) == "ana"
    claimed = lead(db, lead_id)
    assert (claimed.pooled_at, claimed.assigned_at) == (None, T0)
    assert clock(db, FOLLOW_UP_RECLAIM, lead_id) == T0 + 48 * HOUR
    assert history(db, lead_id) == [("", "ana", "claim")]
    assert [(e.reason, e.actor) for _, e in outbox_events(db, LeadAssigned)] == [("claim", "ana")]
    assert claim(db, "ana", lead_id, T0 + HOUR) == "ana"  # a repeated claim answers the same
    assert len(history(db, lead_id)) == 1


def test_claims_per_day_and_the_holding_limit(db):
    add_rep(db, "ana")
    add_rep(db, "ben", holding_limit=1)
    set_pool(db, claims_per_day=2)
    first, second, third, fourth = pooled(db, 4)
    claim(db, "ana", first, T0)
    claim(db, "ana", second, T0 + HOUR)
    with pytest.raises(FailedPrecondition) as error:
        claim(db, "ana", third, T0 + 2 * HOUR)
    assert error.value.message == "you have claimed 2 leads today, the most allowed"
    assert claim(db, "ana", third, T0 + DAY) == "ana"  # a new day in Shanghai
    claim(db, "ben", fourth, T0)
    [fifth] = pooled(db, 1, name="Fifth")
    with pytest.raises(FailedPrecondition) as error:
        claim(db, "ben", fifth, T0 + HOUR)
    assert error.value.message == "you already hold 1 open leads, your limit"


def test_the_previous_owner_waits_out_a_cool_down(db, ana_lead):
    add_rep(db, "ben")
    fire(db, T0 + 49 * HOUR)  # reclaimed from ana at 48 h
    with pytest.raises(FailedPrecondition) as error:
        claim(db, "ana", ana_lead, T0 + 50 * HOUR)
    free_at = "2030-03-13T10:00+08:00"  # T0 + 48 h + 7 days, in the tenant's time zone
    assert error.value.message == f"you may claim this lead again from {free_at}"
    assert claim(db, "ben", ana_lead, T0 + 50 * HOUR) == "ben"
    with db.session("t1") as session:
        pool.release(session, caller=caller("sales", subject="ben"), lead_id=ana_lead, note="not my region",
                     now=T0 + 60 * HOUR)
    with pytest.raises(FailedPrecondition):  # ben released it: his own cool-down now, ana's still runs
        claim(db, "ben", ana_lead, T0 + 61 * HOUR)
    with pytest.raises(FailedPrecondition):
        claim(db, "ana", ana_lead, T0 + 48 * HOUR + 7 * DAY - HOUR)
    assert claim(db, "ana", ana_lead, T0 + 48 * HOUR + 7 * DAY) == "ana"


def test_who_may_claim_what(db, ana_lead):
    add_rep(db, "ben", active=False)
    add_rep(db, "boss", takes_leads=False)
    [lead_id] = pooled(db)
    for who in ("ben", "boss", "stranger"):  # inactive, takes no leads, not in the roster
        with pytest.raises(FailedPrecondition):
            claim(db, who, lead_id, T0)
    with pytest.raises(PermissionDenied):
        claim(db, caller("auditor", subject="ana"), lead_id, T0)
    add_rep(db, "cai")
    with pytest.raises(NotFound):  # ana's lead is not in the pool, and none of cai's business
        claim(db, "cai", ana_lead, T0)
    with pytest.raises(NotFound):
        claim(db, "cai", "missing", T0)
    with db.session("t1") as session:
        session.get(Lead, lead_id).status = "lost"
    with pytest.raises(FailedPrecondition):
        claim(db, "cai", lead_id, T0)


def test_contacts_are_masked_until_the_lead_is_claimed(db):
    add_rep(db, "ana")
    [lead_id] = pooled(db, phone="13812345678")
    rep = caller("sales", subject="ana")
    with db.session("t1") as session:
        seen = leads.get_lead(session, caller=rep, lead_id=lead_id)
        message = lead_to_proto(seen, masked=pool.access.contact_masked(rep, seen))
        assert (message.email, message.phone, message.contact_masked, message.in_pool) == \
            ("p***@example.com", "138****5678", True, True)
    claim(db, "ana", lead_id, T0)
    with db.session("t1") as session:
        seen = leads.get_lead(session, caller=rep, lead_id=lead_id)
        message = lead_to_proto(seen, masked=pool.access.contact_masked(rep, seen))
        assert (message.email, message.phone, message.contact_masked) == ("p0@example.com", "13812345678", False)


def test_a_pool_lead_cannot_be_changed_before_it_is_claimed(db):
    [lead_id] = pooled(db)
    with db.session("t1") as session, pytest.raises(PermissionDenied) as error:
        leads.get_lead_for_change(session, caller=caller("sales", subject="ana"), lead_id=lead_id)
    assert "claim lead" in error.value.message


# -- releases -----------------------------------------------------------------------------------------------------


def release(db, who, lead_id, now=T0 + HOUR):
    with db.session("t1") as session:
        return pool.release(session, caller=who, lead_id=lead_id, note="wrong contact", now=now)


def test_the_owner_releases_a_lead_to_the_pool(db, ana_lead, outbox_events):
    released = release(db, caller("sales", subject="ana"), ana_lead)
    assert (released.owner_id, released.pooled_at) == ("", T0 + HOUR)
    assert history(db, ana_lead)[-1] == ("ana", "", "release")
    assert outbox_events(db, LeadReleased) == [
        ("t1", LeadReleased(lead_id=ana_lead, previous_owner_id="ana", actor="ana", note="wrong contact"))]
    assert clock(db, FOLLOW_UP_RECLAIM, ana_lead) is None
    with pytest.raises(PermissionDenied):  # in the pool now: ana reads it, but must claim it to change it
        release(db, caller("sales", subject="ana"), ana_lead)


def test_only_who_may_change_a_lead_releases_it(db, ana_lead):
    with pytest.raises(NotFound):
        release(db, caller("sales", subject="ben"), ana_lead)
    waiting = add_lead(db, email="w@example.com")
    with pytest.raises(FailedPrecondition):
        release(db, ADMIN, waiting)  # nobody owns it


# -- settings -----------------------------------------------------------------------------------------------------


def test_pool_settings_are_validated_and_kept_per_tenant(db):
    set_pool(db, follow_up_hours=72, claims_per_day=0, time_zone="Europe/Berlin")
    with db.session("t1") as session:
        settings = rules.get(session, caller=caller("manager")).pool
        assert (settings.follow_up_hours, settings.claims_per_day, settings.time_zone, settings.conversion_days) == \
            (72, 0, "Europe/Berlin", 30)
    with pytest.raises(InvalidArgument) as error:
        set_pool(db, follow_up_hours=4, follow_up_warning_hours=4, conversion_days=-1,
                 follow_up_temperatures=["hot", "tepid"], time_zone="Mars/Olympus")
    assert {v.field: v.description for v in error.value.violations} == {
        "conversion_days": "must be between 0 and 3650",
        "follow_up_warning_hours": "must be less than follow_up_hours",
        "follow_up_temperatures": "must name hot, warm or cold, each at most once",
        "time_zone": "is not an IANA time zone",
    }
    with db.session("t1") as session:
        with pytest.raises(InvalidArgument):
            rules.update_pool(session, caller=ADMIN, values={}, fields=["colour"])
        with pytest.raises(PermissionDenied):
            rules.update_pool(session, caller=caller("manager"), values={"claims_per_day": 9},
                              fields=["claims_per_day"])
    with db.session("t2") as session:
        assert rules.load(session).pool == rules.PoolSettings()


# -- through the gRPC API -----------------------------------------------------------------------------------------


@pytest.fixture
def service(grpc_service):
    return grpc_service("leads")


def test_api_pool_claim_release_bulk_and_history(service):
    stub = leads_pb2_grpc.LeadsServiceStub(service.channel)
    admin = service.metadata("admin", subject="admin")
    for user_id in ("ana", "ben"):
        stub.UpsertRep(leads_pb2.UpsertRepRequest(user_id=user_id, team="east"), metadata=admin, timeout=5)
    settings = stub.UpdatePoolSettings(leads_pb2.UpdatePoolSettingsRequest(
        settings=leads_pb2.PoolSettings(claims_per_day=3, follow_up_temperatures=["hot"]),
        update_fields=["claims_per_day", "follow_up_temperatures"]), metadata=admin, timeout=5).settings
    assert (settings.claims_per_day, list(settings.follow_up_temperatures), settings.follow_up_hours) == \
        (3, ["hot"], 48)
    with pytest.raises(grpc.RpcError) as error:
        stub.UpdatePoolSettings(leads_pb2.UpdatePoolSettingsRequest(settings=leads_pb2.PoolSettings()),
                                metadata=admin, timeout=5)  # every field, time zone empty
    assert service.violations(error.value) == {"time_zone": "is not an IANA time zone"}

    ana, ben = service.metadata("sales", subject="ana"), service.metadata("sales", subject="ben")
    lead = stub.CreateLead(leads_pb2.CreateLeadRequest(name="Ann", email="ann@example.com", phone="13812345678",
                                                       channel="web"), metadata=ana, timeout=5).lead
    released = stub.ReleaseLead(leads_pb2.ReleaseLeadRequest(lead_id=lead.id, note="no time"), metadata=ana,
                                timeout=5).lead
    assert released.in_pool and released.contact_masked and released.email == "a***@example.com"

    listed = stub.ListLeads(leads_pb2.ListLeadsRequest(pool=leads_pb2.POOL_FILTER_IN_POOL), metadata=ben, timeout=5)
    assert [(item.id, item.phone, item.contact_masked) for item in listed.leads] == [(lead.id, "138****5678", True)]
    claimed = stub.ClaimLead(leads_pb2.ClaimLeadRequest(lead_id=lead.id), metadata=ben, timeout=5).lead
    assert (claimed.owner_id, claimed.phone, claimed.contact_masked, claimed.in_pool) == \
        ("ben", "13812345678", False, False)
    with pytest.raises(grpc.RpcError) as error:
        stub.ClaimLead(leads_pb2.ClaimLeadRequest(lead_id=lead.id), metadata=ana, timeout=5)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND
    assert stub.ListLeads(leads_pb2.ListLeadsRequest(), metadata=ana, timeout=5).leads == []

    bulk_response = stub.BulkReassign(leads_pb2.BulkReassignRequest(lead_ids=[lead.id, "missing"], owner_id="ana"),
                                      metadata=[*admin, ("accept-language", "zh-CN")], timeout=5)
    assert [(r.lead_id, r.ok, r.changed, r.owner_id, r.error_code, r.error) for r in bulk_response.results] == [
        (lead.id, True, True, "ana", "", ""), ("missing", False, False, "", "not_found", "未找到线索 'missing'"),
    ]
    changes = stub.ListLeadOwnership(leads_pb2.ListLeadOwnershipRequest(lead_id=lead.id,
                                                                        page={"page_size": 2}),
                                     metadata=ana, timeout=5)
    assert [(c.from_owner_id, c.to_owner_id, c.reason) for c in changes.changes] == [
        ("ben", "ana", "manual"), ("", "ben", "claim")]
    rest = stub.ListLeadOwnership(leads_pb2.ListLeadOwnershipRequest(
        lead_id=lead.id, page={"page_token": changes.page.next_page_token}), metadata=ana, timeout=5)
    assert [(c.from_owner_id, c.to_owner_id, c.reason) for c in rest.changes] == [
        ("ana", "", "release"), ("", "ana", "capture")]
    assert not rest.page.next_page_token
