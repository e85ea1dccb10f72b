"""Sales opportunities: stages 02..05 or lost (R-LC-2, R-SALES-1), history with dwell (R-LC-3), the qualified-lead
hand-over (R-LEAD-6), funnel (R-AN-4) and weighted forecast, permissions (issue #5 item 8)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import grpc
import pytest
from sqlalchemy import func, select

from crm.common.v1 import common_pb2
from crm.events.v1.leads_pb2 import LeadQualified
from crm.events.v1.sales_pb2 import OpportunityCreated, OpportunityLost, OpportunityStageChanged, OpportunityWon
from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.core.auth import Caller
from services.core.consumers import InboxDispatcher
from services.core.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from services.core.events import new_envelope
from services.sales import access, accounts, opportunities, pipeline, settings
from services.sales.events import CONSUMERS
from services.sales.models import Account, Contact, FunnelDay, Opportunity, StageChange

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADMIN = Caller("t1", "root", "user", frozenset({"admin"}))
ROSTER = [("rep-1", "east", []), ("rep-2", "east", []), ("rep-3", "west", []), ("boss-east", "east", []),
          ("boss-west", "west", []), ("fin", "", ["finance"]), ("lawyer", "", ["legal"])]


def add_roster(database, tenant="t1"):
    with database.session(tenant) as session:
        for user, team, duties in ROSTER:
            access.upsert_member(session, caller=ADMIN, user_id=user, team=team, region=f"{team}-region",
                                 duties=duties)


@pytest.fixture
def database(migrated_database):
    database = migrated_database("sales")
    add_roster(database)
    return database


def open_one(database, caller, *, at=T0, amount="1000", close=date(2026, 3, 31), owner_id="", name="Deal"):
    with database.session("t1") as session:
        account = accounts.create_account(session, tenant="t1", caller=caller, name="Acme")
        opportunity = opportunities.create_opportunity(
            session, caller=caller, name=name, account_id=account.id, amount=Decimal(amount), close_date=close,
            owner_id=owner_id, at=at)
        return opportunity.id


def move(database, caller, opportunity_id, stage, *, at, reason=""):
    with database.session("t1") as session:
        return opportunities.move(session, caller=caller, opportunity_id=opportunity_id, stage=stage,
                                  lost_reason=reason, at=at)


def test_stages_history_dwell_and_events(database, caller, outbox_events):
    rep = caller("sales", subject="rep-1")
    opportunity_id = open_one(database, rep)
    move(database, rep, opportunity_id, "03", at=T0 + timedelta(days=2))
    move(database, rep, opportunity_id, "04", at=T0 + timedelta(days=5, hours=6))
    won = move(database, rep, opportunity_id, "05", at=T0 + timedelta(days=6))

    assert (won.stage, won.close_date, won.closed_at) == ("05", date(2026, 3, 8), T0 + timedelta(days=6))
    with database.session("t1") as session:
        history = opportunities.history(session, opportunity_id)
    assert [(c.from_stage, c.to_stage, c.dwell_seconds, c.actor) for c in history] == [
        ("", "02", 0, "rep-1"), ("02", "03", 2 * 86400, "rep-1"), ("03", "04", 3 * 86400 + 6 * 3600, "rep-1"),
        ("04", "05", 18 * 3600, "rep-1")]
    assert all(c.team == "east" and c.owner_id == "rep-1" for c in history)
    assert [e.to_stage for _, e in outbox_events(database, OpportunityStageChanged)] == ["03", "04", "05"]
    [(_, created)] = outbox_events(database, OpportunityCreated)
    assert (created.opportunity_id, created.owner_id, created.team, created.amount.amount) == (
        opportunity_id, "rep-1", "east", "1000.00")
    [(_, event)] = outbox_events(database, OpportunityWon)
    assert event.opportunity_id == opportunity_id and event.amount.currency == "CNY"

    with pytest.raises(FailedPrecondition):
        move(database, rep, opportunity_id, "04", at=T0 + timedelta(days=7))


def test_lost_needs_a_reason_and_is_final(database, caller, outbox_events):
    rep = caller("sales", subject="rep-1")
    opportunity_id = open_one(database, rep)
    with pytest.raises(InvalidArgument) as raised:
        move(database, rep, opportunity_id, "lost", at=T0 + timedelta(days=1))
    assert [v.field for v in raised.value.violations] == ["lost_reason"]
    with pytest.raises(InvalidArgument):
        move(database, rep, opportunity_id, "06", at=T0 + timedelta(days=1))
    with pytest.raises(FailedPrecondition):
        move(database, rep, opportunity_id, "02", at=T0 + timedelta(days=1))
    lost = move(database, rep, opportunity_id, "lost", at=T0 + timedelta(days=1), reason="competitor")
    assert (lost.stage, lost.lost_reason) == ("lost", "competitor")
    [(_, event)] = outbox_events(database, OpportunityLost)
    assert (event.reason, event.from_stage) == ("competitor", "02")
    with pytest.raises(FailedPrecondition):
        move(database, rep, opportunity_id, "03", at=T0 + timedelta(days=2))


def test_a_rep_sees_their_own_a_manager_their_team_admin_and_auditor_all(database, caller):
    rep1, rep3 = caller("sales", subject="rep-1"), caller("sales", subject="rep-3")
    mine = open_one(database, rep1)
    theirs = open_one(database, rep3)
    east = caller("manager", subject="boss-east")
    with database.session("t1") as session:
        assert opportunities.readable(session, caller=rep1, opportunity_id=mine).id == mine
        with pytest.raises(NotFound):
            opportunities.readable(session, caller=rep1, opportunity_id=theirs)
        assert opportunities.readable(session, caller=east, opportunity_id=mine).id == mine
        with pytest.raises(NotFound):
            opportunities.readable(session, caller=east, opportunity_id=theirs)
        listed, _ = opportunities.list_opportunities(session, caller=east)
        assert [o.id for o in listed] == [mine]
        listed, _ = opportunities.list_opportunities(session, caller=caller("sales", subject="rep-2"))
        assert listed == []
        for role in ("admin", "auditor"):
            listed, _ = opportunities.list_opportunities(session, caller=caller(role, subject="x"))
            assert {o.id for o in listed} == {mine, theirs}
    with pytest.raises(PermissionDenied):
        move(database, caller("auditor", subject="x"), mine, "03", at=T0 + timedelta(days=1))
    with pytest.raises(NotFound):
        move(database, caller("sales", subject="rep-2"), mine, "03", at=T0 + timedelta(days=1))
    # The manager of the team moves it; the manager of another team does not even see it.
    move(database, east, mine, "03", at=T0 + timedelta(days=1))
    with pytest.raises(NotFound):
        move(database, caller("manager", subject="boss-west"), mine, "04", at=T0 + timedelta(days=1))
    # A rep cannot open an opportunity for someone else; a manager can for their team, not for another's.
    with pytest.raises(PermissionDenied):
        open_one(database, rep1, owner_id="rep-2")
    open_one(database, east, owner_id="rep-2")
    with pytest.raises(PermissionDenied):
        open_one(database, east, owner_id="rep-3")


def qualified(lead_id="lead-1", **fields):
    fields = {"name": "张伟", "company": "杭州云栖科技有限公司", "email": "zw@example.cn", "phone": "13800000000",
              "channel": "Referral", "owner_id": "rep-1", "customer_id": "C20260301001", "score": 85,
              "threshold": 80, "model": "builtin", "industry": "I65", "region": "浙江", **fields}
    return LeadQualified(lead_id=lead_id, **fields)


def deliver(database, payload, tenant="t1"):
    envelope = new_envelope(payload, tenant_id=tenant, producer="leads")
    InboxDispatcher("sales", CONSUMERS[0], database)(envelope.SerializeToString())
    return envelope


def test_a_qualified_lead_becomes_one_opportunity_with_account_and_contact(database, outbox_events):
    envelope = deliver(database, qualified())
    # The same envelope redelivered, and another event about the same lead: still one opportunity.
    InboxDispatcher("sales", CONSUMERS[0], database)(envelope.SerializeToString())
    deliver(database, qualified(name="Zhang Wei"))
    deliver(database, qualified("lead-2", name="李娜", email="ln@example.cn"))
    with database.session("t1") as session:
        found = session.scalars(select(Opportunity).order_by(Opportunity.lead_id)).all()
        assert [(o.lead_id, o.stage, o.owner_id, o.team, o.channel, o.region) for o in found] == [
            ("lead-1", "02", "rep-1", "east", "Referral", "浙江"),
            ("lead-2", "02", "rep-1", "east", "Referral", "浙江")]
        # One account for the customer, one contact per person.
        [account] = session.scalars(select(Account)).all()
        assert (account.name, account.customer_id, account.industry) == ("杭州云栖科技有限公司", "C20260301001", "I")
        assert sorted(c.name for c in session.scalars(select(Contact))) == ["张伟", "李娜"]
        assert session.scalar(select(func.count()).select_from(StageChange)) == 2
    assert sorted(e.lead_id for _, e in outbox_events(database, OpportunityCreated)) == ["lead-1", "lead-2"]


def test_a_lead_without_a_customer_gets_its_own_account_in_its_tenant(database):
    deliver(database, qualified("lead-7", customer_id="", owner_id=""), tenant="t2")
    with database.session("t2") as session:
        [opportunity] = session.scalars(select(Opportunity)).all()
        assert (opportunity.owner_id, opportunity.team, opportunity.tenant_id) == ("", "", "t2")
    with database.session("t1") as session:
        assert session.scalars(select(Opportunity)).all() == []


def test_funnel_counts_reached_stages_once_with_conversion_dwell_and_losses(database, caller):
    rep1, rep2, rep3 = (caller("sales", subject=f"rep-{n}") for n in (1, 2, 3))
    # a: 02->03->04->05; b: 02->04 (skips 03) ->03 (back) ->04 again ->lost(price); c: 02->lost(price);
    # d (west): 02->03.
    a, b, c = open_one(database, rep1), open_one(database, rep1), open_one(database, rep2)
    d = open_one(database, rep3)
    day = timedelta(days=1)
    move(database, rep1, a, "03", at=T0 + 2 * day)
    move(database, rep1, a, "04", at=T0 + 4 * day)
    move(database, rep1, a, "05", at=T0 + 5 * day)
    move(database, rep1, b, "04", at=T0 + 3 * day)
    move(database, rep1, b, "03", at=T0 + 4 * day)
    move(database, rep1, b, "04", at=T0 + 5 * day)
    move(database, rep1, b, "lost", at=T0 + 6 * day, reason="price")
    move(database, rep2, c, "lost", at=T0 + 1 * day, reason="price")
    move(database, rep3, d, "03", at=T0 + 1 * day)
    admin = caller("admin", subject="root")

    def run(who, **kwargs):
        kwargs.setdefault("start", date(2026, 3, 1))
        kwargs.setdefault("end", date(2026, 3, 31))
        with database.session("t1") as session:
            return pipeline.funnel(session, caller=who, **kwargs)

    result = run(admin)
    assert [(s.stage, s.reached) for s in result.stages] == [("02", 4), ("03", 3), ("04", 2), ("05", 1)]
    assert [s.conversion_from_previous for s in result.stages] == [None, Decimal("75.0"), Decimal("66.7"),
                                                                    Decimal("50.0")]
    assert result.stages[3].conversion_from_first == Decimal("25.0")
    # Dwell in 02: a 2 days, b 3, c 1, d 1 -> 1.75; in 04: a 1 day, b 1 day (04->03) and 1 day (04->lost).
    assert result.stages[0].average_dwell_days == Decimal("1.75")
    assert (result.stages[2].exits, result.stages[2].average_dwell_days) == (3, Decimal("1.00"))
    assert (result.loss_reasons, result.lost) == ([("price", 2)], 2)

    east = run(admin, team="east")
    assert [s.reached for s in east.stages] == [3, 2, 2, 1]
    # One rep's funnel from the raw changes agrees with the day sums.
    mine = run(rep1)
    assert [s.reached for s in mine.stages] == [2, 2, 2, 1]
    assert [(s.exits, s.dwell_seconds) for s in mine.stages] == [
        (2, 5 * 86400), (2, 3 * 86400), (3, 3 * 86400), (0, 0)]
    assert mine.loss_reasons == [("price", 1)]
    assert [s.reached for s in run(admin, owner_id="rep-1").stages] == [2, 2, 2, 1]
    # A period of the later days (6..8 March): a reaching 04 and 05, b lost; b's return to 04 is no new reach.
    late = run(admin, start=date(2026, 3, 6), end=date(2026, 3, 8))
    assert [s.reached for s in late.stages] == [0, 0, 1, 1] and late.loss_reasons == [("price", 1)]

    # Permissions: a rep sees only their own funnel; a manager their team or one of its reps.
    with pytest.raises(PermissionDenied):
        run(rep1, team="east")
    with pytest.raises(PermissionDenied):
        run(rep1, owner_id="rep-2")
    boss = caller("manager", subject="boss-east")
    assert [s.reached for s in run(boss).stages] == [3, 2, 2, 1]
    assert [s.reached for s in run(boss, owner_id="rep-2").stages] == [1, 0, 0, 0]
    with pytest.raises(PermissionDenied):
        run(boss, team="west")
    with pytest.raises(PermissionDenied):
        run(boss, owner_id="rep-3")
    with pytest.raises(InvalidArgument):
        run(admin, start=date(2026, 4, 1), end=date(2026, 3, 1))
    with database.session("t1") as session:
        assert session.scalar(select(func.sum(FunnelDay.reached)).where(FunnelDay.stage == "02")) == 4


def test_weighted_forecast_by_rep_team_and_region(database, caller):
    rep1, rep2, rep3 = (caller("sales", subject=f"rep-{n}") for n in (1, 2, 3))
    a = open_one(database, rep1, amount="1000.00")  # won on 2026-03-04: 100%
    b = open_one(database, rep1, amount="333.33")  # 04: 60%
    open_one(database, rep2, amount="500")  # 02: 10%
    open_one(database, rep3, amount="2000", close=date(2026, 5, 1))  # outside the period
    c = open_one(database, rep3, amount="99.99")  # lost: not in the forecast
    move(database, rep1, b, "04", at=T0 + timedelta(days=1))
    move(database, rep3, c, "lost", at=T0 + timedelta(days=1), reason="no_budget")
    move(database, rep1, a, "05", at=T0 + timedelta(days=2))
    admin = caller("admin", subject="root")

    def run(who, **kwargs):
        with database.session("t1") as session:
            return pipeline.forecast(session, caller=who, start=date(2026, 3, 1), end=date(2026, 3, 31), **kwargs)

    by_rep = {g.key: (g.opportunities, g.pipeline, g.weighted, g.won) for g in run(admin)}
    # rep-1: 1000 x 100% + 333.33 x 60% = 1199.998 -> 1200.00 (half-up to cents)
    assert by_rep == {"rep-1": (2, Decimal("1333.33"), Decimal("1200.00"), Decimal("1000.00")),
                      "rep-2": (1, Decimal("500.00"), Decimal("50.00"), Decimal("0.00"))}
    assert {g.key: g.weighted for g in run(admin, group_by="team")} == {"east": Decimal("1250.00")}
    assert {g.key for g in run(admin, group_by="region")} == {"east-region"}
    assert {g.key for g in run(rep2)} == {"rep-2"}
    assert {g.key for g in run(caller("manager", subject="boss-west"))} == set()
    with pytest.raises(PermissionDenied):
        run(caller("manager", subject="boss-west"), team="east")
    with pytest.raises(InvalidArgument):
        run(admin, group_by="colour")
    # Probabilities are the tenant's.
    with database.session("t1") as session:
        settings.update(session, caller=admin, raw={"probabilities": {"04": "50"}})
    assert {g.key: g.weighted for g in run(admin)}["rep-1"] == Decimal("1166.67")


def test_settings_are_validated(database, caller):
    admin = caller("admin", subject="root")
    with database.session("t1") as session, pytest.raises(InvalidArgument) as raised:
        settings.update(session, caller=admin, raw={
            "probabilities": {"02": "120"}, "calendar": {"timezone": "Mars/Olympus", "holidays": ["2026-13-01"]},
            "approval_chain": [{"duty": "manager", "when": {"colour": "red"}}], "other": 1})
    assert {v.field for v in raised.value.violations} == {
        "settings", "probabilities.02", "calendar.timezone", "calendar.holidays", "approval_chain[0].when"}
    with database.session("t1") as session, pytest.raises(PermissionDenied):
        settings.update(session, caller=caller("manager"), raw={})


def test_api_round_trip(grpc_service):
    service = grpc_service("sales")
    stub = sales_pb2_grpc.SalesServiceStub(service.channel)
    admin = service.metadata("admin", subject="root")
    stub.UpsertMember(sales_pb2.UpsertMemberRequest(member=sales_pb2.Member(user_id="rep-1", team="east")),
                      metadata=admin)
    rep = service.metadata("sales", subject="rep-1")
    account = stub.CreateAccount(sales_pb2.CreateAccountRequest(name="Acme"), metadata=rep).account
    created = stub.CreateOpportunity(sales_pb2.CreateOpportunityRequest(
        name="ERP", account_id=account.id, amount=common_pb2.Money(amount="12000.50", currency="cny"),
        close_date=common_pb2.Date(year=2026, month=12, day=31)), metadata=rep).opportunity
    assert (created.stage, created.probability, created.team, created.amount.amount, created.amount.currency) == (
        "02", "10", "east", "12000.50", "CNY")
    moved = stub.MoveOpportunity(sales_pb2.MoveOpportunityRequest(id=created.id, stage="03"), metadata=rep)
    assert [(c.from_stage, c.to_stage) for c in moved.opportunity.history] == [("", "02"), ("02", "03")]
    listed = stub.ListOpportunities(sales_pb2.ListOpportunitiesRequest(), metadata=rep).opportunities
    assert [o.id for o in listed] == [created.id]
    today = datetime.now(UTC).date()
    day = common_pb2.Date(year=today.year, month=today.month, day=today.day)
    funnel = stub.GetFunnel(sales_pb2.GetFunnelRequest(start_date=day, end_date=day), metadata=rep)
    assert [(s.stage, s.reached, s.conversion_from_previous) for s in funnel.stages][:2] == [
        ("02", 1, ""), ("03", 1, "100.0")]
    forecast = stub.GetForecast(sales_pb2.GetForecastRequest(
        start_date=common_pb2.Date(year=2026, month=12, day=1), end_date=common_pb2.Date(year=2026, month=12, day=31),
        group_by="team"), metadata=admin)
    assert [(g.key, g.weighted.amount) for g in forecast.groups] == [("east", "3600.15")]

    with pytest.raises(grpc.RpcError) as raised:
        stub.CreateOpportunity(sales_pb2.CreateOpportunityRequest(
            name="", account_id=account.id, amount=common_pb2.Money(amount="1.5e3", currency="CNYY")), metadata=rep)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(service.violations(raised.value)) == {"amount.amount", "amount.currency"}
    with pytest.raises(grpc.RpcError) as raised:
        stub.GetFunnel(sales_pb2.GetFunnelRequest(), metadata=rep)
    assert set(service.violations(raised.value)) == {"start_date", "end_date"}
    with pytest.raises(grpc.RpcError) as raised:
        stub.GetOpportunity(sales_pb2.GetOpportunityRequest(id=created.id),
                            metadata=service.metadata("sales", subject="rep-2"))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


def test_the_leads_service_marks_the_lead_converted_or_lost(migrated_database, caller):
    from services.leads import leads
    from services.leads.events import CONSUMERS as LEADS_CONSUMERS
    from services.leads.models import Lead

    leads_db = migrated_database("leads")
    with leads_db.session("t1") as session:
        ids = [leads.create_lead(session, tenant="t1", caller=caller("admin"), name=f"L{n}", channel="Referral",
                                 email=f"l{n}@example.cn").id for n in range(3)]
    [consumer] = [c for c in LEADS_CONSUMERS if c.purpose == "sales"]
    dispatcher = InboxDispatcher("leads", consumer, leads_db)
    dispatcher(new_envelope(OpportunityWon(opportunity_id="o1", lead_id=ids[0]), tenant_id="t1",
                            producer="sales").SerializeToString())
    dispatcher(new_envelope(OpportunityLost(opportunity_id="o2", lead_id=ids[1], reason="price"), tenant_id="t1",
                            producer="sales").SerializeToString())
    # Another tenant's event about the same lead id changes nothing here.
    dispatcher(new_envelope(OpportunityWon(opportunity_id="o3", lead_id=ids[2]), tenant_id="t2",
                            producer="sales").SerializeToString())
    with leads_db.session("t1") as session:
        assert [session.get(Lead, lead_id).status for lead_id in ids] == ["converted", "lost", "open"]
