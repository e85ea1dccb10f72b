"""A quote as a PDF (R-SALES-2): read back with pypdf, Chinese text (STSong-Light) and every amount exactly as
stored, pages for long quotes, readers only."""

from __future__ import annotations

import io
from decimal import Decimal

import grpc
import pytest
from pypdf import PdfReader

from crm.common.v1 import common_pb2
from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from services.core.errors import NotFound
from services.sales import money, quote_pdf, quotes
from tests.unit.services.test_sales_contracts import catalogue, deal, quote
from tests.unit.services.test_sales_opportunities import add_roster


@pytest.fixture
def database(migrated_database):
    database = migrated_database("sales")
    add_roster(database)
    return database


def text_of(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_holds_the_quote_in_chinese_with_exact_amounts(database, caller):
    view = quote(database, caller, [("basic", "3", "15"), ("addon", "2.5", "0")])
    rep = caller("sales", subject="rep-1")
    with database.session("t1") as session:
        pdf = quote_pdf.render(session, caller=rep, quote_id=view.quote.id, locale="zh_CN")
    assert pdf.startswith(b"%PDF")
    pages, content = text_of(pdf)
    assert pages == 1
    for expected in ("报价单", view.quote.id, "杭州云栖科技", "ERP 2026", "基础版", "Analytics add-on", "价税合计",
                     # line 1: 3 x 9999.99 -15% -> 25499.97, tax 3315.00; line 2: 2.5 x 2000.00 = 5000.00, tax 300.00
                     "9999.99", "29999.97", "25499.97", "3315.00", "2.5", "2000.00", "5000.00", "300.00", "0.13",
                     # totals
                     "34999.97 CNY", "4500.00 CNY", "30499.97 CNY", "3615.00 CNY", "34114.97 CNY"):
        assert expected in content, expected
    with database.session("t1") as session:
        english = text_of(quote_pdf.render(session, caller=rep, quote_id=view.quote.id))[1]
        assert "Quotation" in english and "报价单" not in english and "34114.97 CNY" in english
        with pytest.raises(NotFound):
            quote_pdf.render(session, caller=caller("sales", subject="rep-3"), quote_id=view.quote.id)


def test_a_long_quote_runs_over_several_pages_with_every_line(database, caller):
    basic, addon, price_list = catalogue(database, caller)
    opportunity_id = deal(database, caller)
    rep = caller("sales", subject="rep-1")
    with database.session("t1") as session:
        # Quantities 1.0001 .. 1.0060: 60 lines, each a distinct 4-decimal amount.
        view = quotes.create_quote(session, caller=rep, opportunity_id=opportunity_id, price_list_id=price_list,
                                   lines=[(addon, f"1.{n:04d}", "0") for n in range(1, 61)])
        pages, content = text_of(quote_pdf.render(session, caller=rep, quote_id=view.quote.id))
    assert pages >= 2
    # As the API writes them: at least 2 decimals, no trailing zero beyond (1.0010 -> "1.001", 1.0060 -> "1.006").
    for n in range(1, 61):
        assert money.text(Decimal(f"1.{n:04d}")) in content, n
    assert "1.0010" not in content and "1.0060" not in content
    assert f"{view.quote.total:.2f} CNY" in content


def test_render_quote_pdf_rpc(grpc_service):
    service = grpc_service("sales")
    stub = sales_pb2_grpc.SalesServiceStub(service.channel)
    boss, rep = service.metadata("manager", subject="boss"), service.metadata("sales", subject="rep-1")
    product = stub.CreateProduct(sales_pb2.CreateProductRequest(sku="B", name="基础版", tax_rate="0.13"),
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
        lines=[sales_pb2.QuoteLineInput(product_id=product.id, quantity="3", discount_percent="50")]),
        metadata=rep).quote
    got = stub.RenderQuotePdf(sales_pb2.RenderQuotePdfRequest(quote_id=created.id),
                              metadata=[*rep, ("accept-language", "zh-CN")])
    assert got.file_name == f"quote-{created.id}.pdf"
    content = text_of(got.pdf)[1]
    # 3 x 0.05 = 0.15, -50% = 0.075 -> 0.08, tax 0.0104 -> 0.01, total 0.09.
    assert created.id in content and "基础版" in content and "0.09 CNY" in content and "0.08 CNY" in content
    with pytest.raises(grpc.RpcError) as raised:
        stub.RenderQuotePdf(sales_pb2.RenderQuotePdfRequest(quote_id=created.id),
                            metadata=service.metadata("sales", subject="rep-9"))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
