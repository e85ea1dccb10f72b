"""Lead assignment (issue #4 item 4, R-LEAD-9, R-LC-4c): the rep roster, the ordered rules, the plugin hook,
assignment at capture and by hand, and who may read and change which lead (item 7, R-SEC-2)."""

from __future__ import annotations

from datetime import timedelta

import grpc
import pytest

from crm.events.v1.leads_pb2 import LeadAssigned, LeadAssignmentFailed
from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.core import plugins as plugin_choices
from services.core.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from services.core.hookspecs import hookimpl
from services.core.plugins import PluginHost
from services.core.timers import pending
from services.leads import access, assignment, leads, pool, reps, rules
from services.leads.models import Lead
from tests.unit.conftest import sample
from tests.unit.services.leads_pool_support import (
    ADMIN,
    SYSTEM,
    T0,
    add_lead,
    add_rep,
    assign_new,
    caller,
    history,
    lead,
    new_assigned,
    seed_record,
    set_rules,
)

HOUR = timedelta(hours=1)


@pytest.fixture
def db(leads_db):
    return leads_db


def owners(db, count, start=T0, step=HOUR, **fields):
    return [new_assigned(db, start + step * number, **fields)[1] for number in range(count)]


# -- round-robin and the rules ------------------------------------------------------------------------------------


def test_round_robin_gives_each_rep_a_lead_in_turn(db):
    for rep in ("ana", "ben", "cai"):
        add_rep(db, rep)
    assert owners(db, 7) == ["ana", "ben", "cai", "ana", "ben", "cai", "ana"]


def test_availability_skips_inactive_absent_and_lead_less_reps(db):
    add_rep(db, "ana")
    add_rep(db, "ben", active=False)
    add_rep(db, "boss", takes_leads=False, team="east")
    add_rep(db, "cai")
    with db.session("t1") as session:
        reps.set_absence(session, caller=ADMIN, user_id="cai", start=T0 - HOUR, end=T0 + 2 * HOUR)
    assert owners(db, 3) == ["ana", "ana", "cai"]  # cai is back at T0 + 2 h


def test_when_nobody_is_available_the_lead_waits_and_the_failure_is_announced(db, outbox_events):
    add_rep(db, "ana", active=False)
    lead_id = add_lead(db)
    outcome = assign_new(db, lead_id)
    assert (outcome.assigned, outcome.reason) == (False, rules.AVAILABILITY)
    assert outcome.explanation == "every rep is inactive or absent"
    assert lead(db, lead_id).owner_id == ""
    assert lead(db, lead_id).pooled_at is None  # unassigned, not in the pool
    assert outbox_events(db, LeadAssignmentFailed) == [
        ("t1", LeadAssignmentFailed(lead_id=lead_id, reason="availability",
                                    explanation="every rep is inactive or absent")),
    ]


def test_territory_prefers_the_reps_of_the_region_and_is_skipped_when_none_covers_it(db):
    add_rep(db, "ana", regions=["上海"])
    add_rep(db, "ben", regions=["44"])  # GB/T 2260: Guangdong covers Shenzhen 440300
    add_rep(db, "cai", regions=["北京"])
    assert owners(db, 2, region="440300") == ["ben", "ben"]
    assert owners(db, 1, start=T0 + 5 * HOUR, region=" 上海 ") == ["ana"]
    # Nobody covers Tibet: the soft rule is skipped and round-robin decides among everyone (cai waited longest).
    assert owners(db, 1, start=T0 + 6 * HOUR, region="西藏") == ["cai"]


def test_industry_expertise_matches_divisions_and_sections(db):
    add_rep(db, "ana", industries=["I"])  # section I: divisions 63-65
    add_rep(db, "ben", industries=["C36"])  # automobiles
    add_rep(db, "cai")
    assert owners(db, 2, industry="64") == ["ana", "ana"]
    assert owners(db, 1, start=T0 + 3 * HOUR, industry="36") == ["ben"]


def test_daily_cap_counts_the_tenants_day_and_resets_at_its_midnight(db):
    add_rep(db, "ana", daily_cap=2)
    add_rep(db, "ben", daily_cap=1)
    assert owners(db, 3) == ["ana", "ben", "ana"]
    lead_id = add_lead(db)
    outcome = assign_new(db, lead_id, T0 + 4 * HOUR)
    assert (outcome.assigned, outcome.reason) == (False, rules.CAPACITY)
    # 23:59 in Shanghai is still the same day; 00:00 is the next one.
    midnight = T0 + timedelta(hours=14)  # 02:00 UTC + 14 h = 16:00 UTC = 00:00 in Shanghai
    assert assign_new(db, add_lead(db), midnight - timedelta(minutes=1)).reason == rules.CAPACITY
    assert assign_new(db, add_lead(db), midnight).owner_id == "ben"  # the longest waiting


def test_holding_limit_counts_open_leads_only(db):
    add_rep(db, "ana", holding_limit=2)
    first, _ = new_assigned(db)
    new_assigned(db, T0 + HOUR)
    assert assign_new(db, add_lead(db), T0 + 2 * HOUR).reason == rules.CAPACITY
    with db.session("t1") as session:
        session.get(Lead, first).status = "lost"
    assert assign_new(db, add_lead(db), T0 + 3 * HOUR).owner_id == "ana"


def test_best_recent_conversion_on_similar_leads_wins_with_a_prior(db):
    for rep in ("ana", "ben", "cai", "dan"):
        add_rep(db, rep)
    seed_record(db, "ana", 1, 1, at=T0 - timedelta(days=3))  # 1 of 1: luck, not a record
    seed_record(db, "ben", 50, 40, at=T0 - timedelta(days=10))
    seed_record(db, "cai", 30, 2, at=T0 - timedelta(days=5))
    seed_record(db, "dan", 20, 0, industry="70", at=T0 - timedelta(days=5))  # another industry
    seed_record(db, "dan", 50, 50, at=T0 - timedelta(days=200))  # outside the 90-day window
    lead_id = add_lead(db, industry="65")
    outcome = assign_new(db, lead_id)
    assert outcome.owner_id == "ben"
    assert [(s.rule, s.before, s.after, s.applied) for s in outcome.steps] == [
        ("availability", 4, 4, True), ("capacity", 4, 4, True), ("territory", 4, 4, False),
        ("industry", 4, 4, False), ("conversion", 4, 1, True), ("round_robin", 1, 1, True),
    ]
    # On another channel nobody has a record: the rule is skipped and round-robin decides.
    other = assign_new(db, add_lead(db, industry="65", channel="trade fair"), T0 + HOUR)
    assert [s.applied for s in other.steps if s.rule == "conversion"] == [False]


def test_conversion_keeps_everyone_within_the_tolerance(db):
    for rep in ("ana", "ben"):
        add_rep(db, rep)
    seed_record(db, "ana", 40, 20, at=T0 - timedelta(days=3))
    seed_record(db, "ben", 40, 21, at=T0 - timedelta(days=3))
    assert owners(db, 2, industry="65") == ["ana", "ben"]  # 50 % and 52.5 %: a tie, broken by round-robin
    set_rules(db, [rules.AVAILABILITY, rules.CAPACITY, rules.Rule(rules.CONVERSION, tolerance_points=0)])
    assert owners(db, 2, start=T0 + 5 * HOUR, industry="65") == ["ben", "ben"]


def test_rule_order_decides_which_soft_rule_narrows_first(db):
    add_rep(db, "ana", regions=["上海"])
    add_rep(db, "ben", industries=["65"])
    assert owners(db, 1, region="上海", industry="65") == ["ana"]  # default: territory before industry
    set_rules(db, [rules.AVAILABILITY, rules.CAPACITY, rules.INDUSTRY, rules.TERRITORY])
    assert owners(db, 1, start=T0 + HOUR, region="上海", industry="65") == ["ben"]


@pytest.mark.parametrize(
    ("kinds", "violations"),
    [
        ([rules.AVAILABILITY], {"rules": "must include the availability and capacity rules"}),
        ([rules.AVAILABILITY, rules.CAPACITY, rules.TERRITORY, rules.TERRITORY], {"rules": "must not repeat a rule"}),
        ([rules.AVAILABILITY, rules.TERRITORY, rules.CAPACITY],
         {"rules": "availability and capacity must come before the other rules"}),
        ([rules.AVAILABILITY, rules.CAPACITY, "astrology"], {"rules[2].kind": "is not an assignment rule"}),
        ([rules.AVAILABILITY, rules.CAPACITY, rules.Rule(rules.CONVERSION, window_days=0, prior_leads=5000,
                                                         tolerance_points=101, similar_by=("colour",))],
         {"rules[2].window_days": "must be between 1 and 365", "rules[2].prior_leads": "must be between 1 and 1000",
          "rules[2].tolerance_points": "must be between 0 and 100",
          "rules[2].similar_by": "must name industry, channel or both"}),
    ],
)
def test_rules_are_validated(db, kinds, violations):
    with pytest.raises(InvalidArgument) as error:
        set_rules(db, kinds)
    assert {v.field: v.description for v in error.value.violations} == violations


def test_rules_are_per_tenant_and_need_admin(db):
    set_rules(db, [rules.CAPACITY, rules.AVAILABILITY], auto_assign_new_leads=False)
    with db.session("t1") as session:
        stored = rules.get(session, caller=caller("auditor"))
        assert [r.kind for r in stored.rules] == [rules.CAPACITY, rules.AVAILABILITY]
        assert stored.auto_assign_new_leads is False
        with pytest.raises(PermissionDenied):
            rules.update_rules(session, caller=caller("manager"), rules=list(rules.DEFAULT_RULES))
        with pytest.raises(PermissionDenied):
            rules.get(session, caller=caller("sales"))
    with db.session("t2") as session:
        assert rules.load(session) == rules.Settings()


# -- the plugin hook ----------------------------------------------------------------------------------------------


class Picker:
    """Gives every lead to the candidate named in its settings."""

    @hookimpl
    def crm_assign_lead(self, lead, candidates, settings):
        self.seen = (dict(lead), [c["user_id"] for c in candidates])
        if settings.get("explode"):
            raise RuntimeError("boom")
        return settings.get("pick")


@pytest.fixture
def host():
    host = PluginHost(load_entry_points=False, timeout_seconds=1)
    picker = Picker()
    host.register(picker, name="picker")
    host.picker = picker
    yield host
    host.close()


def choose_plugin(db, **settings):
    with db.session("t1") as session:
        plugin_choices.choose(session, assignment.HOOK, "picker", settings)


def test_a_plugin_chooses_among_the_candidates_the_rules_left(db, host):
    add_rep(db, "ana")
    add_rep(db, "ben")
    add_rep(db, "cai", active=False)
    choose_plugin(db, pick="ben")
    outcome = assign_new(db, add_lead(db, industry="65", region="上海"), plugins=host)
    assert (outcome.owner_id, outcome.plugin) == ("ben", "picker")
    lead_facts, candidates = host.picker.seen
    assert candidates == ["ana", "ben"]  # the inactive rep is not offered
    assert (lead_facts["industry"], lead_facts["region"]) == ("65", "上海")


@pytest.mark.parametrize("settings", [{"pick": "cai"}, {"pick": "nobody"}, {"pick": None}, {"explode": True}])
def test_a_plugin_cannot_overrule_the_hard_rules_and_a_failing_one_falls_back(db, host, settings):
    add_rep(db, "ana")
    add_rep(db, "cai", active=False)
    choose_plugin(db, **settings)
    before = sample("crm_plugin_errors_total", hook="crm_assign_lead", plugin="picker", reason="invalid")
    outcome = assign_new(db, add_lead(db), plugins=host)
    assert (outcome.owner_id, outcome.plugin) == ("ana", "")
    invalid = settings.get("pick") in ("cai", "nobody")
    assert sample("crm_plugin_errors_total", hook="crm_assign_lead", plugin="picker", reason="invalid") == \
        before + invalid


def test_the_builtin_hook_implementation_leaves_it_to_the_rules():
    from services.core import builtin_plugins

    assert builtin_plugins.crm_assign_lead({"id": "L1"}, [{"user_id": "ana"}], {}) is None


# -- at capture ---------------------------------------------------------------------------------------------------


def capture(db, who, **fields):
    fields.setdefault("name", "Ann Lee")
    fields.setdefault("channel", "web")
    fields.setdefault("email", "ann@example.com")
    with db.session("t1") as session:
        return leads.create_lead(session, tenant="t1", caller=who, **fields)


def test_a_new_lead_without_owner_is_assigned_at_capture_and_the_rep_notified(db, outbox_events):
    add_rep(db, "ana")
    captured = capture(db, caller("marketing", subject="mia"), industry="65")
    assert captured.owner_id == "ana"
    [(tenant, event)] = outbox_events(db, LeadAssigned)
    assert (tenant, event.lead_id, event.owner_id, event.previous_owner_id, event.reason, event.actor) == \
        ("t1", captured.id, "ana", "", "auto", "leads")
    assert event.follow_up_due_time.ToDatetime() - event.assign_time.ToDatetime() == timedelta(hours=48)
    assert event.conversion_due_time.ToDatetime() - event.assign_time.ToDatetime() == timedelta(days=30)
    assert history(db, captured.id) == [("", "ana", "auto")]


def test_an_owner_named_at_capture_is_recorded_and_their_clocks_start(db, outbox_events):
    captured = capture(db, caller("sales", subject="ana"))
    assert captured.owner_id == "ana"
    assert history(db, captured.id) == [("", "ana", "capture")]
    with db.session("t1") as session:
        assert pending(session, pool.timer_kind(pool.FOLLOW_UP, pool.RECLAIM), captured.id) is not None
    assert [event.reason for _, event in outbox_events(db, LeadAssigned)] == ["capture"]


def test_capture_assigns_nothing_without_a_roster_when_turned_off_or_for_a_duplicate(db, outbox_events):
    assert capture(db, caller("manager"), email="a@example.com").owner_id == ""  # no roster: no assignment, no event
    add_rep(db, "ana")
    first = capture(db, caller("manager"), email="b@example.com")
    repeat = capture(db, caller("manager"), email="b@example.com")
    assert (first.owner_id, repeat.status, repeat.owner_id) == ("ana", "duplicate", "")
    set_rules(db, list(rules.DEFAULT_RULES), auto_assign_new_leads=False)
    assert capture(db, caller("manager"), email="c@example.com").owner_id == ""
    assert outbox_events(db, LeadAssignmentFailed) == []
    assert len(outbox_events(db, LeadAssigned)) == 1


# -- by hand ------------------------------------------------------------------------------------------------------


def assign(db, who, lead_id, owner_id="", now=T0, note=""):
    with db.session("t1") as session:
        found, outcome = assignment.assign_lead(session, caller=who, lead_id=lead_id, owner_id=owner_id, note=note,
                                                now=now)
        return found.owner_id, outcome


def test_manual_assignment_checks_the_rep_and_their_capacity(db):
    add_rep(db, "ana", holding_limit=1)
    add_rep(db, "ben", active=False)
    add_rep(db, "boss", takes_leads=False)
    first, second = add_lead(db), add_lead(db)
    assert assign(db, ADMIN, first, "ana", note="knows them")[0] == "ana"
    assert history(db, first) == [("", "ana", "manual")]
    for owner_id, error in (("ana", FailedPrecondition), ("ben", FailedPrecondition), ("boss", FailedPrecondition),
                            ("nobody", NotFound)):
        with pytest.raises(error):
            assign(db, ADMIN, second, owner_id)
    assert lead(db, second).owner_id == ""


def test_assigning_to_the_same_owner_changes_nothing_and_keeps_the_clock(db):
    add_rep(db, "ana")
    lead_id, _ = new_assigned(db)
    with db.session("t1") as session:
        due = pending(session, pool.timer_kind(pool.FOLLOW_UP, pool.RECLAIM), lead_id)[0]
    owner, outcome = assign(db, ADMIN, lead_id, "ana", now=T0 + 40 * HOUR)
    assert (owner, outcome.reason) == ("ana", assignment.UNCHANGED)
    with db.session("t1") as session:
        assert pending(session, pool.timer_kind(pool.FOLLOW_UP, pool.RECLAIM), lead_id)[0] == due
    assert history(db, lead_id) == [("", "ana", "auto")]


def test_automatic_reassignment_moves_a_lead_to_another_rep(db):
    add_rep(db, "ana")
    add_rep(db, "ben")
    lead_id, first = new_assigned(db)
    owner, outcome = assign(db, ADMIN, lead_id, now=T0 + HOUR)
    assert (first, owner) == ("ana", "ben")
    assert history(db, lead_id) == [("", "ana", "auto"), ("ana", "ben", "auto")]
    assign(db, ADMIN, lead_id, now=T0 + 2 * HOUR)  # and back: the only other rep
    assert lead(db, lead_id).owner_id == "ana"


def test_a_manager_assigns_within_their_team_only(db):
    add_rep(db, "boss", team="east", takes_leads=False)
    add_rep(db, "ana", team="east")
    add_rep(db, "wu", team="west")
    boss = caller("manager", subject="boss")
    lead_id = add_lead(db)
    with pytest.raises(PermissionDenied):
        assign(db, boss, lead_id, "wu")
    assert assign(db, boss, lead_id)[0] == "ana"  # by the rules: among the team's reps only
    assert assign(db, boss, add_lead(db), now=T0 + HOUR)[0] == "ana"
    with pytest.raises(NotFound):  # a west lead is not the east manager's business
        assign(db, boss, new_assigned(db, T0 + 2 * HOUR, email="w@example.com")[0])
    with pytest.raises(PermissionDenied):
        assign(db, caller("sales", subject="ana"), lead_id, "ana")


def test_a_manager_without_a_team_assigns_nothing(db):
    add_rep(db, "ana")
    with pytest.raises(PermissionDenied):
        assign(db, caller("manager", subject="loner"), add_lead(db))


# -- the roster ---------------------------------------------------------------------------------------------------


def test_upsert_rep_normalises_and_validates(db):
    rep = add_rep(db, " ana ", name=" Ana ", industries=["I65", "软件和信息技术服务业", "c", "65"],
                  regions=["上海", "上海", " 44 "], daily_cap=5, holding_limit=50)
    assert (rep.user_id, rep.name, rep.industries, rep.regions) == ("ana", "Ana", ["65", "C"], ["上海", "44"])
    with pytest.raises(InvalidArgument) as error:
        add_rep(db, "", industries=["99", "Z"], regions=[""], daily_cap=-1, holding_limit=100_001)
    assert {v.field: v.description for v in error.value.violations} == {
        "user_id": "is required", "industries[0]": "is not a GB/T 4754 section or division",
        "industries[1]": "is not a GB/T 4754 section or division", "regions[0]": "is required",
        "daily_cap": "must be between 0 and 10000", "holding_limit": "must be between 0 and 100000",
    }


def test_managers_keep_the_roster_of_their_own_team(db):
    add_rep(db, "boss", team="east", takes_leads=False)
    add_rep(db, "wu", team="west")
    boss = caller("manager", subject="boss")
    with db.session("t1") as session:
        rep, created = reps.upsert_rep(session, caller=boss, user_id="ana", team="east", daily_cap=3)
        assert (rep.team, created) == ("east", True)
        for user_id, team in (("wu", "east"), ("new", "west"), ("ana", "west")):
            with pytest.raises(PermissionDenied):
                reps.upsert_rep(session, caller=boss, user_id=user_id, team=team)
        with pytest.raises(PermissionDenied):
            reps.set_absence(session, caller=boss, user_id="wu", start=T0, end=None)
        reps.set_absence(session, caller=boss, user_id="ana", start=T0, end=T0 + timedelta(days=3))
        with pytest.raises(PermissionDenied):
            reps.upsert_rep(session, caller=caller("sales", subject="ana"), user_id="ana")
    with db.session("t1") as session:
        found, more = reps.list_reps(session, caller=boss, now=T0 + HOUR)
        assert [(v.rep.user_id, v.absent) for v in found] == [("ana", True), ("boss", False)]
        assert not more
        everyone, _ = reps.list_reps(session, caller=caller("auditor"))
        assert [v.rep.user_id for v in everyone] == ["ana", "boss", "wu"]


def test_absence_validation_and_return(db):
    add_rep(db, "ana")
    with db.session("t1") as session:
        with pytest.raises(InvalidArgument):
            reps.set_absence(session, caller=ADMIN, user_id="ana", start=T0, end=T0)
        with pytest.raises(NotFound):
            reps.set_absence(session, caller=ADMIN, user_id="nobody", start=None, end=None)
        rep = reps.set_absence(session, caller=ADMIN, user_id="ana", start=None, end=None)
        assert (rep.absent_from, rep.absent_until) == (None, None)
        rep = reps.set_absence(session, caller=SYSTEM, user_id="ana", start=T0, end=None)  # until further notice
        assert assignment.is_absent(rep, T0 + timedelta(days=365))
        assert not assignment.is_absent(rep, T0 - HOUR)


def test_rep_views_count_their_load(db):
    add_rep(db, "ana")
    new_assigned(db)
    new_assigned(db, T0 + HOUR)
    with db.session("t1") as session:
        [view], _ = reps.list_reps(session, caller=ADMIN, now=T0 + 2 * HOUR)
        assert (view.open_leads, view.assigned_today, view.claimed_today) == (2, 2, 0)
        assert view.rep.last_assigned_at == T0 + HOUR


# -- permissions (item 7) -----------------------------------------------------------------------------------------


@pytest.fixture
def teams(db):
    """east: boss manages ana and ben; west: wu. Leads: one each, one in the pool, one unassigned."""
    add_rep(db, "boss", team="east", takes_leads=False)
    add_rep(db, "ana", team="east")
    add_rep(db, "ben", team="east")
    add_rep(db, "wu", team="west")
    ids = {name: add_lead(db, owner_id=name, email=f"{name}@example.com") for name in ("ana", "ben", "wu")}
    ids["pool"] = add_lead(db, pooled_at=T0, email="pool@example.com", phone="13812345678")
    ids["waiting"] = add_lead(db, email="waiting@example.com")
    return ids


READABLE = {
    caller("sales", subject="ana"): {"ana", "pool"},
    caller("manager", subject="boss"): {"ana", "ben", "pool", "waiting"},
    caller("manager", subject="stranger"): {"pool", "waiting"},
    caller("admin"): {"ana", "ben", "wu", "pool", "waiting"},
    caller("auditor"): {"ana", "ben", "wu", "pool", "waiting"},
    caller("marketing"): {"ana", "ben", "wu", "pool", "waiting"},
    caller("service_agent"): set(),
    caller(kind="service", subject="sales"): {"ana", "ben", "wu", "pool", "waiting"},
}
CHANGEABLE = {
    caller("sales", subject="ana"): {"ana"},
    caller("manager", subject="boss"): {"ana", "ben", "pool", "waiting"},
    caller("admin"): {"ana", "ben", "wu", "pool", "waiting"},
    caller("auditor"): set(),
    caller("marketing"): set(),
    caller(kind="service", subject="sales"): {"ana", "ben", "wu", "pool", "waiting"},
}


@pytest.mark.parametrize("who", list(READABLE), ids=lambda c: f"{'/'.join(c.roles) or c.kind}:{c.subject}")
def test_who_reads_which_lead(db, teams, who):
    readable = set()
    for name, lead_id in teams.items():
        with db.session("t1") as session:
            try:
                leads.get_lead(session, caller=who, lead_id=lead_id)
                readable.add(name)
            except NotFound:
                pass
    assert readable == READABLE[who]
    with db.session("t1") as session:
        listed, _ = access.list_leads(session, caller=who)
        assert {name for name, lead_id in teams.items() if lead_id in {row.id for row in listed}} == READABLE[who]


@pytest.mark.parametrize("who", list(CHANGEABLE), ids=lambda c: f"{'/'.join(c.roles) or c.kind}:{c.subject}")
def test_who_changes_which_lead(db, teams, who):
    changeable = set()
    for name, lead_id in teams.items():
        with db.session("t1") as session:
            try:
                leads.get_lead_for_change(session, caller=who, lead_id=lead_id)
                changeable.add(name)
            except (NotFound, PermissionDenied) as error:
                # Readable but not changeable is PERMISSION_DENIED; unreadable is NOT_FOUND.
                assert isinstance(error, NotFound) == (name not in READABLE[who])
    assert changeable == CHANGEABLE[who]


def test_a_rep_sees_pool_contacts_masked_until_claimed(db, teams):
    rep = caller("sales", subject="ana")
    with db.session("t1") as session:
        pooled = leads.get_lead(session, caller=rep, lead_id=teams["pool"])
        assert access.contact_masked(rep, pooled)
        assert not access.contact_masked(caller("manager", subject="boss"), pooled)
        assert not access.contact_masked(rep, leads.get_lead(session, caller=rep, lead_id=teams["ana"]))


def test_list_leads_filters_sorts_and_pages(db, teams):
    with db.session("t1") as session:
        session.get(Lead, teams["ben"]).temperature = "hot"
        session.get(Lead, teams["ben"]).score = 90
        session.get(Lead, teams["wu"]).status = "lost"
    boss = caller("manager", subject="boss")

    def names(**filters):
        with db.session("t1") as session:
            found, _ = access.list_leads(session, caller=boss, **filters)
            by_id = {lead_id: name for name, lead_id in teams.items()}
            return [by_id[row.id] for row in found]

    assert names(in_pool=True) == ["pool"]
    assert sorted(names(in_pool=False)) == ["ana", "ben", "waiting"]
    assert names(owner_id="ben") == ["ben"]
    assert names(owner_id="wu") == []  # another team's rep: nothing, not an error
    assert names(temperature="hot") == ["ben"]
    assert names(order="score_desc")[0] == "ben"
    assert names(order="create_time_asc") == ["ana", "ben", "pool", "waiting"]
    assert names(status="lost") == []
    with db.session("t1") as session:
        first, more = access.list_leads(session, caller=caller("admin"), order="create_time_asc", limit=2)
        rest, more_after = access.list_leads(session, caller=caller("admin"), order="create_time_asc", offset=2,
                                             limit=10)
        assert (len(first), more, len(rest), more_after) == (2, True, 3, False)
        with pytest.raises(InvalidArgument):
            access.list_leads(session, caller=boss, status="sleepy", temperature="lukewarm")


# -- through the gRPC API -----------------------------------------------------------------------------------------


@pytest.fixture
def service(grpc_service):
    return grpc_service("leads")


def test_api_roster_rules_and_assignment(service):
    stub = leads_pb2_grpc.LeadsServiceStub(service.channel)
    admin = service.metadata("admin", subject="admin")
    created = stub.UpsertRep(leads_pb2.UpsertRepRequest(user_id="ana", name="Ana", team="east", industries=["I65"],
                                                        holding_limit=10), metadata=admin, timeout=5)
    assert created.created and created.rep.takes_leads and created.rep.active and created.rep.industries == ["65"]
    stub.UpsertRep(leads_pb2.UpsertRepRequest(user_id="ben", team="east", takes_leads=False), metadata=admin, timeout=5)

    rules_response = stub.GetAssignmentRules(leads_pb2.GetAssignmentRulesRequest(), metadata=admin, timeout=5)
    kinds = [rule.kind for rule in rules_response.rules]
    assert kinds[:2] == [leads_pb2.ASSIGNMENT_RULE_KIND_AVAILABILITY, leads_pb2.ASSIGNMENT_RULE_KIND_CAPACITY]
    assert rules_response.rules[-1].tolerance_points == 5 and rules_response.auto_assign_new_leads
    updated = stub.UpdateAssignmentRules(leads_pb2.UpdateAssignmentRulesRequest(rules=[
        leads_pb2.AssignmentRule(kind=leads_pb2.ASSIGNMENT_RULE_KIND_AVAILABILITY),
        leads_pb2.AssignmentRule(kind=leads_pb2.ASSIGNMENT_RULE_KIND_CAPACITY),
        leads_pb2.AssignmentRule(kind=leads_pb2.ASSIGNMENT_RULE_KIND_CONVERSION, similar_by=["industry"],
                                 tolerance_points=0),
    ]), metadata=admin, timeout=5)
    assert updated.rules[-1] == leads_pb2.AssignmentRule(kind=leads_pb2.ASSIGNMENT_RULE_KIND_CONVERSION,
                                                         window_days=90, similar_by=["industry"], prior_leads=10,
                                                         tolerance_points=0)
    with pytest.raises(grpc.RpcError) as error:
        stub.UpdateAssignmentRules(leads_pb2.UpdateAssignmentRulesRequest(), metadata=admin, timeout=5)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT

    lead = stub.CreateLead(leads_pb2.CreateLeadRequest(name="Ann", email="ann@example.com", channel="web"),
                           metadata=service.metadata("marketing"), timeout=5).lead
    assert lead.owner_id == "ana"
    response = stub.AssignLead(leads_pb2.AssignLeadRequest(lead_id=lead.id), metadata=admin, timeout=5)
    assert (response.outcome.assigned, response.outcome.reason, response.lead.owner_id) == (False, "no_reps", "ana")
    chinese = stub.AssignLead(leads_pb2.AssignLeadRequest(lead_id=lead.id), timeout=5,
                              metadata=[*admin, ("accept-language", "zh-CN")])
    assert chinese.outcome.explanation == "销售名单中没有可接收线索的销售"

    with pytest.raises(grpc.RpcError) as error:
        stub.AssignLead(leads_pb2.AssignLeadRequest(lead_id=lead.id, owner_id="ben"), metadata=admin, timeout=5)
    assert error.value.code() == grpc.StatusCode.FAILED_PRECONDITION

    listed = stub.ListReps(leads_pb2.ListRepsRequest(page=leads_pb2.ListRepsRequest().page), metadata=admin,
                           timeout=5)
    assert [(rep.user_id, rep.open_leads, rep.assigned_today) for rep in listed.reps] == [("ana", 1, 1), ("ben", 0, 0)]
    absent = stub.SetRepAbsence(leads_pb2.SetRepAbsenceRequest(user_id="ana"), metadata=admin, timeout=5)
    assert not absent.rep.absent and not absent.rep.HasField("absence_start_time")
