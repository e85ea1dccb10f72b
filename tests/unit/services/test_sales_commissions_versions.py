"""Versioned commission plans (ADR 0022): a version is in force from its effective day until the next version of the
same scope and subject; each won deal is paid with the version in force on its won day (rep over team over tenant,
each as of that day). A version dated after the period leaves its commission alone, one dated back applies to the
deals won since its day (hypothesis against a reference); listing versions; the default day; the migration of the
plans of before (versions from 1970-01-01); the gRPC API."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import grpc
import pytest
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from crm.common.v1 import common_pb2
from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.core.auth import Caller
from services.core.db import Database, utcnow
from services.core.errors import FailedPrecondition, InvalidArgument
from services.core.migrate import alembic_config, upgrade
from services.core.runtime import load_definition
from services.sales import access, accounts, commissions, opportunities
from services.sales.opportunities import utc_day
from tests.unit.services.test_sales_opportunities import ADMIN, add_roster
from tests.unit.services.test_sales_targets import deal

NEW_YEAR, MAY_15, JUNE = date(2026, 1, 1), date(2026, 5, 15), date(2026, 6, 1)


def won(day: int, month: int = 5) -> datetime:
    return datetime(2026, month, day, 3, 0, tzinfo=UTC)


@pytest.fixture
def database(migrated_database):
    database = migrated_database("sales")
    add_roster(database)
    return database


def set_plan(database, who, scope, subject, rate, effective_from, name="", tenant="t1"):
    rules = rate if isinstance(rate, dict) else {"tiers": [{"rate": str(rate)}]}
    with database.session(tenant) as session:
        return commissions.set_plan(session, caller=who, scope=scope, subject=subject, name=name, rules=rules,
                                    effective_from=effective_from)


def compute(database, owner_id="rep-1", period="2026-05", who=ADMIN, tenant="t1"):
    with database.session(tenant) as session:
        return commissions.compute(session, caller=who, owner_id=owner_id, period=period)


def paid(found) -> list[tuple[str, Decimal, str, date]]:
    """Per deal: (won day, commission, the paying version's scope and day)."""
    return [(line.won_date.isoformat(), line.commission, line.plan.scope, line.plan.effective_from)
            for line in found.lines]


def listed(database, who, scope="", subject="", offset=0, limit=50):
    with database.session(who.tenant_id) as session:
        found, more = commissions.list_plans(session, caller=who, scope=scope, subject=subject, offset=offset,
                                             limit=limit)
        return [(v.row.scope, v.row.subject, v.row.name, v.row.effective_from, v.effective_until) for v in found], more


def test_a_version_dated_after_the_period_leaves_its_commission_alone(database, caller):
    boss = caller("manager", subject="boss-east")
    set_plan(database, boss, "team", "east", "3", NEW_YEAR, name="East 3%")
    deal(database, "rep-1", "10000", stage="05", at=won(5))
    deal(database, "rep-1", "20000", stage="05", at=won(20))
    june = deal(database, "rep-1", "1000", stage="05", at=won(3, 6))
    before = compute(database)
    assert paid(before) == [("2026-05-05", Decimal("300.00"), "team", NEW_YEAR),
                            ("2026-05-20", Decimal("600.00"), "team", NEW_YEAR)]
    # From June on, 10%: May is computed as before, June's deal with the new version.
    set_plan(database, boss, "team", "east", "10", JUNE, name="East 10%")
    after = compute(database)
    assert paid(after) == paid(before) and after.total == before.total == Decimal("900.00")
    assert (after.plan.name, after.plan.effective_from) == ("East 3%", NEW_YEAR)
    [line] = compute(database, period="2026-06").lines
    assert (line.opportunity_id, line.commission, line.plan.name) == (june, Decimal("100.00"), "East 10%")
    # Even a rep's own plan dated in the future does not reach May.
    set_plan(database, boss, "rep", "rep-1", "50", JUNE)
    assert paid(compute(database)) == paid(before)


def test_a_version_dated_back_applies_to_the_deals_won_since_its_day(database, caller):
    boss = caller("manager", subject="boss-east")
    set_plan(database, ADMIN, "tenant", "", "1", NEW_YEAR, name="default")
    for day in (5, 15, 20, 28):
        deal(database, "rep-1", "10000", stage="05", at=won(day))
    assert [c for _, c, _, _ in paid(compute(database))] == [Decimal("100.00")] * 4
    # The team's plan from May 15: the deal of the 5th keeps the tenant's default.
    set_plan(database, boss, "team", "east", "3", MAY_15, name="east")
    assert paid(compute(database)) == [
        ("2026-05-05", Decimal("100.00"), "tenant", NEW_YEAR), ("2026-05-15", Decimal("300.00"), "team", MAY_15),
        ("2026-05-20", Decimal("300.00"), "team", MAY_15), ("2026-05-28", Decimal("300.00"), "team", MAY_15)]
    # The rep's own plan from the 20th takes precedence from that day; before it the team's still pays.
    set_plan(database, boss, "rep", "rep-1", "5", date(2026, 5, 20), name="rep-1")
    assert [(day, c, scope) for day, c, scope, _ in paid(compute(database))] == [
        ("2026-05-05", Decimal("100.00"), "tenant"), ("2026-05-15", Decimal("300.00"), "team"),
        ("2026-05-20", Decimal("500.00"), "rep"), ("2026-05-28", Decimal("500.00"), "rep")]
    # A new default dated back to the 1st changes only the deal the default pays.
    set_plan(database, ADMIN, "tenant", "", "2", date(2026, 5, 1), name="default 2%")
    found = compute(database)
    assert [c for _, c, _, _ in paid(found)] == [Decimal("200.00"), Decimal("300.00"), Decimal("500.00"),
                                                 Decimal("500.00")]
    assert (found.plan.scope, found.plan.name, found.total) == ("rep", "rep-1", Decimal("1500.00"))


def test_the_tiers_count_the_whole_period_across_versions(database, caller):
    boss = caller("manager", subject="boss-east")
    set_plan(database, boss, "team", "east", {"tiers": [{"up_to": "100000", "rate": "3"}, {"rate": "5"}]}, NEW_YEAR)
    set_plan(database, boss, "team", "east", {"tiers": [{"up_to": "50000", "rate": "4"}, {"rate": "6"}]}, MAY_15)
    deal(database, "rep-1", "60000", stage="05", at=won(5))
    deal(database, "rep-1", "60000", stage="05", at=won(20))
    first, second = compute(database).lines
    # 60000 at 3% (old version); the second deal starts at 60000 of the period, above the new version's 50000: 6%.
    assert [(p.label, p.basis, p.rate) for p in first.parts] == [("0-100000", Decimal("60000.00"), Decimal("3"))]
    assert [(p.label, p.basis, p.rate) for p in second.parts] == [("50000-", Decimal("60000.00"), Decimal("6"))]
    assert (first.commission, second.commission) == (Decimal("1800.00"), Decimal("3600.00"))


def test_a_deal_won_before_every_version_has_no_plan(database, caller):
    deal(database, "rep-1", "1000", stage="05", at=won(5))
    set_plan(database, ADMIN, "tenant", "", "1", MAY_15)
    with pytest.raises(FailedPrecondition) as raised:
        compute(database)
    assert "2026-05-05" in str(raised.value)
    # Nothing in force on the period's last day either: no plan applies at all.
    with pytest.raises(FailedPrecondition):
        compute(database, period="2026-04")


def test_setting_the_same_day_again_corrects_that_version_only(database, caller):
    boss = caller("manager", subject="boss-east")
    old = set_plan(database, boss, "team", "east", "3", NEW_YEAR, name="old")
    old_time = old.updated_at
    set_plan(database, boss, "team", "east", "4", MAY_15, name="typo")
    set_plan(database, ADMIN, "team", "east", "5", MAY_15, name="fixed")
    assert listed(database, ADMIN, "team", "east") == ([
        ("team", "east", "fixed", MAY_15, None), ("team", "east", "old", NEW_YEAR, MAY_15)], False)
    with database.session("t1") as session:
        [newest, oldest] = [v.row for v in commissions.list_plans(session, caller=ADMIN, scope="team")[0]]
        assert (newest.rules, newest.set_by) == ({"tiers": [{"rate": "5"}]}, "root")
        assert (oldest.rules, oldest.set_by, oldest.updated_at) == ({"tiers": [{"rate": "3"}]}, "boss-east", old_time)


def test_the_default_day_is_today_utc_the_reckoning_of_won_days(database, caller):
    before = utc_day(utcnow())
    with database.session("t1") as session:
        plan = commissions.set_plan(session, caller=ADMIN, scope="tenant", rules={"tiers": [{"rate": "1"}]})
        day = plan.effective_from
        assert day in {before, utc_day(utcnow())}
        # A deal won now (its won day is today's UTC day) is paid with it; one won yesterday is not.
        assert commissions.plan_for(session, "rep-1", day).effective_from == day
        assert commissions.plan_for(session, "rep-1") is not None
        assert commissions.plan_for(session, "rep-1", day - timedelta(days=1)) is None


def test_validation_of_the_effective_day_and_the_listing(database, caller):
    for day in (date(1969, 12, 31), date(3000, 1, 1)):
        with pytest.raises(InvalidArgument) as raised:
            set_plan(database, ADMIN, "tenant", "", "1", day)
        assert [v.field for v in raised.value.violations] == ["effective_from"]
    with pytest.raises(InvalidArgument) as raised:
        listed(database, ADMIN, "region", "")
    assert [v.field for v in raised.value.violations] == ["scope"]
    with pytest.raises(InvalidArgument) as raised:
        listed(database, ADMIN, "", "rep-1")
    assert [v.field for v in raised.value.violations] == ["subject"]


def test_each_caller_lists_the_versions_that_may_pay_them_or_their_team(database, caller):
    east, west = caller("manager", subject="boss-east"), caller("manager", subject="boss-west")
    set_plan(database, ADMIN, "tenant", "", "1", NEW_YEAR, name="default")
    set_plan(database, ADMIN, "tenant", "", "2", JUNE, name="default 2")
    set_plan(database, east, "team", "east", "3", NEW_YEAR, name="east")
    set_plan(database, west, "team", "west", "3", NEW_YEAR, name="west")
    for rep in ("rep-1", "rep-2"):
        set_plan(database, east, "rep", rep, "4", MAY_15, name=rep)
    set_plan(database, west, "rep", "rep-3", "4", MAY_15, name="rep-3")
    everything = [("tenant", "", "default 2", JUNE, None), ("tenant", "", "default", NEW_YEAR, JUNE),
                  ("team", "east", "east", NEW_YEAR, None), ("team", "west", "west", NEW_YEAR, None),
                  ("rep", "rep-1", "rep-1", MAY_15, None), ("rep", "rep-2", "rep-2", MAY_15, None),
                  ("rep", "rep-3", "rep-3", MAY_15, None)]
    assert listed(database, ADMIN) == (everything, False)
    assert listed(database, caller("auditor", subject="audit-1")) == (everything, False)
    assert listed(database, ADMIN, limit=3) == (everything[:3], True)
    assert listed(database, ADMIN, offset=3, limit=3) == (everything[3:6], True)
    assert listed(database, ADMIN, "rep") == (everything[4:], False)
    assert listed(database, east) == ([*everything[:3], *everything[4:6]], False)
    assert listed(database, caller("sales", subject="rep-1")) == ([*everything[:3], everything[4]], False)
    assert listed(database, caller("sales", subject="rep-3")) == ([*everything[:2], everything[3], everything[6]],
                                                                  False)
    # Another rep's plan: simply not listed; roles outside sales see none.
    assert listed(database, caller("sales", subject="rep-1"), "rep", "rep-2") == ([], False)
    assert listed(database, caller("service_agent", subject="cs-1")) == ([], False)
    assert listed(database, caller("admin", tenant="t2", subject="root")) == ([], False)


# --- the property, against a reference ------------------------------------------------------------------------

TENANTS = itertools.count()
SCOPES = {"rep": "rep-1", "team": "east", "tenant": ""}
VERSION = st.tuples(st.sampled_from(sorted(SCOPES)), st.integers(0, 200), st.integers(0, 20))  # day from Mar 1
DEALS = st.lists(st.tuples(st.integers(1, 31), st.integers(1, 100_000)), min_size=1, max_size=4)


def reference(versions: list[tuple[str, date, int]], deals: list[tuple[int, int]]) -> list[Decimal] | None:
    """Each deal's commission with the version in force on its won day (the last set of a scope and day wins);
    None when a deal has none."""
    rates: dict[str, dict[date, int]] = {}
    for scope, day, rate in versions:
        rates.setdefault(scope, {})[day] = rate
    result = []
    for day, amount in sorted(deals, key=lambda pair: pair[0]):
        won_day = date(2026, 5, day)
        rate = next((found[max(d for d in found if d <= won_day)] for found in
                     (rates.get(scope, {}) for scope in ("rep", "team", "tenant"))
                     if any(d <= won_day for d in found)), None)
        if rate is None:
            return None
        result.append((Decimal(amount) * rate / 100).quantize(Decimal("0.01"), ROUND_HALF_UP))
    return result


def setup_tenant(database) -> tuple[str, Caller]:
    tenant = f"p{next(TENANTS)}"
    admin = Caller(tenant, "root", "user", frozenset({"admin"}))
    with database.session(tenant) as session:
        access.upsert_member(session, caller=admin, user_id="rep-1", team="east", region="east-region")
    return tenant, admin


def won_deals(database, tenant, admin, deals):
    for position, (day, amount) in enumerate(sorted(deals, key=lambda pair: pair[0])):
        with database.session(tenant) as session:
            account = accounts.create_account(session, tenant=tenant, caller=admin, name=f"A{position}",
                                              owner_id="rep-1")
            opportunity = opportunities.create_opportunity(
                session, caller=admin, name=f"D{position}", account_id=account.id, amount=Decimal(amount),
                currency="CNY", close_date=date(2026, 5, 31), owner_id="rep-1", at=won(1))
            opportunities.move(session, caller=admin, opportunity_id=opportunity.id, stage="05",
                               at=won(day) + timedelta(minutes=position))


def outcome(database, tenant, admin) -> list[tuple[str, Decimal]] | None:
    try:
        return [(line.opportunity_id, line.commission) for line in
                compute(database, who=admin, tenant=tenant).lines]
    except FailedPrecondition:
        return None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(VERSION, min_size=1, max_size=5), DEALS, VERSION)
def test_each_deal_is_paid_with_the_version_in_force_on_its_won_day(database, versions, deals, change):
    tenant, admin = setup_tenant(database)
    as_days = [(scope, date(2026, 3, 1) + timedelta(days=offset), rate) for scope, offset, rate in versions]
    for scope, day, rate in as_days:
        set_plan(database, admin, scope, SCOPES[scope], rate, day, tenant=tenant)
    won_deals(database, tenant, admin, deals)
    before = outcome(database, tenant, admin)
    expected = reference(as_days, deals)
    assert (None if before is None else [commission for _, commission in before]) == expected
    # One more version: dated after May it changes nothing; dated back, it changes only deals won from its day.
    scope, offset, rate = change
    day = date(2026, 3, 1) + timedelta(days=offset)
    set_plan(database, admin, scope, SCOPES[scope], rate, day, tenant=tenant)
    after = outcome(database, tenant, admin)
    expected_after = reference([*as_days, (scope, day, rate)], deals)
    assert (None if after is None else [commission for _, commission in after]) == expected_after
    if day > date(2026, 5, 31):
        assert after == before
    elif before is not None and after is not None:
        for (won_day, _), old, new in zip(sorted(deals, key=lambda pair: pair[0]), before, after, strict=True):
            if date(2026, 5, won_day) < day:
                assert new == old


# --- the migration of the plans of before -----------------------------------------------------------------------


def test_the_plans_of_before_become_versions_from_1970(tmp_path):
    definition = load_definition("sales")
    database = Database("sales", f"sqlite:///{tmp_path}/sales.db")
    config = alembic_config(definition)
    try:
        with database.engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "sales_0007")
            connection.execute(text(
                "INSERT INTO commission_plan (tenant_id, scope, subject, name, rules, set_by, updated_at) VALUES "
                "('t1', 'team', 'east', 'East', '{\"tiers\": [{\"rate\": \"3\"}]}', 'boss', '2026-11-01 00:00:00')"))
            connection.commit()
        upgrade(definition, database)
        add_roster(database)
        deal(database, "rep-1", "1000", stage="05", at=won(5))
        assert listed(database, ADMIN) == ([("team", "east", "East", date(1970, 1, 1), None)], False)
        [line] = compute(database).lines  # won before the plan's last change: paid with it, as before
        assert (line.commission, line.plan.effective_from) == (Decimal("30.00"), date(1970, 1, 1))
        # Down again: one plan per scope and subject, the newest version kept.
        set_plan(database, ADMIN, "team", "east", "4", MAY_15, name="East 4%")
        with database.engine.connect() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "sales_0007")
            connection.commit()
            assert connection.execute(text("SELECT scope, subject, name FROM commission_plan")).all() == [
                ("team", "east", "East 4%")]
    finally:
        database.dispose()


# --- gRPC -----------------------------------------------------------------------------------------------------


def test_api_round_trip(grpc_service):
    service = grpc_service("sales")
    add_roster(service.database)
    stub = sales_pb2_grpc.SalesServiceStub(service.channel)
    boss, rep = service.metadata("manager", subject="boss-east"), service.metadata("sales", subject="rep-1")
    deal(service.database, "rep-1", "1000", stage="05", at=won(5))
    deal(service.database, "rep-1", "1000", stage="05", at=won(20))
    rules = json.dumps({"tiers": [{"rate": "3"}]})
    plan = stub.SetCommissionPlan(sales_pb2.SetCommissionPlanRequest(
        scope="team", subject="east", name="East", rules_json=rules,
        effective_from=common_pb2.Date(year=2026, month=1, day=1)), metadata=boss)
    assert (plan.scope, plan.effective_from.year, plan.effective_from.month) == ("team", 2026, 1)
    stub.SetCommissionPlan(sales_pb2.SetCommissionPlanRequest(
        scope="team", subject="east", name="East 5%", rules_json=json.dumps({"tiers": [{"rate": "5"}]}),
        effective_from=common_pb2.Date(year=2026, month=5, day=15)), metadata=boss)
    with pytest.raises(grpc.RpcError) as raised:
        stub.SetCommissionPlan(sales_pb2.SetCommissionPlanRequest(
            scope="team", subject="east", rules_json=rules, effective_from=common_pb2.Date(year=2026, month=13, day=1)),
            metadata=boss)
    assert set(service.violations(raised.value)) == {"effective_from"}
    found = stub.ComputeCommissions(sales_pb2.ComputeCommissionsRequest(period="2026-05"), metadata=rep)
    assert (found.plan_name, found.plan_effective_from.day, found.total.amount) == ("East 5%", 15, "80.00")
    assert [(line.commission.amount, line.plan_scope, line.plan_name, line.plan_effective_from.month)
            for line in found.lines] == [("30.00", "team", "East", 1), ("50.00", "team", "East 5%", 5)]
    listing = stub.ListCommissionPlans(sales_pb2.ListCommissionPlansRequest(
        scope="team", page=common_pb2.PageRequest(page_size=1)), metadata=rep)
    [newest] = listing.plans
    assert (newest.name, newest.effective_from.day, newest.HasField("effective_until"), newest.set_by) == (
        "East 5%", 15, False, "boss-east")
    assert json.loads(newest.rules_json) == {"tiers": [{"rate": "5"}]} and newest.update_time.seconds > 0
    [oldest] = stub.ListCommissionPlans(sales_pb2.ListCommissionPlansRequest(
        scope="team", page=common_pb2.PageRequest(page_size=1, page_token=listing.page.next_page_token)),
        metadata=rep).plans
    assert (oldest.name, oldest.effective_until.month, oldest.effective_until.day) == ("East", 5, 15)
