"""Decimal money (R-SALES-2): crm.common.v1.Money strings in the API, Numeric in the database, Decimal here.

Never a float: amounts are parsed from their decimal strings and written back the same way.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from crm.common.v1 import common_pb2
from services.core.errors import Validator
from services.core.i18n import t

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("99999999999999")  # Numeric(18, 4)
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_DECIMAL = re.compile(r"^-?\d{1,14}(\.\d{1,4})?$")


def round_cents(amount: Decimal) -> Decimal:
    """Half-up to cents (0.005 -> 0.01), the rounding rule of every computed money amount."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_decimal(text: str, field: str, check: Validator, *, minimum: Decimal | None = None,
                  maximum: Decimal | None = None, required: bool = True) -> Decimal | None:
    """A decimal string with at most 14 integer and 4 fractional digits, within bounds."""
    text = (text or "").strip()
    if not text:
        if required:
            check.check(False, field, t("is required"))
        return None
    if not check.check(bool(_DECIMAL.match(text)), field, t("must be a decimal number with at most 4 decimals")):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        check.check(False, field, t("must be a decimal number with at most 4 decimals"))
        return None
    if minimum is not None and value < minimum:
        check.check(False, field, t("must be at least {min}", min=minimum))
        return None
    if maximum is not None and value > maximum:
        check.check(False, field, t("must be at most {max}", max=maximum))
        return None
    return value


def parse_currency(text: str, field: str, check: Validator) -> str:
    code = (text or "").strip().upper()
    check.check(bool(_CURRENCY.match(code)), field, t("must be an ISO 4217 currency code"))
    return code


def parse_money(money: common_pb2.Money, field: str, check: Validator, *, default_currency: str = "CNY",
                required: bool = False) -> tuple[Decimal, str]:
    """(amount, currency) of a Money; an unset Money is 0 in the default currency unless required."""
    if not money.amount and not money.currency and not required:
        return Decimal(0), default_currency
    amount = parse_decimal(money.amount, f"{field}.amount", check, minimum=Decimal(0), maximum=MAX_AMOUNT)
    currency = parse_currency(money.currency or default_currency, f"{field}.currency", check)
    return (amount if amount is not None else Decimal(0)), currency


def text(amount: Decimal) -> str:
    """A plain decimal string with at least 2 decimals and no trailing zeros beyond them, never an exponent:
    Decimal("1E+3") -> "1000.00", Decimal("0.1800") -> "0.18", Decimal("0.0525") -> "0.0525"."""
    cents = amount.quantize(CENT)
    return format(cents if cents == amount else amount.normalize(), "f")


def to_money(amount: Decimal, currency: str) -> common_pb2.Money:
    return common_pb2.Money(amount=text(amount), currency=currency)
