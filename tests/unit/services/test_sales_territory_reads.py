"""A territory's manager reads the quotes (PDF included) and contracts of the opportunities in their territory, as
they read the opportunities (issue #5 item 8), and changes none of them: no quote, no contract, no submission, no
approval, no signature. A manager of another territory still gets NOT_FOUND."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import grpc
import pytest

from crm.common.v1 import common_pb2
from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.core.errors import NotFound, PermissionDenied
from services.sales import accounts, contracts, opportunities, quote_pdf, quotes, territories
from tests.unit.services.test_sales_contracts import catalogue, contract_for
from tests.unit.services.test_sales_opportunities import ADMIN, add_roster

FRIDAY = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)


@pytest.fixture
def database(migrated_database):
    database = migrated_database("sales")
    add_roster(database)
    with database.session("t1") as session:
        # rep-1's opportunities are in east-region (their roster region).
        territories.upsert(session, caller=ADMIN, name="华东", regions=["east-region"], manager_id="boss-west")
        territories.upsert(session, caller=ADMIN, name="华南", regions=["south-region"], manager_id="boss-south")
    return database


def reads(database, who, contract) -> tuple:
    """What `who` reads of the contract's quote and the contract: quote id, listed quote ids, PDF?, contract id."""
    with database.session("t1") as session:
        quote = quotes.readable_quote(session, caller=who, quote_id=contract.quote_id)
        listed, _ = quotes.list_quotes(session, caller=who, opportunity_id=contract.opportunity_id)
        pdf = quote_pdf.render(session, caller=who, quote_id=contract.quote_id)
        read = contracts.readable(session, caller=who, contract_id=contract.id)
        return quote.quote.id, [view.quote.id for view in listed], pdf[:4], read.id


def test_a_territory_manager_reads_the_quotes_and_contracts_of_its_opportunities(database, caller):
    contract = contract_for(database, caller)
    expected = (contract.quote_id, [contract.quote_id], b"%PDF", contract.id)
    assert reads(database, caller("manager", subject="boss-west"), contract) == expected
    # As before: the owner, their team's manager, admin, auditor.
    for who in (caller("sales", subject="rep-1"), caller("manager", subject="boss-east"), ADMIN,
                caller("auditor", subject="audit-1")):
        assert reads(database, who, contract) == expected, who


def test_others_still_get_not_found(database, caller):
    contract = contract_for(database, caller)
    # Another territory's manager, the territory's manager without the manager role, a rep of the same team.
    for who in (caller("manager", subject="boss-south"), caller("sales", subject="boss-west"),
                caller("sales", subject="rep-2")):
        with database.session("t1") as session:
            with pytest.raises(NotFound):
                quotes.readable_quote(session, caller=who, quote_id=contract.quote_id)
            with pytest.raises(NotFound):
                quotes.list_quotes(session, caller=who, opportunity_id=contract.opportunity_id)
            with pytest.raises(NotFound):
                quote_pdf.render(session, caller=who, quote_id=contract.quote_id)
            with pytest.raises(NotFound):
                contracts.readable(session, caller=who, contract_id=contract.id)


def test_an_industry_territory_reaches_the_quotes_of_its_industry(database, caller):
    basic, _, price_list = catalogue(database, caller)
    with database.session("t1") as session:
        territories.upsert(session, caller=ADMIN, name="Hotels", industries=["H"], manager_id="boss-hotels")
        rep = caller("sales", subject="rep-3")
        ids = []
        for industry in ("H", "C"):
            account = accounts.create_account(session, tenant="t1", caller=rep, name=f"Acme {industry}",
                                              industry=industry)
            opportunity = opportunities.create_opportunity(session, caller=rep, name="D", account_id=account.id)
            ids.append(quotes.create_quote(session, caller=rep, opportunity_id=opportunity.id,
                                           price_list_id=price_list, lines=[(basic, "1", "0")]).quote.id)
    hotels = caller("manager", subject="boss-hotels")
    with database.session("t1") as session:
        assert quotes.readable_quote(session, caller=hotels, quote_id=ids[0]).quote.total > Decimal(0)
        with pytest.raises(NotFound):
            quotes.readable_quote(session, caller=hotels, quote_id=ids[1])


def act(database, function, who, contract_id, **kwargs):
    with database.session("t1") as session:
        return function(session, caller=who, contract_id=contract_id, **kwargs)


def test_reading_only_no_quote_contract_submission_approval_or_signature(database, caller):
    contract = contract_for(database, caller)
    west, rep = caller("manager", subject="boss-west"), caller("sales", subject="rep-1")
    basic, _, price_list = catalogue(database, caller)
    with database.session("t1") as session:
        with pytest.raises(PermissionDenied):
            quotes.create_quote(session, caller=west, opportunity_id=contract.opportunity_id,
                                price_list_id=price_list, lines=[(basic, "1", "0")])
        template = contracts.create_template(session, caller=west, name="West's", body="{account}")
        with pytest.raises(PermissionDenied):
            contracts.create_contract(session, caller=west, quote_id=contract.quote_id, template_id=template.id)
        with pytest.raises(PermissionDenied):
            opportunities.move(session, caller=west, opportunity_id=contract.opportunity_id, stage="04")
    with pytest.raises(PermissionDenied):
        act(database, contracts.submit, west, contract.id, now=FRIDAY)
    assert act(database, contracts.readable, west, contract.id).status == "draft"
    act(database, contracts.submit, rep, contract.id, now=FRIDAY)
    # Each step of the chain: the territory's manager decides none (approve or reject); its approvers do.
    for approver in (caller("manager", subject="boss-east"), caller("sales", subject="fin"),
                     caller("sales", subject="lawyer")):
        for approve, reason in ((True, ""), (False, "no")):
            with pytest.raises(PermissionDenied):
                act(database, contracts.decide, west, contract.id, approve=approve, reason=reason, now=FRIDAY)
        act(database, contracts.decide, approver, contract.id, approve=True, now=FRIDAY)
    with pytest.raises(PermissionDenied):
        act(database, contracts.sign, west, contract.id, now=FRIDAY)
    view = act(database, contracts.sign, rep, contract.id, now=FRIDAY)
    assert (view.contract.status, view.contract.signed_by) == ("signed", "rep-1")
    with database.session("t1") as session:
        assert len(quotes.list_quotes(session, caller=west, opportunity_id=contract.opportunity_id)[0]) == 1


def test_api(grpc_service, caller):
    service = grpc_service("sales")
    database = service.database
    add_roster(database)
    with database.session("t1") as session:
        territories.upsert(session, caller=ADMIN, name="华东", regions=["east-region"], manager_id="boss-west")
    contract = contract_for(database, caller)
    stub = sales_pb2_grpc.SalesServiceStub(service.channel)
    west, south = service.metadata("manager", subject="boss-west"), service.metadata("manager", subject="boss-south")
    assert stub.GetQuote(sales_pb2.GetQuoteRequest(id=contract.quote_id), metadata=west).quote.id == contract.quote_id
    assert [q.id for q in stub.ListQuotes(sales_pb2.ListQuotesRequest(
        opportunity_id=contract.opportunity_id, page=common_pb2.PageRequest()), metadata=west).quotes] == [
        contract.quote_id]
    assert stub.RenderQuotePdf(sales_pb2.RenderQuotePdfRequest(quote_id=contract.quote_id),
                               metadata=west).pdf.startswith(b"%PDF")
    assert stub.GetContract(sales_pb2.GetContractRequest(id=contract.id), metadata=west).contract.status == "draft"
    with pytest.raises(grpc.RpcError) as raised:
        stub.SubmitContract(sales_pb2.SubmitContractRequest(id=contract.id), metadata=west)
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    for call, request in ((stub.GetQuote, sales_pb2.GetQuoteRequest(id=contract.quote_id)),
                          (stub.ListQuotes, sales_pb2.ListQuotesRequest(opportunity_id=contract.opportunity_id)),
                          (stub.RenderQuotePdf, sales_pb2.RenderQuotePdfRequest(quote_id=contract.quote_id)),
                          (stub.GetContract, sales_pb2.GetContractRequest(id=contract.id))):
        with pytest.raises(grpc.RpcError) as raised:
            call(request, metadata=south)
        assert raised.value.code() == grpc.StatusCode.NOT_FOUND, call
