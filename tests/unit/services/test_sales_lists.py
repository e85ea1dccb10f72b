"""The list RPCs the console needs: an opportunity's quotes (paged, with the quote permissions of R-SEC-2), the
tenant's price lists and contract templates (the catalogue: anyone of the tenant, never another tenant's)."""

from __future__ import annotations

import grpc
import pytest

from crm.common.v1 import common_pb2
from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.core.errors import InvalidArgument, NotFound
from services.sales import contracts, quotes, territories
from tests.unit.services.test_sales_contracts import TEMPLATE, catalogue, deal
from tests.unit.services.test_sales_opportunities import ADMIN, add_roster


@pytest.fixture
def database(migrated_database):
    database = migrated_database("sales")
    add_roster(database)
    add_roster(database, tenant="t2")
    return database


def quote_on(database, caller, opportunity_id, *quantities, rep="rep-1"):
    """A quote with one line per quantity (basic, then add-on)."""
    basic, addon, price_list = catalogue(database, caller)
    lines = [(product, quantity, "0") for product, quantity in zip((basic, addon), quantities, strict=False)]
    with database.session("t1") as session:
        return quotes.create_quote(session, caller=caller("sales", subject=rep), opportunity_id=opportunity_id,
                                   price_list_id=price_list, lines=lines).quote.id


def listed(database, who, opportunity_id, *, tenant="t1", offset=0, limit=50):
    with database.session(tenant) as session:
        found, more = quotes.list_quotes(session, caller=who, opportunity_id=opportunity_id, offset=offset,
                                         limit=limit)
        return [(view.quote.id, view.lines_in_quote) for view in found], more


def test_an_opportunitys_quotes_newest_first_with_their_line_counts_and_pages(database, caller):
    opportunity_id = deal(database, caller)
    first = quote_on(database, caller, opportunity_id, "1")
    second = quote_on(database, caller, opportunity_id, "1", "2")
    third = quote_on(database, caller, opportunity_id, "3")
    quote_on(database, caller, deal(database, caller), "1")  # another opportunity's quote: not listed
    rep = caller("sales", subject="rep-1")

    assert listed(database, rep, opportunity_id) == ([(third, 1), (second, 2), (first, 1)], False)
    assert listed(database, rep, opportunity_id, limit=2) == ([(third, 1), (second, 2)], True)
    assert listed(database, rep, opportunity_id, offset=2, limit=2) == ([(first, 1)], False)
    # Listed without lines: GetQuote has them.
    with database.session("t1") as session:
        views, _ = quotes.list_quotes(session, caller=rep, opportunity_id=opportunity_id)
        assert [view.lines for view in views] == [[], [], []]
    # An opportunity without quotes lists none.
    assert listed(database, rep, deal(database, caller)) == ([], False)


def test_quotes_are_listed_to_whoever_may_read_them_and_the_opportunity_hides_from_the_others(database, caller):
    opportunity_id = deal(database, caller)
    quote_id = quote_on(database, caller, opportunity_id, "1")
    expected = ([(quote_id, 1)], False)
    for who in (caller("sales", subject="rep-1"), caller("manager", subject="boss-east"), ADMIN,
                caller("auditor", subject="audit-1")):
        assert listed(database, who, opportunity_id) == expected, who
    # A rep of the same team, the other team's manager, an approver, the same ids in another tenant: NOT_FOUND,
    # as for the opportunity itself (its existence is not their business).
    for who, tenant in ((caller("sales", subject="rep-2"), "t1"), (caller("manager", subject="boss-west"), "t1"),
                        (caller("sales", subject="fin"), "t1"), (caller("admin", tenant="t2"), "t2")):
        with pytest.raises(NotFound):
            listed(database, who, opportunity_id, tenant=tenant)


def test_a_territory_manager_lists_the_quotes_of_the_opportunity(database, caller):
    opportunity_id = deal(database, caller)
    quote_id = quote_on(database, caller, opportunity_id, "1")
    with database.session("t1") as session:
        territories.upsert(session, caller=ADMIN, name="华东", regions=["east-region"], manager_id="boss-west")
    boss_west = caller("manager", subject="boss-west")
    # They read the opportunity, so its quotes too (read only: test_sales_territory_reads.py).
    assert listed(database, boss_west, opportunity_id) == ([(quote_id, 1)], False)


def test_listing_quotes_needs_the_opportunity(database, caller):
    with pytest.raises(InvalidArgument) as raised:
        listed(database, caller("sales", subject="rep-1"), "")
    assert [v.field for v in raised.value.violations] == ["opportunity_id"]
    with pytest.raises(NotFound):
        listed(database, caller("sales", subject="rep-1"), "no-such-opportunity")


def test_price_lists_and_templates_are_the_tenants_by_name_for_anyone_of_it(database, caller):
    _, _, price_list = catalogue(database, caller)
    manager = caller("manager", subject="boss-east")
    with database.session("t1") as session:
        usd = quotes.create_price_list(session, caller=manager, name="2026 USD", currency="USD", items=[]).id
        late = contracts.create_template(session, caller=manager, name="标准合同", body=TEMPLATE).id
        early = contracts.create_template(session, caller=manager, name="Framework agreement",
                                          body="{account}: {total} {currency}").id
    with database.session("t2") as session:
        other_manager = caller("manager", tenant="t2", subject="boss-east")
        quotes.create_price_list(session, caller=other_manager, name="Other CNY", currency="CNY", items=[])
        contracts.create_template(session, caller=other_manager, name="Other", body="{account}")

    for who in (caller("sales", subject="rep-3"), caller("auditor", subject="audit-1"), manager, ADMIN):
        with database.session("t1") as session:
            assert [(p.id, p.name, p.currency) for p in quotes.list_price_lists(session)] == [
                (price_list, "2026 CNY", "CNY"), (usd, "2026 USD", "USD")], who
            assert [(t.id, t.name) for t in contracts.list_templates(session)] == [
                (early, "Framework agreement"), (late, "标准合同")], who
    with database.session("t2") as session:
        assert [p.name for p in quotes.list_price_lists(session)] == ["Other CNY"]
        assert [t.name for t in contracts.list_templates(session)] == ["Other"]


def test_api_round_trip(grpc_service):
    service = grpc_service("sales")
    stub = sales_pb2_grpc.SalesServiceStub(service.channel)
    admin, boss = service.metadata("admin", subject="root"), service.metadata("manager", subject="boss")
    rep, stranger = service.metadata("sales", subject="rep-1"), service.metadata("sales", subject="rep-9")
    auditor = service.metadata("auditor", subject="audit-1")
    for member in (sales_pb2.Member(user_id="rep-1", team="east"), sales_pb2.Member(user_id="boss", team="east")):
        stub.UpsertMember(sales_pb2.UpsertMemberRequest(member=member), metadata=admin)
    product = stub.CreateProduct(sales_pb2.CreateProductRequest(sku="B", name="Basic", tax_rate="0.13"),
                                 metadata=boss).product
    price_list = stub.CreatePriceList(sales_pb2.CreatePriceListRequest(
        name="CNY list", currency="CNY", items=[sales_pb2.PriceListItem(
            product_id=product.id, unit_price=common_pb2.Money(amount="100", currency="CNY"))]),
        metadata=boss).price_list_id
    template = stub.CreateContractTemplate(sales_pb2.CreateContractTemplateRequest(
        name="T", body="{account}: {total} {currency}"), metadata=boss).template

    lists = stub.ListPriceLists(sales_pb2.ListPriceListsRequest(), metadata=rep).price_lists
    assert [(p.id, p.name, p.currency) for p in lists] == [(price_list, "CNY list", "CNY")]
    assert lists[0].create_time.seconds > 0
    templates = stub.ListContractTemplates(sales_pb2.ListContractTemplatesRequest(), metadata=rep).templates
    assert [(t.id, t.name, t.body) for t in templates] == [(template.id, "T", "{account}: {total} {currency}")]
    other_tenant = service.metadata("admin", tenant="t2", subject="root")
    assert not stub.ListPriceLists(sales_pb2.ListPriceListsRequest(), metadata=other_tenant).price_lists
    assert not stub.ListContractTemplates(sales_pb2.ListContractTemplatesRequest(), metadata=other_tenant).templates

    account = stub.CreateAccount(sales_pb2.CreateAccountRequest(name="Acme"), metadata=rep).account
    opportunity = stub.CreateOpportunity(sales_pb2.CreateOpportunityRequest(name="D", account_id=account.id),
                                         metadata=rep).opportunity
    made = [stub.CreateQuote(sales_pb2.CreateQuoteRequest(
        opportunity_id=opportunity.id, price_list_id=price_list,
        lines=[sales_pb2.QuoteLineInput(product_id=product.id, quantity=str(n + 1))] * (n + 1)),
        metadata=rep).quote for n in range(3)]
    assert [quote.line_count for quote in made] == [1, 2, 3]

    def page(metadata, size=0, token=""):  # noqa: ANN001, ANN202
        return stub.ListQuotes(sales_pb2.ListQuotesRequest(
            opportunity_id=opportunity.id, page=common_pb2.PageRequest(page_size=size, page_token=token)),
            metadata=metadata)

    first = page(rep, size=2)
    assert [(q.id, q.line_count, len(q.lines)) for q in first.quotes] == [(made[2].id, 3, 0), (made[1].id, 2, 0)]
    assert first.quotes[0].total == made[2].total and first.quotes[0].create_time.seconds > 0
    assert first.page.next_page_token
    rest = page(rep, size=2, token=first.page.next_page_token)
    assert [q.id for q in rest.quotes] == [made[0].id] and not rest.page.next_page_token
    assert [q.id for q in page(boss).quotes] == [made[2].id, made[1].id, made[0].id]
    assert len(page(auditor).quotes) == 3

    with pytest.raises(grpc.RpcError) as raised:
        page(stranger)
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as raised:
        page(rep, token="not-a-token")
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(service.violations(raised.value)) == {"page.page_token"}
    with pytest.raises(grpc.RpcError) as raised:
        stub.ListQuotes(sales_pb2.ListQuotesRequest(), metadata=rep)
    assert set(service.violations(raised.value)) == {"opportunity_id"}
