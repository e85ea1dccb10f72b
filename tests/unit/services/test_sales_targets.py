"""Targets and attainment (R-SALES-5): periods, who sets and reads, won amounts and the weighted open pipeline from
SQL aggregates, exchange rates into the tenant's currency; territories: visibility for their manager, forecast by
territory; the gRPC API."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import grpc
import pytest

from crm.common.v1 import common_pb2
from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.core.errors import AlreadyExists, InvalidArgument, NotFound, PermissionDenied, Validator
from services.sales import accounts, opportunities, pipeline, rates, targets, territories
from tests.unit.services.test_sales_opportunities import ADMIN, add_roster

MAY = datetime(2026, 5, 20, 3, 0, tzinfo=UTC)
JUNE = datetime(2026, 6, 10, 3, 0, tzinfo=UTC)
JULY = datetime(2026, 7, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
def database(migrated_database):
    database = migrated_database("sales")
    add_roster(database)
    return database


def deal(database, owner, amount, *, currency="CNY", stage="02", at=MAY, close=date(2026, 6, 30), industry="",
         reason=""):
    who = ADMIN
    with database.session("t1") as session:
        account = accounts.create_account(session, tenant="t1", caller=who, name=f"Acme {amount}", owner_id=owner,
                                          industry=industry)
        opportunity = opportunities.create_opportunity(
            session, caller=who, name=f"Deal {amount}", account_id=account.id, amount=Decimal(amount),
            currency=currency, close_date=close, owner_id=owner, at=at)
        if stage != "02":
            opportunities.move(session, caller=who, opportunity_id=opportunity.id, stage=stage, at=at,
                               lost_reason=reason)
        return opportunity.id


def set_target(database, who, scope, subject, period, amount, currency=""):
    with database.session("t1") as session:
        return targets.set_target(session, caller=who, scope=scope, subject=subject, period=period,
                                  amount=amount, currency=currency)


def attained(database, who, scope, subject, period):
    with database.session("t1") as session:
        return targets.attainment(session, caller=who, scope=scope, subject=subject, period=period)


def set_rate(database, base, quote, day, rate, who=ADMIN):
    with database.session("t1") as session:
        return rates.set_rate(session, caller=who, base=base, quote=quote, day=day, rate=rate)


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ("2026-q2", date(2026, 4, 1), date(2026, 6, 30)),
    ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),
    ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
])
def test_periods(text, start, end):
    check = Validator()
    period = targets.parse_period(text, "period", check)
    assert (period.start, period.end, period.text) == (start, end, text.upper())


@pytest.mark.parametrize("text", ["", "26", "2026-Q5", "2026-13", "2026-1", "1999", "2026-05-01"])
def test_bad_periods(text):
    check = Validator()
    assert targets.parse_period(text, "period", check) is None and check.violations[0].field == "period"


def test_attainment_from_won_deals_and_the_weighted_open_pipeline(database, caller):
    boss = caller("manager", subject="boss-east")
    set_target(database, boss, "rep", "rep-1", "2026-Q2", "100000")
    deal(database, "rep-1", "30000", stage="05", at=MAY)
    deal(database, "rep-1", "10000", currency="USD", stage="05", at=JUNE)
    deal(database, "rep-1", "50000", stage="03")  # open, 30%
    deal(database, "rep-1", "20000", stage="04")  # open, 60%
    deal(database, "rep-1", "20000", close=date(2026, 7, 15))  # expected after the quarter
    deal(database, "rep-1", "99999", stage="lost", reason="price")
    deal(database, "rep-1", "77777", stage="05", at=JULY)  # won after the quarter
    deal(database, "rep-2", "5000", stage="05", at=MAY)  # the colleague's

    rep = caller("sales", subject="rep-1")
    found = attained(database, rep, "rep", "", "2026-Q2")
    assert (found.won, found.won_count, found.unconverted_won) == (Decimal("30000.00"), 2, {"USD": Decimal("10000.00")})
    assert (found.open_pipeline, found.weighted_pipeline, found.open_count) == (
        Decimal("70000.00"), Decimal("27000.00"), 2)
    assert found.percent == Decimal("30.0") and found.target.amount == Decimal("100000")

    set_rate(database, "USD", "CNY", date(2026, 6, 1), "7.1")
    set_rate(database, "USD", "CNY", date(2026, 7, 1), "7.3")  # after the period's last day: not used
    found = attained(database, rep, "rep", "rep-1", "2026-Q2")
    assert (found.won, found.unconverted_won, found.percent) == (Decimal("101000.00"), {}, Decimal("101.0"))
    # The team: both reps' deals, no target.
    team = attained(database, boss, "team", "east", "2026-Q2")
    assert (team.won, team.won_count, team.target, team.percent) == (Decimal("106000.00"), 3, None, None)
    region = attained(database, caller("auditor", subject="aud"), "region", "east-region", "2026-05")
    assert (region.won, region.won_count, region.open_count) == (Decimal("35000.00"), 2, 0)


def test_who_sets_and_reads_targets(database, caller):
    boss, rep = caller("manager", subject="boss-east"), caller("sales", subject="rep-1")
    set_target(database, boss, "team", "east", "2026", "1000000")
    again = set_target(database, boss, "team", "east", "2026", "1200000")  # replaced, not duplicated
    assert again.amount == Decimal("1200000")
    for who, scope, subject in ((rep, "rep", "rep-1"), (boss, "rep", "rep-3"), (boss, "team", "west"),
                                (boss, "rep", "boss-east"), (boss, "region", "east-region"),
                                (caller("auditor", subject="aud"), "rep", "rep-1")):
        with pytest.raises(PermissionDenied):
            set_target(database, who, scope, subject, "2026-Q1", "1")
    set_target(database, ADMIN, "region", "east-region", "2026-Q1", "1")
    with pytest.raises(InvalidArgument) as raised:
        set_target(database, ADMIN, "country", "", "2026-Q9", "-1", currency="USD")
    assert [v.field for v in raised.value.violations] == ["scope", "subject", "period", "amount.amount",
                                                          "amount.currency"]
    with pytest.raises(NotFound):
        set_target(database, ADMIN, "territory", "nope", "2026", "1")
    for who, scope, subject in ((rep, "rep", "rep-2"), (rep, "team", "east"), (boss, "rep", "rep-3"),
                                (caller("manager", subject="boss-west"), "team", "east")):
        with pytest.raises(PermissionDenied):
            attained(database, who, scope, subject, "2026")
    assert attained(database, boss, "rep", "rep-2", "2026").won == Decimal(0)
    assert attained(database, boss, "rep", "boss-east", "2026").target is None


def test_exchange_rates_prefer_the_latest_and_invert_when_needed(database, caller):
    set_rate(database, "USD", "CNY", date(2026, 1, 1), "7.2")
    set_rate(database, "CNY", "USD", date(2026, 3, 1), "0.125")  # later, inverse: 1 USD = 8 CNY
    set_rate(database, "EUR", "CNY", date(2026, 3, 1), "7.8")
    with database.session("t1") as session:
        converter = rates.Converter(session, "CNY")
        assert converter.rate("USD", date(2025, 12, 31)) is None
        assert converter.rate("USD", date(2026, 2, 28)) == Decimal("7.2")
        assert converter.rate("USD", date(2026, 3, 1)) == Decimal(8)
        assert converter.convert(Decimal("2.50"), "EUR", date(2027, 1, 1)) == Decimal("19.5")
        assert converter.convert(Decimal("3"), "CNY", date(2020, 1, 1)) == Decimal(3)
    set_rate(database, "USD", "CNY", date(2026, 3, 1), "7.9")  # the direct pair wins on the same day
    with database.session("t1") as session:
        assert rates.Converter(session, "CNY").rate("USD", date(2026, 3, 2)) == Decimal("7.9")
    set_rate(database, "USD", "CNY", date(2026, 1, 1), "7.25", who=caller("sales", subject="fin"))  # finance duty
    with pytest.raises(PermissionDenied):
        set_rate(database, "USD", "CNY", date(2026, 1, 1), "7", who=caller("manager", subject="boss-east"))
    with pytest.raises(InvalidArgument) as raised:
        set_rate(database, "usd", "USD", None, "0")
    assert [v.field for v in raised.value.violations] == ["quote_currency", "day", "rate"]


def test_territories_drive_visibility_and_the_forecast(database, caller):
    east_deal = deal(database, "rep-1", "1000")  # region east-region
    hotel = deal(database, "rep-3", "2000", industry="H")  # west-region, accommodation and catering
    other = deal(database, "rep-3", "4000", industry="C")
    outsider = caller("manager", subject="boss-west")
    with database.session("t1") as session:
        territories.upsert(session, caller=ADMIN, name="华东", regions=["east-region"], manager_id="boss-west",
                           rep_ids=["rep-1"])
        hospitality = territories.upsert(session, caller=ADMIN, name="Hospitality", industries=["h"],
                                         manager_id="boss-east")
        assert hospitality.industries == ["H"]
        with pytest.raises(PermissionDenied):
            territories.upsert(session, caller=outsider, name="x", regions=["r"])
    with database.session("t1") as session, pytest.raises(AlreadyExists):
        territories.upsert(session, caller=ADMIN, name="华东", regions=["r"])
    with database.session("t1") as session, pytest.raises(InvalidArgument) as raised:
        territories.upsert(session, caller=ADMIN, name="x", industries=["Z"])
    assert [v.field for v in raised.value.violations] == ["industries[0]"]

    def visible(who):
        with database.session("t1") as session:
            return {o.id for o in opportunities.list_opportunities(session, caller=who)[0]}

    # boss-west: their team (rep-3) and the territory 华东 (rep-1's region); boss-east: their team and hotels.
    assert visible(outsider) == {east_deal, hotel, other}
    assert visible(caller("manager", subject="boss-east")) == {east_deal, hotel}
    assert visible(caller("sales", subject="rep-3")) == {hotel, other}
    with database.session("t1") as session:
        assert opportunities.readable(session, caller=caller("manager", subject="boss-east"),
                                      opportunity_id=hotel).id == hotel
        with pytest.raises(PermissionDenied):  # reading is not changing
            opportunities.move(session, caller=caller("manager", subject="boss-east"), opportunity_id=hotel,
                               stage="03")
        groups = pipeline.forecast(session, caller=ADMIN, start=date(2026, 6, 1), end=date(2026, 6, 30),
                                   group_by="territory")
        names = {t.id: t.name for t in territories.list_territories(session)}
    assert sorted((names.get(g.key, ""), g.opportunities, g.pipeline) for g in groups) == [
        ("", 1, Decimal("4000.00")), ("Hospitality", 1, Decimal("2000.00")), ("华东", 1, Decimal("1000.00"))]
    # A territory target and its attainment, read by its manager.
    set_target(database, caller("manager", subject="boss-east"), "territory", hospitality.id, "2026-06", "4000")
    found = attained(database, caller("manager", subject="boss-east"), "territory", hospitality.id, "2026-06")
    assert (found.open_pipeline, found.weighted_pipeline, found.won) == (Decimal("2000.00"), Decimal("200.00"),
                                                                         Decimal(0))


def test_forecast_in_the_tenants_currency(database, caller):
    deal(database, "rep-1", "1000", currency="USD")
    deal(database, "rep-1", "500", currency="EUR")
    deal(database, "rep-1", "700")
    set_rate(database, "USD", "CNY", date(2026, 6, 30), "7.12345678")
    with database.session("t1") as session:
        groups = pipeline.forecast(session, caller=ADMIN, start=date(2026, 6, 1), end=date(2026, 6, 30),
                                   in_tenant_currency=True)
    # 700 + 1000 x 7.12345678 = 7823.45678 -> 7823.46; weighted 10%: 782.345678 -> 782.35; EUR has no rate.
    assert [(g.key, g.currency, g.opportunities, g.pipeline, g.weighted) for g in groups] == [
        ("rep-1", "CNY", 2, Decimal("7823.46"), Decimal("782.35")),
        ("rep-1", "EUR", 1, Decimal("500.00"), Decimal("50.00"))]


def test_api_round_trip(grpc_service):
    service = grpc_service("sales")
    add_roster(service.database)
    stub = sales_pb2_grpc.SalesServiceStub(service.channel)
    admin, boss = service.metadata("admin", subject="root"), service.metadata("manager", subject="boss-east")
    rep = service.metadata("sales", subject="rep-1")
    deal(service.database, "rep-1", "2500.5", stage="05", at=MAY)
    deal(service.database, "rep-1", "100", currency="USD", stage="05", at=MAY)
    target = stub.SetTarget(sales_pb2.SetTargetRequest(
        scope="rep", subject="rep-1", period="2026-05", amount=common_pb2.Money(amount="10000", currency="CNY")),
        metadata=boss).target
    assert (target.period, target.start_date.day, target.end_date.day, target.amount.amount) == (
        "2026-05", 1, 31, "10000.00")
    got = stub.GetAttainment(sales_pb2.GetAttainmentRequest(period="2026-05"), metadata=rep)
    assert (got.won.amount, got.won.currency, got.won_count, got.attainment_percent) == ("2500.50", "CNY", 2, "25.0")
    assert [(m.amount, m.currency) for m in got.unconverted_won] == [("100.00", "USD")]
    stub.SetExchangeRate(sales_pb2.SetExchangeRateRequest(
        base_currency="USD", quote_currency="CNY", day=common_pb2.Date(year=2026, month=5, day=1), rate="7.5"),
        metadata=admin)
    got = stub.GetAttainment(sales_pb2.GetAttainmentRequest(scope="rep", subject="rep-1", period="2026-05"),
                             metadata=boss)
    assert (got.won.amount, got.attainment_percent, list(got.unconverted_won)) == ("3250.50", "32.5", [])
    with pytest.raises(grpc.RpcError) as raised:
        stub.SetTarget(sales_pb2.SetTargetRequest(scope="rep", subject="rep-1", period="May"), metadata=boss)
    assert set(service.violations(raised.value)) == {"period", "amount.amount"}
    territory = stub.UpsertTerritory(sales_pb2.UpsertTerritoryRequest(territory=sales_pb2.Territory(
        name="East", regions=["east-region"], manager_id="boss-west", rep_ids=["rep-1"])), metadata=admin).territory
    assert [t.id for t in stub.ListTerritories(sales_pb2.ListTerritoriesRequest(), metadata=rep).territories] == [
        territory.id]
    forecast = stub.GetForecast(sales_pb2.GetForecastRequest(
        start_date=common_pb2.Date(year=2026, month=5, day=1), end_date=common_pb2.Date(year=2026, month=5, day=31),
        group_by="territory", in_tenant_currency=True), metadata=service.metadata("manager", subject="boss-west"))
    assert [(g.key, g.won.amount, g.won.currency) for g in forecast.groups] == [(territory.id, "3250.50", "CNY")]
