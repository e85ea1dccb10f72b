"""Quote arithmetic (R-SALES-2): a quote of 200 lines computed exactly, checked against an independent reference in
integer arithmetic (fractions), for any quantities, prices, discounts and tax rates hypothesis finds."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from services.sales.pricing import LineInput, price_line, price_quote


def half_up_cents(value: Fraction) -> Fraction:
    """Round to cents, half away from zero, with integers only."""
    cents = value * 100
    sign = -1 if cents < 0 else 1
    whole, remainder = divmod(abs(cents.numerator), cents.denominator)
    if 2 * remainder >= cents.denominator:
        whole += 1
    return Fraction(sign * whole, 100)


def reference(lines):
    list_total = net_total = tax_total = Fraction(0)
    for line in lines:
        gross = Fraction(line.quantity) * Fraction(line.unit_price)
        net = half_up_cents(gross * (100 - Fraction(line.discount_percent)) / 100)
        list_total += half_up_cents(gross)
        net_total += net
        tax_total += half_up_cents(net * Fraction(line.tax_rate))
    return list_total, net_total, tax_total, net_total + tax_total


def decimals(low, high, places):
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=places, allow_nan=False,
                       allow_infinity=False)


# Within what a quote accepts (services/sales/quotes.py): quantity <= 1e6, unit price <= 1e8, so that 200 lines stay
# within Numeric(18, 4). test_huge_amounts_keep_every_digit covers the arithmetic at the type's limits.
LINES = st.builds(
    LineInput,
    quantity=decimals("0.0001", "1000000", 4),
    unit_price=decimals("0", "100000000", 4),
    discount_percent=decimals("0", "100", 4),
    tax_rate=st.sampled_from([Decimal("0"), Decimal("0.03"), Decimal("0.06"), Decimal("0.09"), Decimal("0.13"),
                              Decimal("0.1234")]),
)


@settings(max_examples=25, deadline=None)
@given(st.lists(LINES, min_size=200, max_size=200))
def test_a_200_line_quote_is_exact(lines):
    totals = price_quote(lines)
    expected = reference(lines)
    assert (Fraction(totals.list_total), Fraction(totals.net_total), Fraction(totals.tax_total),
            Fraction(totals.total)) == expected
    assert totals.discount_total == totals.list_total - totals.net_total
    # Every amount is in cents and the lines add up to the totals.
    assert all(amount.as_tuple().exponent == -2 for amount in (totals.total, totals.net_total, totals.tax_total))
    assert sum(Fraction(line.net_amount + line.tax_amount) for line in totals.lines) == totals.total


def test_half_up_per_line_then_summed():
    # 0.005 rounds up on each line: 3 lines of 0.005 are 0.03, not round(0.015) = 0.02.
    line = LineInput(quantity=Decimal("1"), unit_price=Decimal("0.005"))
    assert price_line(line).net_amount == Decimal("0.01")
    assert price_quote([line] * 3).net_total == Decimal("0.03")
    # 2.675 as a float is 2.67499999...: money never passes through floats.
    assert price_line(LineInput(Decimal("1"), Decimal("2.675"))).net_amount == Decimal("2.68")
    # Discount and tax: 3 x 99.99 = 299.97, -15% = 254.9745 -> 254.97, 13% tax = 33.1461 -> 33.15.
    result = price_line(LineInput(Decimal("3"), Decimal("99.99"), Decimal("15"), Decimal("0.13")))
    assert (result.list_amount, result.net_amount, result.tax_amount) == (
        Decimal("299.97"), Decimal("254.97"), Decimal("33.15"))


def test_huge_amounts_keep_every_digit():
    line = LineInput(Decimal("99999999999999.9999"), Decimal("99999999999999.9999"), Decimal("33.3333"),
                     Decimal("0.13"))
    result = price_line(line)
    gross = Fraction(line.quantity) * Fraction(line.unit_price)
    assert Fraction(result.list_amount) == half_up_cents(gross)
    assert Fraction(result.net_amount) == half_up_cents(gross * (100 - Fraction(line.discount_percent)) / 100)


def test_overall_discount_percent():
    totals = price_quote([LineInput(Decimal("1"), Decimal("100"), Decimal("30")),
                          LineInput(Decimal("1"), Decimal("300"), Decimal("10"))])
    assert (totals.list_total, totals.net_total, totals.discount_percent) == (
        Decimal("400.00"), Decimal("340.00"), Decimal("15.0000"))
    assert price_quote([]).discount_percent == 0
