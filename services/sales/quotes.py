"""Products, price lists and quotes (R-SALES-2): decimal money end to end, discounts, taxes, one currency per price
list (a quote is in its price list's currency). Arithmetic: services/sales/pricing.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.core.auth import Caller
from services.core.errors import AlreadyExists, NotFound, Validator
from services.core.i18n import t
from services.sales import access, opportunities
from services.sales.models import PriceList, PriceListItem, Product, Quote, QuoteLine
from services.sales.money import MAX_AMOUNT, parse_currency, parse_decimal
from services.sales.pricing import LineInput, price_quote

CATALOGUE_ROLES = ("manager", "admin")
MAX_LINES = 500
MAX_QUANTITY = Decimal(1_000_000)
MAX_UNIT_PRICE = Decimal(100_000_000)


def create_product(session: Session, *, caller: Caller, sku: str, name: str, unit: str = "",
                   tax_rate: str = "0", category: str = "") -> Product:
    caller.require_role(*CATALOGUE_ROLES)
    check = Validator()
    check.require(sku, "sku", max_length=64)
    check.require(name, "name", max_length=200)
    check.at_most(unit, "unit", 20)
    check.at_most(category, "category", 64)
    rate = parse_decimal(tax_rate or "0", "tax_rate", check, minimum=Decimal(0), maximum=Decimal(1))
    check.raise_if_any()
    product = Product(sku=sku.strip(), name=name.strip(), unit=unit.strip(), tax_rate=rate,
                      category=category.strip())
    try:
        with session.begin_nested():
            session.add(product)
            session.flush()
    except IntegrityError:
        raise AlreadyExists(t("a product with SKU {sku} exists", sku=repr(sku.strip()))) from None
    return product


def list_products(session: Session) -> list[Product]:
    return list(session.scalars(select(Product).order_by(Product.sku)))


def create_price_list(session: Session, *, caller: Caller, name: str, currency: str,
                      items: Sequence[tuple[str, str, str]]) -> PriceList:
    """items: (product_id, unit price, its currency) each."""
    caller.require_role(*CATALOGUE_ROLES)
    check = Validator()
    check.require(name, "name", max_length=200)
    code = parse_currency(currency, "currency", check)
    check.check(len(items) <= 10_000, "items", t("must have at most {max} entries", max=10_000))
    prices: dict[str, Decimal] = {}
    for position, (product_id, amount, item_currency) in enumerate(items):
        field = f"items[{position}]"
        price = parse_decimal(amount, f"{field}.unit_price.amount", check, minimum=Decimal(0),
                              maximum=MAX_UNIT_PRICE)
        check.check((item_currency or code).upper() == code, f"{field}.unit_price.currency",
                    t("must be the price list's currency {currency}", currency=code))
        known = session.get(Product, product_id) if product_id else None
        check.check(known is not None, f"{field}.product_id", t("is not a product"))
        check.check(product_id not in prices, f"{field}.product_id", t("is listed twice"))
        if price is not None:
            prices[product_id] = price
    check.raise_if_any()
    price_list = PriceList(name=name.strip(), currency=code)
    session.add(price_list)
    session.flush()
    session.add_all(PriceListItem(price_list_id=price_list.id, product_id=product_id, unit_price=price)
                    for product_id, price in prices.items())
    session.flush()
    return price_list


def list_price_lists(session: Session) -> list[PriceList]:
    """The tenant's price lists by name: the catalogue, readable by anyone of the tenant (as the products). Every
    price list is in use: there is no retiring of a price list yet."""
    return list(session.scalars(select(PriceList).order_by(PriceList.name, PriceList.id)))


def line_inputs(session: Session, check: Validator, price_list: PriceList,
                lines: Sequence[tuple[str, str, str]]) -> tuple[list[LineInput], dict[str, Product]]:
    """Each (product id, quantity, discount percent) priced from `price_list`, and the products by id; a bad line
    is a field violation in `check` (named lines[i].<field>) and left out. Quotes and orders price lines alike."""
    prices = {item.product_id: item.unit_price for item in session.scalars(
        select(PriceListItem).where(PriceListItem.price_list_id == price_list.id))}
    products = {p.id: p for p in session.scalars(select(Product).where(
        Product.id.in_({product_id for product_id, _, _ in lines})))}
    inputs: list[LineInput] = []
    for position, (product_id, quantity, discount) in enumerate(lines):
        field = f"lines[{position}]"
        product = products.get(product_id)
        if not check.check(product is not None and product.active, f"{field}.product_id", t("is not a product")):
            continue
        if not check.check(product_id in prices, f"{field}.product_id", t("has no price in this price list")):
            continue
        amount = parse_decimal(quantity, f"{field}.quantity", check, minimum=Decimal("0.0001"),
                               maximum=MAX_QUANTITY)
        percent = parse_decimal(discount or "0", f"{field}.discount_percent", check, minimum=Decimal(0),
                                maximum=Decimal(100))
        if amount is not None and percent is not None:
            inputs.append(LineInput(amount, prices[product_id], percent, product.tax_rate))
    return inputs, products


@dataclass(frozen=True)
class QuoteView:
    quote: Quote
    lines: list[QuoteLine]
    # The quote's number of lines when `lines` was not read (a list of quotes); None: len(lines).
    line_count: int | None = None

    @property
    def lines_in_quote(self) -> int:
        return len(self.lines) if self.line_count is None else self.line_count


def create_quote(session: Session, *, caller: Caller, opportunity_id: str, price_list_id: str,
                 lines: Sequence[tuple[str, str, str]]) -> QuoteView:
    """lines: (product_id, quantity, discount percent) each, priced from the price list."""
    opportunity = opportunities.for_change(session, caller=caller, opportunity_id=opportunity_id)
    price_list = session.get(PriceList, price_list_id) if price_list_id else None
    if price_list is None:
        raise NotFound(t("price list {id} not found", id=repr(price_list_id)))
    check = Validator()
    check.check(0 < len(lines) <= MAX_LINES, "lines", t("must have 1 to {max} lines", max=MAX_LINES))
    inputs, products = line_inputs(session, check, price_list, lines)
    check.raise_if_any()
    totals = price_quote(inputs)
    check.check(totals.total <= MAX_AMOUNT, "lines", t("the quote's total exceeds {max}", max=MAX_AMOUNT))
    check.raise_if_any()
    quote = Quote(
        opportunity_id=opportunity.id, price_list_id=price_list.id, currency=price_list.currency,
        list_total=totals.list_total, discount_total=totals.discount_total, net_total=totals.net_total,
        tax_total=totals.tax_total, total=totals.total, owner_id=opportunity.owner_id, team=opportunity.team,
        created_by=caller.subject,
    )
    session.add(quote)
    session.flush()
    rows = [
        QuoteLine(quote_id=quote.id, position=position + 1, product_id=product_id,
                  description=products[product_id].name, quantity=line.quantity, unit_price=line.unit_price,
                  discount_percent=line.discount_percent, tax_rate=line.tax_rate, list_amount=result.list_amount,
                  net_amount=result.net_amount, tax_amount=result.tax_amount)
        for position, ((product_id, _, _), line, result) in enumerate(zip(lines, inputs, totals.lines, strict=True))
    ]
    session.add_all(rows)
    session.flush()
    return QuoteView(quote, rows)


def readable_quote(session: Session, *, caller: Caller, quote_id: str) -> QuoteView:
    """A quote its opportunity's readers read (a territory's manager included); NOT_FOUND for others. Reading only:
    drafting a contract from it checks access.may_change (contracts.create_contract)."""
    quote = session.get(Quote, quote_id) if quote_id else None
    if quote is None or not access.may_read_of_opportunity(session, caller, owner_id=quote.owner_id, team=quote.team,
                                                           opportunity_id=quote.opportunity_id):
        raise NotFound(t("quote {id} not found", id=repr(quote_id)))
    lines = list(session.scalars(select(QuoteLine).where(QuoteLine.quote_id == quote.id)
                                 .order_by(QuoteLine.position)))
    return QuoteView(quote, lines)


def list_quotes(session: Session, *, caller: Caller, opportunity_id: str, offset: int = 0,
                limit: int = 50) -> tuple[list[QuoteView], bool]:
    """The quotes of an opportunity the caller may read, newest first, without their lines (with their count), and
    whether more follow. The opportunity must be readable (NOT_FOUND otherwise); of its quotes, those GetQuote
    would show (all of them for the manager of a territory holding the opportunity)."""
    check = Validator()
    check.require(opportunity_id, "opportunity_id", max_length=36)
    check.raise_if_any()
    opportunity = opportunities.readable(session, caller=caller, opportunity_id=opportunity_id)
    visible = (true() if access.in_managed_territory(session, caller, opportunity)
               else access.visible_owned(session, caller, Quote.owner_id, Quote.team))
    found = list(session.scalars(
        select(Quote).where(Quote.opportunity_id == opportunity.id, visible)
        .order_by(Quote.created_at.desc(), Quote.id.desc()).offset(offset).limit(limit + 1)))
    page = found[:limit]
    counts = dict(session.execute(
        select(QuoteLine.quote_id, func.count()).where(QuoteLine.quote_id.in_([quote.id for quote in page]))
        .group_by(QuoteLine.quote_id)).all()) if page else {}
    return [QuoteView(quote, [], counts.get(quote.id, 0)) for quote in page], len(found) > limit
