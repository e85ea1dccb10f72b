"""Products, price lists, quotes (R-SALES-2) and contracts with their approval chain (R-SALES-3): conditions,
business calendar, rejection back to the rep, signature only after every approval, who sees which approvals."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import grpc
import pytest

from crm.common.v1 import common_pb2
from crm.events.v1.sales_pb2 import ContractApprovalRequested, ContractRejected, ContractSigned
from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.core.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from services.sales import accounts, contracts, opportunities, quotes, settings
from tests.unit.services.test_sales_opportunities import ADMIN, add_roster

# Friday 2026-10-09 10:00 in Shanghai.
FRIDAY = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)
TEMPLATE = "甲方 {account} 就 {opportunity} 支付 {total} {currency}。特别约定：{special_terms}"


@pytest.fixture
def database(migrated_database):
    database = migrated_database("sales")
    add_roster(database)
    return database


def catalogue(database, caller):
    """The products and price list of the tenant, created on first use."""
    if hasattr(database, "catalogue"):
        return database.catalogue
    manager = caller("manager", subject="boss-east")
    with database.session("t1") as session:
        basic = quotes.create_product(session, caller=manager, sku="BASIC", name="基础版", tax_rate="0.13")
        addon = quotes.create_product(session, caller=manager, sku="ANALYTICS", name="Analytics add-on",
                                      tax_rate="0.06")
        price_list = quotes.create_price_list(session, caller=manager, name="2026 CNY", currency="CNY",
                                              items=[(basic.id, "9999.99", "CNY"), (addon.id, "2000", "")])
        database.catalogue = basic.id, addon.id, price_list.id
        return database.catalogue


def deal(database, caller, rep="rep-1"):
    with database.session("t1") as session:
        who = caller("sales", subject=rep)
        account = accounts.create_account(session, tenant="t1", caller=who, name="杭州云栖科技")
        return opportunities.create_opportunity(session, caller=who, name="ERP 2026", account_id=account.id,
                                                close_date=date(2026, 12, 31)).id


def quote(database, caller, lines, rep="rep-1"):
    basic, addon, price_list = catalogue(database, caller)
    opportunity_id = deal(database, caller, rep)
    ids = {"basic": basic, "addon": addon}
    with database.session("t1") as session:
        return quotes.create_quote(session, caller=caller("sales", subject=rep), opportunity_id=opportunity_id,
                                   price_list_id=price_list,
                                   lines=[(ids[name], quantity, discount) for name, quantity, discount in lines])


def test_a_quote_is_priced_from_the_price_list_exactly(database, caller):
    view = quote(database, caller, [("basic", "3", "15"), ("addon", "2.5", "0")])
    q = view.quote
    # 3 x 9999.99 = 29999.97, -15% = 25499.9745 -> 25499.97, tax 13% = 3314.9961 -> 3315.00;
    # 2.5 x 2000 = 5000.00, tax 6% = 300.00.
    assert [(line.position, line.list_amount, line.net_amount, line.tax_amount) for line in view.lines] == [
        (1, Decimal("29999.97"), Decimal("25499.97"), Decimal("3315.00")),
        (2, Decimal("5000.00"), Decimal("5000.00"), Decimal("300.00"))]
    assert (q.list_total, q.discount_total, q.net_total, q.tax_total, q.total, q.currency) == (
        Decimal("34999.97"), Decimal("4500.00"), Decimal("30499.97"), Decimal("3615.00"), Decimal("34114.97"), "CNY")
    with database.session("t1") as session:
        again = quotes.readable_quote(session, caller=caller("sales", subject="rep-1"), quote_id=q.id)
        assert [line.net_amount for line in again.lines] == [Decimal("25499.97"), Decimal("5000.00")]
        assert again.quote.total == Decimal("34114.97")
        with pytest.raises(NotFound):
            quotes.readable_quote(session, caller=caller("sales", subject="rep-3"), quote_id=q.id)


def test_quote_and_catalogue_validation(database, caller):
    basic, _, price_list = catalogue(database, caller)
    opportunity_id = deal(database, caller)
    rep = caller("sales", subject="rep-1")
    with database.session("t1") as session, pytest.raises(InvalidArgument) as raised:
        quotes.create_quote(session, caller=rep, opportunity_id=opportunity_id, price_list_id=price_list,
                            lines=[(basic, "0", "10"), (basic, "1", "101"), ("nope", "1", "0"), (basic, "1e3", "0")])
    assert [v.field for v in raised.value.violations] == [
        "lines[0].quantity", "lines[1].discount_percent", "lines[2].product_id", "lines[3].quantity"]
    manager = caller("manager", subject="boss-east")
    with database.session("t1") as session, pytest.raises(AlreadyExists):
        quotes.create_product(session, caller=manager, sku="BASIC", name="again")
    with database.session("t1") as session, pytest.raises(InvalidArgument) as raised:
        quotes.create_price_list(session, caller=manager, name="USD", currency="usd",
                                 items=[(basic, "10", "CNY"), (basic, "-1", "")])
    assert [v.field for v in raised.value.violations] == [
        "items[0].unit_price.currency", "items[1].unit_price.amount", "items[1].product_id"]
    with database.session("t1") as session, pytest.raises(PermissionDenied):
        quotes.create_product(session, caller=rep, sku="X", name="x")


def contract_for(database, caller, lines=(("basic", "1", "0"),), rep="rep-1", terms="15 天内完成部署"):
    view = quote(database, caller, list(lines), rep=rep)
    with database.session("t1") as session:
        template = contracts.create_template(session, caller=caller("manager", subject="boss-east"), name="标准合同",
                                             body=TEMPLATE)
        return contracts.create_contract(session, caller=caller("sales", subject=rep), quote_id=view.quote.id,
                                         template_id=template.id, special_terms=terms)


def act(database, function, who, contract_id, **kwargs):
    with database.session("t1") as session:
        return function(session, caller=who, contract_id=contract_id, **kwargs)


def test_the_default_chain_manager_finance_legal_then_signature(database, caller, outbox_events):
    contract = contract_for(database, caller)
    assert contract.body == "甲方 杭州云栖科技 就 ERP 2026 支付 11299.99 CNY。特别约定：15 天内完成部署"
    rep, boss = caller("sales", subject="rep-1"), caller("manager", subject="boss-east")
    fin, lawyer = caller("sales", subject="fin"), caller("sales", subject="lawyer")
    with pytest.raises(FailedPrecondition):
        act(database, contracts.sign, rep, contract.id)
    view = act(database, contracts.submit, rep, contract.id, now=FRIDAY)
    assert [(s.duty, s.state, s.condition) for s in view.steps] == [
        ("manager", "pending", ""), ("finance", "pending", ""), ("legal", "pending", "")]
    # Friday 10:00 + 1 working day = Monday 10:00 (Shanghai) = 02:00 UTC.
    assert view.steps[0].due_at.astimezone(UTC) == datetime(2026, 10, 12, 2, 0, tzinfo=UTC)

    # Only the current step's approver decides; the owner never approves.
    for wrong in (fin, lawyer, caller("manager", subject="boss-west"), rep):
        with pytest.raises((PermissionDenied, NotFound)):
            act(database, contracts.decide, wrong, contract.id, approve=True)
    with database.session("t1") as session:
        assert [s.duty for s in contracts.pending_for(session, caller=boss)] == ["manager"]
        assert contracts.pending_for(session, caller=fin) == []
        assert contracts.pending_for(session, caller=caller("manager", subject="boss-west")) == []
    act(database, contracts.decide, boss, contract.id, approve=True, now=FRIDAY)
    with database.session("t1") as session:
        assert [s.duty for s in contracts.pending_for(session, caller=fin)] == ["finance"]
        # Finance reads the contract it has to approve, though it is not the owner's team.
        assert contracts.readable(session, caller=fin, contract_id=contract.id).id == contract.id
    act(database, contracts.decide, fin, contract.id, approve=True, now=FRIDAY)
    with pytest.raises(FailedPrecondition):
        act(database, contracts.sign, rep, contract.id)
    view = act(database, contracts.decide, lawyer, contract.id, approve=True, now=FRIDAY)
    assert view.contract.status == "approved" and all(s.state == "approved" for s in view.steps)
    view = act(database, contracts.sign, rep, contract.id, now=FRIDAY)
    assert (view.contract.status, view.contract.signed_by) == ("signed", "rep-1")
    [(_, signed)] = outbox_events(database, ContractSigned)
    assert (signed.contract_id, signed.total.amount, signed.special_terms) == (
        contract.id, "11299.99", "15 天内完成部署")
    assert [e.duty for _, e in outbox_events(database, ContractApprovalRequested)] == ["manager", "finance", "legal"]
    with pytest.raises(FailedPrecondition):
        act(database, contracts.decide, boss, contract.id, approve=True)


def test_rejection_returns_to_the_rep_with_a_reason_and_resubmission_starts_a_new_round(database, caller,
                                                                                       outbox_events):
    contract = contract_for(database, caller)
    rep, boss = caller("sales", subject="rep-1"), caller("manager", subject="boss-east")
    act(database, contracts.submit, rep, contract.id, now=FRIDAY)
    with pytest.raises(InvalidArgument):
        act(database, contracts.decide, boss, contract.id, approve=False)
    view = act(database, contracts.decide, boss, contract.id, approve=False, reason="付款条件不可接受")
    assert (view.contract.status, view.contract.rejection_reason) == ("rejected", "付款条件不可接受")
    [(_, event)] = outbox_events(database, ContractRejected)
    assert (event.owner_id, event.duty, event.rejected_by, event.reason) == (
        "rep-1", "manager", "boss-east", "付款条件不可接受")
    view = act(database, contracts.submit, rep, contract.id, special_terms="30 天内部署", now=FRIDAY)
    assert (view.contract.round, view.contract.special_terms) == (2, "30 天内部署")
    assert [(s.round, s.state) for s in view.steps] == [(2, "pending")] * 3


def test_conditions_choose_the_steps_and_the_calendar_skips_holidays(database, caller):
    with database.session("t1") as session:
        settings.update(session, caller=ADMIN, raw={
            "approval_chain": [
                {"duty": "manager", "expected_working_days": 1},
                {"duty": "finance", "when": {"discount_percent_over": "20"}, "expected_working_days": 2},
                {"duty": "legal", "expected_working_days": 1},
            ],
            "calendar": {"holidays": ["2026-10-12"], "extra_working_days": ["2026-10-10"]},
        })
    rep, boss = caller("sales", subject="rep-1"), caller("manager", subject="boss-east")
    small = contract_for(database, caller, lines=[("basic", "1", "20")])
    view = act(database, contracts.submit, rep, small.id, now=FRIDAY)
    assert [s.duty for s in view.steps] == ["manager", "legal"]
    # Saturday 10 October is a make-up working day: Friday + 1 working day = Saturday 10:00.
    assert view.steps[0].due_at.astimezone(UTC) == datetime(2026, 10, 10, 2, 0, tzinfo=UTC)

    big = contract_for(database, caller, lines=[("basic", "1", "20.01")], rep="rep-2")
    assert big.discount_percent == Decimal("20.0100")
    act(database, contracts.submit, caller("sales", subject="rep-2"), big.id, now=FRIDAY)
    view = act(database, contracts.decide, boss, big.id, approve=True, now=FRIDAY)
    assert [(s.duty, s.condition) for s in view.steps] == [
        ("manager", ""), ("finance", "discount > 20%"), ("legal", "")]
    # Finance: 2 working days from Friday: Saturday (make-up), Monday 12 is a holiday, Tuesday 13.
    assert view.steps[1].due_at.astimezone(UTC) == datetime(2026, 10, 13, 2, 0, tzinfo=UTC)


def test_calendar_on_a_day_off_counts_from_the_next_opening():
    calendar = settings.parse({}).calendar
    saturday = datetime(2026, 10, 17, 12, 0, tzinfo=UTC)  # 20:00 Shanghai, Saturday
    # Counted from Monday 09:00: one working day later is Tuesday 09:00 Shanghai.
    assert calendar.add_working_days(saturday, 1).astimezone(UTC) == datetime(2026, 10, 20, 1, 0, tzinfo=UTC)
    assert calendar.add_working_days(saturday, 0).astimezone(UTC) == datetime(2026, 10, 19, 1, 0, tzinfo=UTC)


def test_templates_refuse_unknown_placeholders(database, caller):
    with database.session("t1") as session, pytest.raises(InvalidArgument) as raised:
        contracts.create_template(session, caller=caller("admin"), name="x", body="{account} owes {price}")
    assert "price" in raised.value.violations[0].description


def test_api_round_trip(grpc_service):
    service = grpc_service("sales")
    stub = sales_pb2_grpc.SalesServiceStub(service.channel)
    admin, boss = service.metadata("admin", subject="root"), service.metadata("manager", subject="boss")
    rep, fin = service.metadata("sales", subject="rep-1"), service.metadata("sales", subject="fin")
    for member in (sales_pb2.Member(user_id="rep-1", team="east"), sales_pb2.Member(user_id="boss", team="east"),
                   sales_pb2.Member(user_id="fin", duties=["finance"])):
        stub.UpsertMember(sales_pb2.UpsertMemberRequest(member=member), metadata=admin)
    stub.UpdateSalesSettings(sales_pb2.UpdateSalesSettingsRequest(
        settings_json='{"approval_chain": [{"duty": "manager"}, {"duty": "finance"}]}'), metadata=admin)
    product = stub.CreateProduct(sales_pb2.CreateProductRequest(sku="B", name="Basic", tax_rate="0.13"),
                                 metadata=boss).product
    price_list = stub.CreatePriceList(sales_pb2.CreatePriceListRequest(
        name="CNY", currency="CNY", items=[sales_pb2.PriceListItem(
            product_id=product.id, unit_price=common_pb2.Money(amount="0.05", currency="CNY"))]),
        metadata=boss).price_list_id
    account = stub.CreateAccount(sales_pb2.CreateAccountRequest(name="Acme"), metadata=rep).account
    opportunity = stub.CreateOpportunity(sales_pb2.CreateOpportunityRequest(name="D", account_id=account.id),
                                         metadata=rep).opportunity
    created = stub.CreateQuote(sales_pb2.CreateQuoteRequest(
        opportunity_id=opportunity.id, price_list_id=price_list,
        lines=[sales_pb2.QuoteLineInput(product_id=product.id, quantity="3", discount_percent="50")] * 2),
        metadata=rep).quote
    # 3 x 0.05 = 0.15, -50% = 0.075 -> 0.08 per line (half-up), tax 13% of 0.08 = 0.0104 -> 0.01.
    assert [(line.net_amount.amount, line.tax_amount.amount) for line in created.lines] == [("0.08", "0.01")] * 2
    assert (created.net_total.amount, created.total.amount, created.total.currency) == ("0.16", "0.18", "CNY")
    assert stub.GetQuote(sales_pb2.GetQuoteRequest(id=created.id), metadata=rep).quote.total.amount == "0.18"
    template = stub.CreateContractTemplate(sales_pb2.CreateContractTemplateRequest(
        name="T", body="{account}: {total} {currency}"), metadata=boss).template
    contract = stub.CreateContract(sales_pb2.CreateContractRequest(quote_id=created.id, template_id=template.id),
                                   metadata=rep).contract
    assert (contract.status, contract.body) == ("draft", "Acme: 0.18 CNY")
    submitted = stub.SubmitContract(sales_pb2.SubmitContractRequest(id=contract.id), metadata=rep).contract
    assert [(s.duty, s.current) for s in submitted.steps] == [("manager", True), ("finance", False)]
    assert submitted.steps[0].due_time.seconds > 0
    waiting = stub.ListPendingApprovals(sales_pb2.ListPendingApprovalsRequest(), metadata=boss).steps
    assert [(s.contract_id, s.duty) for s in waiting] == [(contract.id, "manager")]
    stub.DecideApproval(sales_pb2.DecideApprovalRequest(contract_id=contract.id, approve=True), metadata=boss)
    with pytest.raises(grpc.RpcError) as raised:
        stub.SignContract(sales_pb2.SignContractRequest(id=contract.id), metadata=rep)
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.RpcError) as raised:
        stub.DecideApproval(sales_pb2.DecideApprovalRequest(contract_id=contract.id, approve=False), metadata=fin)
    assert set(service.violations(raised.value)) == {"reason"}
    stub.DecideApproval(sales_pb2.DecideApprovalRequest(contract_id=contract.id, approve=True), metadata=fin)
    signed = stub.SignContract(sales_pb2.SignContractRequest(id=contract.id), metadata=rep).contract
    assert (signed.status, signed.signed_by) == ("signed", "rep-1") and signed.sign_time.seconds > 0
    got = stub.GetContract(sales_pb2.GetContractRequest(id=contract.id), metadata=fin).contract
    assert [(s.duty, s.state, s.decided_by) for s in got.steps] == [("manager", "approved", "boss"),
                                                                    ("finance", "approved", "fin")]
    with pytest.raises(grpc.RpcError) as raised:
        stub.GetContract(sales_pb2.GetContractRequest(id=contract.id),
                         metadata=service.metadata("sales", subject="rep-9"))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
