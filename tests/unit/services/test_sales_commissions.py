"""Commission plans (R-SALES-5): percentage and marginal tiers over the cumulative won amount of the period,
category rates from the deal's quote, exact Decimal arithmetic with a per-deal breakdown (checked against a
brute-force reference with hypothesis), currency conversion at the won day's rate, plan resolution, permissions,
the gRPC API."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import grpc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.common.v1 import common_pb2
from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.core.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from services.sales import commissions, opportunities, quotes
from services.sales.commissions import Tier
from services.sales.models import Contract
from tests.unit.services.test_sales_opportunities import ADMIN, add_roster
from tests.unit.services.test_sales_targets import deal, set_rate

TIERS = {"tiers": [{"up_to": "100000", "rate": "3"}, {"rate": "5"}]}
MAY = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def database(migrated_database):
    database = migrated_database("sales")
    add_roster(database)
    return database


def set_plan(database, who, scope, subject, rules, name="", effective_from=date(2026, 1, 1)):
    """A plan version in force from New Year 2026 (versions: test_sales_commissions_versions.py)."""
    with database.session("t1") as session:
        return commissions.set_plan(session, caller=who, scope=scope, subject=subject, name=name, rules=rules,
                                    effective_from=effective_from)


def compute(database, who, owner_id, period="2026-05"):
    with database.session("t1") as session:
        return commissions.compute(session, caller=who, owner_id=owner_id, period=period)


def test_tiers_are_marginal_over_the_cumulative_won_amount(database, caller):
    set_plan(database, caller("manager", subject="boss-east"), "team", "east", TIERS, name="East 2026")
    first = deal(database, "rep-1", "60000", stage="05", at=MAY)
    second = deal(database, "rep-1", "50000", stage="05", at=MAY + timedelta(days=9))
    third = deal(database, "rep-1", "30000.01", stage="05", at=MAY + timedelta(days=19))
    deal(database, "rep-1", "90000", stage="04")  # open: no commission
    deal(database, "rep-1", "80000", stage="05", at=MAY + timedelta(days=40))  # June
    found = compute(database, caller("sales", subject="rep-1"), "")
    assert (found.owner_id, found.plan.name, found.currency) == ("rep-1", "East 2026", "CNY")
    assert [line.opportunity_id for line in found.lines] == [first, second, third]
    # 60000 x 3%; 40000 x 3% + 10000 x 5%; 30000.01 x 5% = 1500.0005 -> 1500.00 (half-up at the cent).
    assert [[(p.label, p.basis, p.rate, p.commission) for p in line.parts] for line in found.lines] == [
        [("0-100000", Decimal("60000.00"), Decimal("3"), Decimal("1800"))],
        [("0-100000", Decimal("40000.00"), Decimal("3"), Decimal("1200")),
         ("100000-", Decimal("10000.00"), Decimal("5"), Decimal("500"))],
        [("100000-", Decimal("30000.01"), Decimal("5"), Decimal("1500.0005"))]]
    assert [line.commission for line in found.lines] == [Decimal("1800.00"), Decimal("1700.00"), Decimal("1500.00")]
    assert (found.won, found.total) == (Decimal("140000.01"), Decimal("5000.00"))
    # The quarter: June's deal starts above 100000 already.
    quarter = compute(database, caller("manager", subject="boss-east"), "rep-1", "2026-Q2")
    assert quarter.lines[-1].commission == Decimal("4000.00") and quarter.total == Decimal("9000.00")


def test_category_rates_split_the_deal_by_its_quote(database, caller):
    manager = caller("manager", subject="boss-east")
    with database.session("t1") as session:
        hardware = quotes.create_product(session, caller=manager, sku="HW", name="Server", category="hardware")
        software = quotes.create_product(session, caller=manager, sku="SW", name="Licence", category="software")
        price_list = quotes.create_price_list(session, caller=manager, name="CNY", currency="CNY",
                                              items=[(hardware.id, "5000", ""), (software.id, "15000", "")])
    opportunity = deal(database, "rep-1", "20000")
    with database.session("t1") as session:
        older = quotes.create_quote(session, caller=ADMIN, opportunity_id=opportunity, price_list_id=price_list.id,
                                    lines=[(software.id, "1", "0")]).quote.id
        quotes.create_quote(session, caller=ADMIN, opportunity_id=opportunity, price_list_id=price_list.id,
                            lines=[(hardware.id, "1", "0"), (software.id, "1", "0")])
        opportunities.move(session, caller=ADMIN, opportunity_id=opportunity, stage="05", at=MAY)
    set_plan(database, ADMIN, "tenant", "", {"tiers": [{"rate": "4"}], "category_rates": {"hardware": "1"}})
    [line] = compute(database, ADMIN, "rep-1").lines
    # Hardware is 5000 / 20000 of the newest quote's net: 5000.00 at 1%, the rest at the plan's 4%.
    assert [(p.kind, p.label, p.basis, p.commission) for p in line.parts] == [
        ("tier", "0-", Decimal("15000.00"), Decimal("600")), ("category", "hardware", Decimal("5000.00"),
                                                              Decimal("50"))]
    assert line.commission == Decimal("650.00")
    # The quote of the deal's signed contract takes precedence over the newest quote: software only.
    with database.session("t1") as session:
        session.add(Contract(opportunity_id=opportunity, quote_id=older, template_id="t", body="", status="signed",
                             signed_at=MAY))
    [line] = compute(database, ADMIN, "rep-1").lines
    assert ([p.kind for p in line.parts], line.commission) == (["tier"], Decimal("800.00"))


def test_deals_are_converted_at_the_rate_of_their_won_day(database, caller):
    set_plan(database, ADMIN, "rep", "rep-1", {"tiers": [{"rate": "10"}]})
    deal(database, "rep-1", "1000", currency="USD", stage="05", at=MAY + timedelta(days=2))
    with pytest.raises(FailedPrecondition) as raised:
        compute(database, ADMIN, "rep-1")
    assert "USD" in str(raised.value) and "2026-05-03" in str(raised.value)
    set_rate(database, "USD", "CNY", date(2026, 5, 1), "7.123456")
    set_rate(database, "USD", "CNY", date(2026, 5, 4), "9")  # after the won day
    [line] = compute(database, ADMIN, "rep-1").lines
    # 1000 x 7.123456 = 7123.456 -> 7123.46 counts; 10% = 712.346 -> 712.35.
    assert (line.amount, line.currency, line.converted, line.commission) == (
        Decimal("1000"), "USD", Decimal("7123.46"), Decimal("712.35"))


def test_plan_resolution_validation_and_permissions(database, caller):
    rep, boss = caller("sales", subject="rep-1"), caller("manager", subject="boss-east")
    deal(database, "rep-1", "1000", stage="05", at=MAY)
    with pytest.raises(FailedPrecondition):
        compute(database, rep, "rep-1")
    set_plan(database, ADMIN, "tenant", "", {"tiers": [{"rate": "1"}]}, name="default")
    assert compute(database, rep, "rep-1").total == Decimal("10.00")
    set_plan(database, boss, "team", "east", {"tiers": [{"rate": "2"}]}, name="east")
    assert compute(database, rep, "rep-1").total == Decimal("20.00")
    set_plan(database, boss, "rep", "rep-1", {"tiers": [{"rate": "3.5"}]}, name="rep-1")
    assert (compute(database, rep, "rep-1").plan.name, compute(database, rep, "rep-1").total) == (
        "rep-1", Decimal("35.00"))
    assert compute(database, caller("auditor", subject="aud"), "rep-1").total == Decimal("35.00")
    for who, owner in ((rep, "rep-2"), (caller("manager", subject="boss-west"), "rep-1"),
                       (caller("sales", subject="rep-3"), "rep-1")):
        with pytest.raises(PermissionDenied):
            compute(database, who, owner)
    for who, scope, subject in ((boss, "tenant", ""), (boss, "team", "west"), (boss, "rep", "rep-3"),
                                (rep, "rep", "rep-1")):
        with pytest.raises(PermissionDenied):
            set_plan(database, who, scope, subject, {"tiers": [{"rate": "1"}]})
    with pytest.raises(InvalidArgument) as raised:
        set_plan(database, ADMIN, "rep", "rep-1", {
            "tiers": [{"up_to": "100", "rate": "3"}, {"up_to": "50", "rate": "101"}, {"up_to": "9", "rate": "1"}],
            "category_rates": {"hardware": "-1"}, "bonus": 1})
    assert [v.field for v in raised.value.violations] == [
        "rules_json", "rules_json.tiers[1].rate", "rules_json.tiers[1].up_to", "rules_json.tiers[2].up_to",
        "rules_json.category_rates.hardware"]
    with pytest.raises(InvalidArgument) as raised:
        set_plan(database, ADMIN, "tenant", "x", {"tiers": []})
    assert [v.field for v in raised.value.violations] == ["subject"]


# --- the tier arithmetic against a brute-force reference -----------------------------------------------------


def brute_force(amounts: list[Decimal], bounds: list[Decimal], rates: list[Decimal]) -> list[Decimal]:
    """Each deal's exact commission, cent by cent: the cent from c to c + 0.01 of the cumulative amount earns the
    rate of the tier holding c."""
    cent = Decimal("0.01")
    result, cumulative = [], 0
    for amount in amounts:
        total = Decimal(0)
        for step in range(int(amount / cent)):
            position = (cumulative + step) * cent
            tier = next((i for i, bound in enumerate(bounds) if position < bound), len(bounds))
            total += cent * rates[tier] / 100
        result.append(total)
        cumulative += int(amount / cent)
    return result


AMOUNTS = st.lists(st.decimals(min_value=0, max_value=40, places=2), min_size=1, max_size=5)
RATES = st.decimals(min_value=0, max_value=100, places=2)


@settings(max_examples=120, deadline=None)
@given(AMOUNTS, st.lists(st.decimals(min_value="0.01", max_value=120, places=2), max_size=4, unique=True),
       st.data())
def test_tiered_commission_equals_the_brute_force_reference(amounts, bounds, data):
    bounds = sorted(bounds)
    rates = data.draw(st.lists(RATES, min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    tiers, lower = [], Decimal(0)
    for bound, rate in zip([*bounds, None], rates, strict=True):
        tiers.append(Tier(lower, bound, rate))
        lower = bound
    parsed = commissions.parse_rules({"tiers": [
        {"rate": str(tier.rate), **({"up_to": str(tier.upper)} if tier.upper is not None else {})} for tier in tiers]})
    assert parsed.tiers == tuple(tiers)
    computed = commissions.tiered(amounts, parsed.tiers)
    expected = brute_force(amounts, bounds, rates)
    exact = [sum((part.commission for part in parts), Decimal(0)) for parts in computed]
    assert exact == expected
    assert [sum((part.basis for part in parts), Decimal(0)) for parts in computed] == amounts
    cents = Decimal("0.01")
    assert sum(e.quantize(cents, ROUND_HALF_UP) for e in exact) == sum(
        e.quantize(cents, ROUND_HALF_UP) for e in expected)


def test_api_round_trip(grpc_service):
    service = grpc_service("sales")
    add_roster(service.database)
    stub = sales_pb2_grpc.SalesServiceStub(service.channel)
    boss, rep = service.metadata("manager", subject="boss-east"), service.metadata("sales", subject="rep-1")
    opportunity = deal(service.database, "rep-1", "150000", stage="05", at=MAY)
    with pytest.raises(grpc.RpcError) as raised:
        stub.SetCommissionPlan(sales_pb2.SetCommissionPlanRequest(scope="team", subject="east", rules_json="[]"),
                               metadata=boss)
    assert set(service.violations(raised.value)) == {"rules_json"}
    plan = stub.SetCommissionPlan(sales_pb2.SetCommissionPlanRequest(
        scope="team", subject="east", name="East", rules_json=json.dumps(TIERS),
        effective_from=common_pb2.Date(year=2026, month=4, day=1)), metadata=boss)
    assert (plan.scope, plan.subject, json.loads(plan.rules_json)) == ("team", "east", TIERS)
    found = stub.ComputeCommissions(sales_pb2.ComputeCommissionsRequest(period="2026-05"), metadata=rep)
    assert (found.owner_id, found.plan_scope, found.plan_name, found.total.amount, found.won.amount) == (
        "rep-1", "team", "East", "5500.00", "150000.00")
    [line] = found.lines
    assert (line.opportunity_id, line.won_date.day, line.commission.amount) == (opportunity, 1, "5500.00")
    assert [(p.kind, p.label, p.basis.amount, p.rate_percent, p.commission) for p in line.parts] == [
        ("tier", "0-100000", "100000.00", "3.00", "3000"), ("tier", "100000-", "50000.00", "5.00", "2500")]
    with pytest.raises(grpc.RpcError) as raised:
        stub.ComputeCommissions(sales_pb2.ComputeCommissionsRequest(owner_id="rep-2", period="2026-05"),
                                metadata=rep)
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
