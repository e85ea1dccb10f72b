"""Exact quote arithmetic (R-SALES-2): Decimal throughout, with enough precision that no product is rounded.

Rule: each line is rounded half-up to cents, then the rounded lines are summed.
- list amount = round(quantity x unit price)
- net amount = round(quantity x unit price x (100 - discount %) / 100)
- tax amount = round(net amount x tax rate)
- totals: list, net and tax are sums of the rounded line amounts; discount = list - net; total = net + tax.
So a printed quote always adds up: the total is the sum of the lines shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from services.sales.money import round_cents

# 18 + 18 + 7 digits at most in a product: 60 keeps every intermediate exact.
EXACT = Context(prec=60, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal = Decimal(0)
    tax_rate: Decimal = Decimal(0)


@dataclass(frozen=True)
class LineResult:
    list_amount: Decimal
    net_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True)
class QuoteTotals:
    lines: tuple[LineResult, ...]
    list_total: Decimal
    discount_total: Decimal
    net_total: Decimal
    tax_total: Decimal
    total: Decimal

    @property
    def discount_percent(self) -> Decimal:
        return discount_percent(self.list_total, self.discount_total)


def discount_percent(list_total: Decimal, discount_total: Decimal) -> Decimal:
    """The overall discount, 1 - net / list, in percent to 4 decimals (for approval conditions)."""
    if not list_total:
        return Decimal(0)
    with localcontext(EXACT):
        return (discount_total * 100 / list_total).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def price_line(line: LineInput) -> LineResult:
    with localcontext(EXACT):
        gross = line.quantity * line.unit_price
        net = round_cents(gross * (100 - line.discount_percent) / 100)
        return LineResult(round_cents(gross), net, round_cents(net * line.tax_rate))


def price_quote(lines: Sequence[LineInput]) -> QuoteTotals:
    results = tuple(price_line(line) for line in lines)
    with localcontext(EXACT):
        list_total = sum((r.list_amount for r in results), Decimal("0.00"))
        net_total = sum((r.net_amount for r in results), Decimal("0.00"))
        tax_total = sum((r.tax_amount for r in results), Decimal("0.00"))
        return QuoteTotals(results, list_total, list_total - net_total, net_total, tax_total, net_total + tax_total)
