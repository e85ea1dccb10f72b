"""Lead scoring (R-LEAD-5..7): the default model and its explanation, the vectorised form, settings, behaviour
capture (API and bus, idempotent), score history, qualification exactly once, the hot-lead deadline timer,
nurturing without over-contacting, plugin models with fallback, bulk rescoring, the won/lost history export."""

from __future__ import annotations

import csv
import json
import math
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import grpc
import polars as pl
import pytest
from sqlalchemy import func, select

from crm.events.v1.envelope_pb2 import Envelope
from crm.events.v1.leads_pb2 import LeadBehaviourObserved, LeadFirstContactOverdue, LeadNurture, LeadQualified
from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.core.consumers import InboxDispatcher
from services.core.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from services.core.events import MalformedEvent, new_envelope
from services.core.hookspecs import LeadScore, ScoreFactor, hookimpl
from services.core.plugins import PluginHost, choose
from services.core.timers import fire_due, pending
from services.leads import rescoring, scoring
from services.leads.contacts import email_key, phone_key
from services.leads.events import CONSUMERS
from services.leads.models import (
    BEHAVIOUR_KINDS,
    COLD,
    CONVERTED,
    HOT,
    LOST,
    OPEN,
    QUALIFIED,
    WARM,
    BehaviourEvent,
    Lead,
    LeadActivity,
    ScoreRecord,
)
from services.leads.scoring import LeadFeatures, ScoringSettings, default_score, validate_settings
from services.leads.timers import TIMERS
from tests.unit.conftest import sample
from tests.unit.services.conftest import make_caller

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SERVICE = make_caller(kind="service", subject="tracking")
ADMIN = make_caller("admin", subject="boss")
TARGETED = {"target_industries": ["I", "13"], "target_regions": ["上海"], "employees_min": 50, "employees_max": 500,
            "budget_min": "100000", "budget_max": "2000000"}


def add_lead(database, tenant="t1", **fields) -> Lead:
    fields.setdefault("name", "Ann Lee")
    fields.setdefault("channel", "Baidu SEM")
    fields.setdefault("email", "ann@example.com")
    fields.setdefault("owner_id", "rep1")
    with database.session(tenant) as session:
        lead = Lead(email_key=email_key(fields["email"]), phone_key=phone_key(fields.get("phone", "")), **fields)
        session.add(lead)
        session.flush()
        return lead


def behave(database, lead_id, kind, *, at=NOW, tenant="t1", caller=SERVICE, plugins=None, **fields):
    with database.session(tenant) as session:
        return scoring.record_behaviour(session, caller=caller, kind=kind, lead_id=lead_id, occurred_at=at,
                                        now=at, plugins=plugins, **fields)


def stored(database, lead_id, tenant="t1") -> Lead:
    with database.session(tenant) as session:
        return session.get(Lead, lead_id)


def history(database, lead_id, tenant="t1") -> list[ScoreRecord]:
    with database.session(tenant) as session:
        return list(session.scalars(select(ScoreRecord).where(ScoreRecord.lead_id == lead_id)
                                    .order_by(ScoreRecord.id)))


def set_settings(database, tenant="t1", **values):
    with database.session(tenant) as session:
        return scoring.update_settings(session, caller=ADMIN, values=values, fields=list(values))


def rescore(database, lead_id, at, tenant="t1", plugins=None):
    with database.session(tenant) as session:
        return scoring.rescore_lead(session, lead=session.get(Lead, lead_id), plugins=plugins, now=at)


# --- the default model ---------------------------------------------------------------------------------------------


def test_default_model_adds_weighted_factors_and_explains_them_largest_first():
    settings = validate_settings(TARGETED)
    features = LeadFeatures(industry="65", region=" 上海 ", employees=100, budget=200000.0,
                            counts={"page_view": 3, "demo_attended": 1}, interactions=4.0, interactions_at=NOW,
                            last_event_at=NOW)
    result = default_score(features, settings, NOW)

    frequency = 25 * (1 - math.exp(-4 / 3))
    assert result.score == pytest.approx(frequency + 35 * 0.75 + 15 + 5 + 10 + 10, abs=0.01)
    assert [f.name for f in result.factors] == ["depth", "frequency", "industry", "size", "budget", "region"]
    assert [f.contribution for f in result.factors] == [26.25, round(frequency, 2), 15.0, 10.0, 10.0, 5.0]
    assert [str(f.detail) for f in result.factors] == [
        "deepest behaviour: attended a demo", "4.0 recent interactions", "industry 65 is a target industry",
        "100 employees, in the target range", "budget 200000, in the target range", "region  上海  is a target region",
    ]
    assert result.factors[0].detail.localized("zh_CN") == "最深行为：参加了产品演示"
    assert result.factors[1].detail.localized("zh_CN") == "近期互动 4.0 次"


def test_attributes_outside_the_targets_add_less_or_nothing():
    settings = validate_settings(TARGETED)
    result = default_score(LeadFeatures(industry="01", region="北京", employees=25, budget=None), settings, NOW)
    assert result.score == 5.0  # half the size weight: 25 of at least 50 employees; nothing else fits
    assert [(f.name, f.contribution, str(f.detail)) for f in result.factors] == [
        ("size", 5.0, "25 employees, outside the target range")
    ]
    big = default_score(LeadFeatures(employees=1000, budget=4_000_000.0), settings, NOW)
    assert {f.name: f.contribution for f in big.factors} == {"size": 5.0, "budget": 5.0}


def test_without_targets_every_attribute_fits_and_behaviour_decides():
    nothing = default_score(LeadFeatures(), ScoringSettings(), NOW)
    assert nothing.score == 40.0
    assert ScoringSettings().temperature(nothing.score) == COLD
    contract = default_score(LeadFeatures(counts={"contract_template_viewed": 1}, interactions=1.0,
                                          interactions_at=NOW, last_event_at=NOW), ScoringSettings(), NOW)
    assert contract.score >= 80  # one look at the contract template, fresh: qualified


def test_frequency_and_depth_fade_with_time():
    fresh = LeadFeatures(counts={"demo_attended": 1}, interactions=3.0, interactions_at=NOW, last_event_at=NOW)
    scores = [default_score(fresh, ScoringSettings(), NOW + timedelta(days=days)).score for days in (0, 7, 30, 90)]
    assert scores == sorted(scores, reverse=True) and scores[0] - scores[-1] > 30
    week = {f.name: f.contribution for f in default_score(fresh, ScoringSettings(), NOW + timedelta(days=7)).factors}
    assert week["frequency"] == pytest.approx(25 * (1 - math.exp(-1.5 / 3)), abs=0.01)  # half-life 7 days
    month = {f.name: f.contribution for f in default_score(fresh, ScoringSettings(), NOW + timedelta(days=30)).factors}
    assert month["depth"] == pytest.approx(35 * 0.75 / 2, abs=0.01)  # depth: half-life 30 days


def test_decayed_interactions_do_not_depend_on_arrival_order():
    times = [NOW - timedelta(days=d) for d in (10, 3, 0.5, 6)]
    results = []
    for order in (times, list(reversed(times)), sorted(times)):
        value, since = 0.0, None
        for at in order:
            value, since = scoring.add_interaction(value, since, at)
        results.append(scoring.decayed(value, since, NOW))
    expected = sum(2 ** (-(NOW - at).total_seconds() / scoring.HALF_LIFE_SECONDS) for at in times)
    assert results == pytest.approx([expected] * 3, rel=1e-12)


SETTINGS_VARIANTS = [
    {},
    TARGETED,
    {"target_industries": ["13"], "employees_min": 10, "budget_max": "50000.5", "frequency_scale": 1.5,
     "weights": {"frequency": 40, "depth": 40, "industry": 5, "region": 5, "size": 5, "budget": 5},
     "behaviour_depth": {"email_open": 60, "call_answered": 60}},
]


@pytest.mark.parametrize("values", SETTINGS_VARIANTS)
def test_vectorised_model_equals_the_one_lead_model(values):
    settings = validate_settings(values)
    rng = random.Random(7)
    rows = []
    for _ in range(3000):
        active = rng.random() < 0.8
        at = NOW - timedelta(seconds=rng.uniform(-3600, 120 * 86400)) if active else None
        rows.append({
            "industry": rng.choice(["65", "13", "01", ""]), "region": rng.choice(["上海", " 上海", "广州", ""]),
            "employees": rng.choice([0, 5, 49, 50, 300, 500, 501, 10000]),
            "budget": rng.choice([None, 0.0, 99999.99, 100000.0, 123456.785, 5e6, 50000.5]),
            **{kind: rng.choice([0, 0, 1, 2, 7]) if active else 0 for kind in BEHAVIOUR_KINDS},
            "interactions": rng.uniform(0, 20) if active else 0.0, "interactions_at": at,
            "last_event_at": at + timedelta(seconds=rng.uniform(-1e5, 0)) if at else None,
        })
    schema = {"industry": pl.String, "region": pl.String, "employees": pl.Int64, "budget": pl.Float64,
              **{kind: pl.Int64 for kind in BEHAVIOUR_KINDS}, "interactions": pl.Float64,
              "interactions_at": pl.Datetime("us", "UTC"), "last_event_at": pl.Datetime("us", "UTC")}
    frame = scoring.score_frame(pl.DataFrame(rows, schema=schema), settings, NOW)

    for row, vector in zip(rows, frame.iter_rows(named=True), strict=True):
        one = default_score(LeadFeatures(
            industry=row["industry"], region=row["region"], employees=row["employees"], budget=row["budget"],
            counts={kind: row[kind] for kind in BEHAVIOUR_KINDS}, interactions=row["interactions"],
            interactions_at=row["interactions_at"], last_event_at=row["last_event_at"],
        ), settings, NOW)
        assert vector["score"] == one.score
        assert vector["temperature"] == settings.temperature(one.score)
        explained = scoring.factors_from_json(json.loads(vector["factors"]))
        assert [(f.name, f.contribution, str(f.detail)) for f in explained] == \
            [(f.name, f.contribution, str(f.detail)) for f in scoring.factors_from_json(
                scoring.factors_to_json(one.factors))]
        assert {f.name: f.contribution for f in explained} == {f.name: f.contribution for f in one.factors}


# --- settings ------------------------------------------------------------------------------------------------------


def test_settings_validation_names_every_bad_field():
    with pytest.raises(InvalidArgument) as error:
        validate_settings({
            "weights": {"frequency": 50, "depth": 60, "charm": 5}, "behaviour_depth": {"page_view": 120},
            "frequency_scale": 0, "target_industries": ["65", "99", "Z"], "target_regions": [""],
            "employees_min": 100, "employees_max": 10, "budget_min": "-1", "budget_max": "abc",
            "qualify_threshold": 0, "hot_from": 40, "warm_from": 60, "first_contact_hours": 0,
            "nurture_interval_days": 1.5,
        })
    violations = {v.field: str(v.description) for v in error.value.violations}
    assert violations == {
        "weights": "unknown factors: charm",
        "behaviour_depth.page_view": "must be a number from 0 to 100",
        "frequency_scale": "must be more than 0 and at most 1000",
        "target_industries": "not GB/T 4754 division codes or section letters: 99, Z",
        "target_regions": "each region must have 1 to 100 characters",
        "employees_max": "must not be less than the minimum",
        "budget_min": "must be an amount of at least 0",
        "budget_max": "must be an amount of at least 0",
        "qualify_threshold": "must be more than 0 and at most 100",
        "warm_from": "must be less than hot_from",
        "first_contact_hours": "must be a whole number from 1 to 720",
        "nurture_interval_days": "must be a whole number from 1 to 365",
    }
    with pytest.raises(InvalidArgument) as error:
        validate_settings({"weights": {"frequency": 50, "depth": 60}})
    assert {v.field: str(v.description) for v in error.value.violations} == {
        "weights": "must add up to 100, not 150.0"}  # the others keep their defaults


def test_settings_are_per_tenant_partial_updates_keep_the_rest_and_need_a_manager(leads_db):
    set_settings(leads_db, **TARGETED)
    changed = set_settings(leads_db, qualify_threshold=70, target_regions=["北京", "上海"])
    assert changed.qualify_threshold == 70 and changed.target_regions == ("北京", "上海")
    assert changed.employees_min == 50 and changed.target_industries == ("I", "13")
    with leads_db.session("t1") as session:
        assert scoring.read_settings(session, caller=make_caller("auditor")) == changed
    with leads_db.session("t2") as session:
        assert scoring.get_settings(session) == ScoringSettings()
    with leads_db.session("t1") as session, pytest.raises(PermissionDenied):
        scoring.update_settings(session, caller=make_caller("sales"), values={"qualify_threshold": 10})
    with leads_db.session("t1") as session, pytest.raises(InvalidArgument) as error:
        scoring.update_settings(session, caller=ADMIN, values={}, fields=["colour"])
    assert error.value.violations[0].field == "update_mask"


# --- behaviour, history --------------------------------------------------------------------------------------------


def test_behaviour_is_recorded_once_per_key_and_rescores_with_history(leads_db):
    lead = add_lead(leads_db)
    first = behave(leads_db, lead.id, "page_view", event_key="pv-1", source="website", detail="/pricing")
    again = behave(leads_db, lead.id, "page_view", event_key="pv-1", at=NOW + timedelta(minutes=1))
    demo = behave(leads_db, lead.id, "demo_attended", at=NOW + timedelta(hours=1))

    assert not first.duplicate and again.duplicate and again.score.score == first.score.score
    assert first.score.score < demo.score.score
    with leads_db.session("t1") as session:
        activity = session.get(LeadActivity, lead.id)
        assert (activity.page_view, activity.demo_attended, activity.email_open) == (1, 1, 0)
        assert session.scalar(select(func.count()).select_from(BehaviourEvent)) == 2
        event = session.scalars(select(BehaviourEvent).where(BehaviourEvent.event_key == "pv-1")).one()
        assert (event.source, event.detail, event.kind) == ("website", "/pricing", "page_view")
    rows = history(leads_db, lead.id)
    assert [row.score for row in rows] == [first.score.score, demo.score.score]
    assert rows[-1].model == "builtin"
    assert rows[-1].factors[0] == ["depth_demo_attended", 26.25]  # the stored form: [text code, points(, params)]
    assert [f.name for f in scoring.factors_from_json(rows[-1].factors)][0] == "depth"
    assert stored(leads_db, lead.id).score == demo.score.score


def test_behaviour_finds_the_lead_by_contact_and_checks_the_caller(leads_db):
    lead = add_lead(leads_db, email="Zhang.Wei@Example.com", phone="+86 138-0013-8000")
    by_mail = behave(leads_db, "", "email_open", email="zhang.wei@example.com")
    by_phone = behave(leads_db, "", "call_answered", phone="13800138000", at=NOW + timedelta(minutes=5))
    assert by_mail.lead.id == by_phone.lead.id == lead.id
    with pytest.raises(NotFound):
        behave(leads_db, "", "email_open", email="nobody@example.com")
    with pytest.raises(NotFound):  # another rep's lead is not there for this rep
        behave(leads_db, lead.id, "page_view", caller=make_caller("sales", subject="rep2"))
    assert behave(leads_db, lead.id, "page_view", caller=make_caller("sales", subject="rep1"),
                  at=NOW + timedelta(minutes=9)).lead.id == lead.id
    with pytest.raises(PermissionDenied):
        behave(leads_db, lead.id, "page_view", caller=make_caller("auditor"))
    with pytest.raises(InvalidArgument) as error:
        behave(leads_db, "", "smoke_signal", detail="x" * 501)
    assert {v.field for v in error.value.violations} == {"kind", "lead_id", "detail"}
    with pytest.raises(NotFound):
        behave(leads_db, lead.id, "page_view", tenant="t2")


# --- qualification, temperature ------------------------------------------------------------------------------------


def test_reaching_the_threshold_qualifies_the_lead_exactly_once(leads_db, outbox_events):
    lead = add_lead(leads_db, company="Acme", phone="13800138000", customer_id="C1")
    behave(leads_db, lead.id, "page_view")
    assert stored(leads_db, lead.id).status == OPEN and outbox_events(leads_db, LeadQualified) == []

    scored = behave(leads_db, lead.id, "contract_template_viewed", at=NOW + timedelta(minutes=1))
    assert scored.score.score >= 80 and scored.lead.status == QUALIFIED
    for minute in range(2, 5):
        behave(leads_db, lead.id, "demo_attended", at=NOW + timedelta(minutes=minute))
    with leads_db.session("t1") as session:  # a manager reopens it: the score stays high, no second event
        session.get(Lead, lead.id).status = OPEN
    behave(leads_db, lead.id, "page_view", at=NOW + timedelta(minutes=9))

    [(tenant, event)] = outbox_events(leads_db, LeadQualified)
    assert tenant == "t1"
    assert (event.lead_id, event.name, event.company, event.email, event.phone, event.channel, event.owner_id,
            event.customer_id, event.model, event.threshold) == \
        (lead.id, "Ann Lee", "Acme", "ann@example.com", "13800138000", "Baidu SEM", "rep1", "C1", "builtin", 80.0)
    assert event.score == scored.score.score
    assert stored(leads_db, lead.id).status == OPEN


def test_a_lead_turning_hot_gets_a_first_contact_deadline_that_fires_once_when_missed(leads_db, outbox_events):
    lead = add_lead(leads_db)
    hot = behave(leads_db, lead.id, "contract_template_viewed")
    assert hot.lead.temperature == HOT
    assert stored(leads_db, lead.id).first_contact_due == NOW + timedelta(hours=24)
    with leads_db.session("t1") as session:
        due, payload = pending(session, scoring.FIRST_CONTACT, lead.id)
    assert due == NOW + timedelta(hours=24) and payload == {"hot_since": NOW.isoformat()}
    behave(leads_db, lead.id, "demo_attended", at=NOW + timedelta(hours=2))  # still hot: the deadline stays

    assert fire_due(leads_db, TIMERS, now=NOW + timedelta(hours=23)) == 0
    assert outbox_events(leads_db, LeadFirstContactOverdue) == []
    assert fire_due(leads_db, TIMERS, now=NOW + timedelta(hours=25)) == 1
    assert fire_due(leads_db, TIMERS, now=NOW + timedelta(hours=26)) == 0
    [(_, overdue)] = outbox_events(leads_db, LeadFirstContactOverdue)
    assert (overdue.lead_id, overdue.owner_id) == (lead.id, "rep1")
    assert overdue.due_at.ToDatetime(tzinfo=UTC) == NOW + timedelta(hours=24)
    assert overdue.hot_since.ToDatetime(tzinfo=UTC) == NOW


def test_a_hot_lead_followed_up_in_time_is_not_overdue(leads_db, outbox_events):
    set_settings(leads_db, first_contact_hours=4)
    lead = add_lead(leads_db)
    behave(leads_db, lead.id, "contract_template_viewed")
    with leads_db.session("t1") as session:
        session.get(Lead, lead.id).last_follow_up_at = NOW + timedelta(hours=1)
    assert fire_due(leads_db, TIMERS, now=NOW + timedelta(hours=5)) == 1
    assert outbox_events(leads_db, LeadFirstContactOverdue) == []
    assert stored(leads_db, lead.id).first_contact_due is None


def test_leads_turning_cold_are_nurtured_at_most_once_per_interval(leads_db, outbox_events):
    def warm_then_cold(day: float) -> None:
        set_settings(leads_db, warm_from=50, hot_from=75)
        assert behave(leads_db, lead.id, "email_open", at=NOW + timedelta(days=day)).lead.temperature == WARM
        set_settings(leads_db, warm_from=90, hot_from=95)  # the same score is cold now
        assert rescore(leads_db, lead.id, NOW + timedelta(days=day, hours=1)).lead.temperature == COLD

    lead = add_lead(leads_db)
    assert rescore(leads_db, lead.id, NOW).lead.temperature == COLD  # cold from the start: not "turning" cold
    assert outbox_events(leads_db, LeadNurture) == []
    warm_then_cold(1)  # nurtured
    warm_then_cold(3)  # within 7 days of that: not again
    warm_then_cold(9)  # 8 days later: nurtured
    rescore(leads_db, lead.id, NOW + timedelta(days=30))  # stays cold: nothing

    events = [event for _, event in outbox_events(leads_db, LeadNurture)]
    assert [(event.lead_id, event.previous_temperature) for event in events] == [(lead.id, WARM)] * 2
    with leads_db.session("t1") as session:
        assert session.get(LeadActivity, lead.id).last_nurture_at == NOW + timedelta(days=9, hours=1)


def test_leads_no_longer_worked_on_set_nothing_off(leads_db, outbox_events):
    lead = add_lead(leads_db, status=LOST)
    behave(leads_db, lead.id, "contract_template_viewed")
    assert stored(leads_db, lead.id).status == LOST and stored(leads_db, lead.id).first_contact_due is None
    assert outbox_events(leads_db, LeadQualified) == [] and outbox_events(leads_db, LeadNurture) == []


# --- plugins -------------------------------------------------------------------------------------------------------


class Fixed:
    @hookimpl
    def crm_score_lead(self, lead, behaviour, settings):
        return LeadScore(score=settings.get("score", 42.0),
                         factors=(ScoreFactor("kinds", 1.0, ",".join(event["kind"] for event in behaviour)),))


class Broken:
    @hookimpl
    def crm_score_lead(self, lead, behaviour, settings):
        raise RuntimeError("model file missing")


class Nonsense:
    @hookimpl
    def crm_score_lead(self, lead, behaviour, settings):
        return LeadScore(score=250.0)


@pytest.fixture
def host():
    plugins = PluginHost(load_entry_points=False)
    for plugin, name in ((Fixed(), "fixed"), (Broken(), "broken"), (Nonsense(), "nonsense")):
        plugins.register(plugin, name)
    yield plugins
    plugins.close()


def test_a_tenant_chooses_a_plugin_model_and_it_scores_its_leads(leads_db, host):
    with leads_db.session("t1") as session:
        assert scoring.installed_models(host) == ["broken", "builtin", "fixed", "nonsense"]
        with pytest.raises(FailedPrecondition):
            scoring.set_model(session, caller=ADMIN, plugin="missing", plugins=host)
        with pytest.raises(PermissionDenied):
            scoring.set_model(session, caller=make_caller("manager"), plugin="fixed", plugins=host)
        scoring.set_model(session, caller=ADMIN, plugin="fixed", settings={"score": 90.0}, plugins=host)
    lead = add_lead(leads_db)
    other = add_lead(leads_db, tenant="t2", email="bo@example.com")
    behave(leads_db, lead.id, "page_view", plugins=host)
    scored = behave(leads_db, lead.id, "email_open", plugins=host, at=NOW + timedelta(minutes=1))
    assert (scored.score.score, scored.model) == (90.0, "fixed")
    assert scored.score.factors[0].detail == "email_open,page_view"  # newest first
    assert scored.lead.status == QUALIFIED  # the tenant's threshold applies to any model
    assert history(leads_db, lead.id)[-1].model == "fixed"
    assert behave(leads_db, other.id, "page_view", tenant="t2", plugins=host).model == "builtin"


@pytest.mark.parametrize(("plugin", "reason"), [("broken", "exception"), ("nonsense", "invalid"),
                                                 ("uninstalled", "missing")])
def test_a_failing_plugin_falls_back_to_the_default_model_and_is_counted(leads_db, host, plugin, reason):
    with leads_db.session("t1") as session:
        choose(session, scoring.SCORE_HOOK, plugin)  # (set_model refuses an uninstalled one; it may go later)
    lead = add_lead(leads_db)
    before = sample("crm_plugin_errors_total", hook=scoring.SCORE_HOOK, plugin=plugin, reason=reason)
    scored = behave(leads_db, lead.id, "demo_attended", plugins=host)
    assert scored.model == "builtin"
    assert scored.score == default_score(LeadFeatures(counts={"demo_attended": 1}, interactions=1.0,
                                                      interactions_at=NOW, last_event_at=NOW), ScoringSettings(), NOW)
    assert sample("crm_plugin_errors_total", hook=scoring.SCORE_HOOK, plugin=plugin, reason=reason) == before + 1


# --- the bus -------------------------------------------------------------------------------------------------------


def behaviour_envelope(tenant="t1", **fields) -> bytes:
    return new_envelope(LeadBehaviourObserved(**fields), tenant_id=tenant, producer="marketing").SerializeToString()


def test_behaviour_from_the_bus_counts_once_per_event_and_per_key(leads_db):
    lead = add_lead(leads_db)
    [consumer] = [c for c in CONSUMERS if c.purpose == "behaviour"]
    dispatch = InboxDispatcher("leads", consumer, leads_db)
    body = behaviour_envelope(lead_id=lead.id, kind="email_open", source="marketing")
    dispatch(body)
    dispatch(body)  # redelivered
    keyed = [behaviour_envelope(email="ANN@example.com", kind="page_view", event_key="web-7") for _ in range(2)]
    assert dispatch.apply_batch(keyed) == ["lead.behaviour_observed"] * 2  # two envelopes, one key
    assert dispatch(behaviour_envelope(email="stranger@example.com", kind="page_view")) == "lead.behaviour_observed"
    with pytest.raises(MalformedEvent):
        dispatch(behaviour_envelope(lead_id=lead.id, kind="telepathy"))

    with leads_db.session("t1") as session:
        activity = session.get(LeadActivity, lead.id)
        assert (activity.email_open, activity.page_view) == (1, 1)
        occurred = session.scalars(select(BehaviourEvent.occurred_at).where(BehaviourEvent.kind == "email_open")).one()
    assert abs((occurred - datetime.now(UTC)).total_seconds()) < 60  # unset occurred_at: the envelope's time
    assert len(history(leads_db, lead.id)) == 2


def test_a_behaviour_event_keeps_the_time_it_happened(leads_db):
    lead = add_lead(leads_db)
    [consumer] = [c for c in CONSUMERS if c.purpose == "behaviour"]
    event = LeadBehaviourObserved(lead_id=lead.id, kind="demo_attended")
    event.occurred_at.FromDatetime(NOW - timedelta(days=3))
    envelope = new_envelope(event, tenant_id="t1", producer="sales")
    InboxDispatcher("leads", consumer, leads_db)(envelope.SerializeToString())
    with leads_db.session("t1") as session:
        assert session.get(LeadActivity, lead.id).last_event_at == NOW - timedelta(days=3)
    assert isinstance(Envelope.FromString(envelope.SerializeToString()), Envelope)


# --- bulk rescoring ------------------------------------------------------------------------------------------------


def test_bulk_rescoring_matches_the_one_lead_model_and_writes_only_changes(leads_db, outbox_events):
    set_settings(leads_db, **TARGETED)
    leads = [
        add_lead(leads_db, industry="65", region="上海", employees=100, budget=Decimal("300000")),
        add_lead(leads_db, industry="01", region="北京", employees=5),
        add_lead(leads_db, industry="13", region="上海", employees=80, budget=Decimal("150000")),
        add_lead(leads_db, status=LOST),
        add_lead(leads_db, tenant="t2"),
    ]
    behave(leads_db, leads[0].id, "contract_template_viewed", at=NOW - timedelta(hours=1))
    behave(leads_db, leads[2].id, "email_open", at=NOW - timedelta(days=2))
    before = {lead.id: len(history(leads_db, lead.id)) for lead in leads[:4]}
    qualified_before = len(outbox_events(leads_db, LeadQualified))

    result = rescoring.rescore_tenant(leads_db, "t1", now=NOW)

    assert result.leads == 4 and result.model == "builtin"
    with leads_db.session("t1") as session:
        for lead in leads[:4]:
            row = session.get(Lead, lead.id)
            expected = default_score(LeadFeatures.of(row, session.get(LeadActivity, lead.id)),
                                     scoring.get_settings(session), NOW)
            assert row.score == expected.score
            if expected.score:
                explained = scoring.factors_from_json(history(leads_db, lead.id)[-1].factors)
                assert {f.name: f.contribution for f in explained} == \
                    {f.name: f.contribution for f in expected.factors}
    after = {lead.id: len(history(leads_db, lead.id)) for lead in leads[:4]}
    # leads[2] was scored two days ago and its score moved with time; leads[1] gets its first score; leads[3]
    # (nothing known, nothing fits) stays at 0 with nothing to explain
    assert after[leads[1].id] == 1 and after[leads[2].id] == before[leads[2].id] + 1
    assert stored(leads_db, leads[3].id).score == 0 and after[leads[3].id] == 0
    assert stored(leads_db, leads[4].id, tenant="t2").score == 0.0  # another tenant is untouched
    assert len(outbox_events(leads_db, LeadQualified)) == qualified_before  # qualified once, on its behaviour

    again = rescoring.rescore_tenant(leads_db, "t1", now=NOW)
    assert again.changed == 0 and {lead.id: len(history(leads_db, lead.id)) for lead in leads[:4]} == after


def test_bulk_rescoring_after_a_settings_change_qualifies_heats_and_nurtures(leads_db, outbox_events):
    hot_one = add_lead(leads_db)
    cold_one = add_lead(leads_db, email="c@example.com")
    behave(leads_db, hot_one.id, "demo_attended", at=NOW - timedelta(hours=1))
    behave(leads_db, cold_one.id, "page_view", at=NOW - timedelta(hours=1))
    nurtured_before = len(outbox_events(leads_db, LeadNurture))
    assert stored(leads_db, hot_one.id).status == OPEN

    set_settings(leads_db, qualify_threshold=60, hot_from=60, warm_from=59.5)
    result = rescoring.rescore_tenant(leads_db, "t1", now=NOW)

    assert (result.qualified, result.turned_hot, result.nurtured) == (1, 1, 1)
    assert stored(leads_db, hot_one.id).status == QUALIFIED
    assert stored(leads_db, hot_one.id).first_contact_due == NOW + timedelta(hours=24)
    assert [event.lead_id for _, event in outbox_events(leads_db, LeadQualified)] == [hot_one.id]
    assert [e.lead_id for _, e in outbox_events(leads_db, LeadNurture)][nurtured_before:] == [cold_one.id]
    assert fire_due(leads_db, TIMERS, now=NOW + timedelta(hours=25)) == 1
    assert [event.lead_id for _, event in outbox_events(leads_db, LeadFirstContactOverdue)] == [hot_one.id]
    assert rescoring.rescore_tenant(leads_db, "t1", now=NOW).qualified == 0


def test_bulk_rescoring_with_a_plugin_goes_lead_by_lead(leads_db, host):
    with leads_db.session("t1") as session:
        scoring.set_model(session, caller=ADMIN, plugin="fixed", settings={"score": 55.0}, plugins=host)
    ids = [add_lead(leads_db, email=f"p{i}@example.com").id for i in range(3)]
    result = rescoring.rescore_tenant(leads_db, "t1", plugins=host, now=NOW)
    assert (result.leads, result.changed, result.model) == (3, 3, "fixed")
    assert {stored(leads_db, lead_id).score for lead_id in ids} == {55.0}


# --- won/lost history export ---------------------------------------------------------------------------------------


def test_export_history_writes_decided_leads_with_their_features(leads_db, tmp_path):
    won = add_lead(leads_db, industry="65", region="上海", employees=120, budget=Decimal("50000.50"))
    lost = add_lead(leads_db, email="l@example.com")
    add_lead(leads_db, email="open@example.com")
    behave(leads_db, won.id, "demo_attended")
    behave(leads_db, won.id, "page_view", at=NOW + timedelta(hours=1))
    with leads_db.session("t1") as session:
        session.get(Lead, won.id).status = CONVERTED
        session.get(Lead, lost.id).status = LOST

    assert rescoring.export_history(leads_db, "t1", tmp_path / "history.csv") == 2
    with (tmp_path / "history.csv").open(encoding="utf-8") as handle:
        rows = {row["lead_id"]: row for row in csv.DictReader(handle)}
    assert rows[won.id]["outcome"] == "won" and rows[lost.id]["outcome"] == "lost"
    assert (rows[won.id]["industry"], rows[won.id]["budget"], rows[won.id]["demo_attended"],
            rows[won.id]["page_view"]) == ("65", "50000.50", "1", "1")
    assert 0 < float(rows[won.id]["interactions"]) <= 2 and rows[lost.id]["interactions"] == "0.0000"


# --- the gRPC API --------------------------------------------------------------------------------------------------


@pytest.fixture
def stub(grpc_service):
    service = grpc_service("leads")
    return service, leads_pb2_grpc.LeadsServiceStub(service.channel)


def test_api_records_behaviour_and_explains_the_score_in_the_callers_language(stub):
    service, api = stub
    lead = add_lead(service.database, owner_id="u1")
    marketing = service.metadata(kind="service", subject="marketing")
    request = leads_pb2.RecordBehaviourRequest(lead_id=lead.id, kind="demo_attended", event_key="demo-1")
    first = api.RecordBehaviour(request, metadata=marketing)
    again = api.RecordBehaviour(request, metadata=marketing)
    assert (first.duplicate, again.duplicate, first.lead_id) == (False, True, lead.id)
    assert first.score.score == again.score.score > 40 and first.score.model == "builtin"

    chinese = service.metadata("sales") + [("accept-language", "zh-CN")]
    answer = api.GetLeadScore(leads_pb2.GetLeadScoreRequest(lead_id=lead.id), metadata=chinese)
    assert answer.score.score == first.score.score and answer.score.temperature == WARM
    assert answer.score.factors[0].detail == "最深行为：参加了产品演示"
    assert dict(answer.behaviour_counts)["demo_attended"] == 1
    assert answer.score.HasField("score_time")

    page = api.ListScoreHistory(leads_pb2.ListScoreHistoryRequest(lead_id=lead.id), metadata=chinese)
    assert [s.score for s in page.scores] == [first.score.score] and page.page.next_page_token == ""

    with pytest.raises(grpc.RpcError) as error:
        api.RecordBehaviour(leads_pb2.RecordBehaviourRequest(lead_id=lead.id, kind="x"), metadata=marketing)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "kind" in service.violations(error.value)
    with pytest.raises(grpc.RpcError) as error:
        api.GetLeadScore(leads_pb2.GetLeadScoreRequest(lead_id=lead.id), metadata=service.metadata("sales",
                                                                                                    subject="u2"))
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


def test_api_settings_model_choice_and_rescoring(stub):
    service, api = stub
    admin = service.metadata("admin")
    defaults = api.GetScoringSettings(leads_pb2.GetScoringSettingsRequest(), metadata=admin).settings
    assert (defaults.qualify_threshold, defaults.weights.depth, defaults.behaviour_depth["demo_attended"]) == \
        (80.0, 35.0, 75.0)
    assert not defaults.HasField("budget_min")

    wanted = leads_pb2.ScoringSettings(qualify_threshold=70, target_industries=["I"])
    wanted.budget_min.amount = "1000"
    updated = api.UpdateScoringSettings(leads_pb2.UpdateScoringSettingsRequest(
        settings=wanted, update_mask=["qualify_threshold", "target_industries", "budget_min"]), metadata=admin)
    assert (updated.settings.qualify_threshold, list(updated.settings.target_industries),
            updated.settings.budget_min.amount, updated.settings.hot_from) == (70.0, ["I"], "1000", 75.0)
    with pytest.raises(grpc.RpcError) as error:  # all fields: the zero weights do not add up to 100
        api.UpdateScoringSettings(leads_pb2.UpdateScoringSettingsRequest(settings=wanted), metadata=admin)
    assert "weights" in service.violations(error.value)

    model = api.GetScoringModel(leads_pb2.GetScoringModelRequest(), metadata=admin)
    assert (model.plugin, list(model.available), model.settings_json) == ("builtin", ["builtin"], "{}")
    with pytest.raises(grpc.RpcError) as error:
        api.SetScoringModel(leads_pb2.SetScoringModelRequest(plugin="nope"), metadata=admin)
    assert error.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.RpcError) as error:
        api.SetScoringModel(leads_pb2.SetScoringModelRequest(plugin="builtin", settings_json="[1]"), metadata=admin)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert api.SetScoringModel(leads_pb2.SetScoringModelRequest(plugin="builtin"), metadata=admin).plugin == "builtin"

    add_lead(service.database, owner_id="u1")
    result = api.RescoreLeads(leads_pb2.RescoreLeadsRequest(), metadata=admin)
    assert (result.leads, result.changed, result.model) == (1, 1, "builtin")
    with pytest.raises(grpc.RpcError) as error:
        api.RescoreLeads(leads_pb2.RescoreLeadsRequest(), metadata=service.metadata("manager"))
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED
